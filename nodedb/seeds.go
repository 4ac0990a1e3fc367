package nodedb

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/devp2p-go/devp2p/enode"
)

// Limits of QuerySeeds. Each attempt is one random seek into the node space,
// as Kademlia seeding picks random points of the ID space; the number of
// attempts and the keys read per attempt are bounded so that a call costs the
// same on a database of any size or shape.
const (
	seedAttemptsPerNode = 5  // seeks per wanted seed (go-ethereum uses the same factor)
	seedNodesPerSeek    = 3  // consecutive nodes examined after each seek
	maxKeysPerNode      = 64 // keys of one node read; bounds per-IP key floods
	goodPeersScanFactor = 4  // index entries read per wanted good peer
)

// QuerySeeds returns up to n random nodes that answered our ping within
// maxAge at the IP of their current record. These are the nodes a restarting
// table starts from.
func (db *DB) QuerySeeds(n int, maxAge time.Duration) []*enode.Node {
	if n <= 0 {
		return nil
	}
	pdb := db.acquire()
	if pdb == nil {
		return nil
	}
	defer db.release()
	it, err := pdb.NewIter(&pebble.IterOptions{LowerBound: nodeSpaceStart, UpperBound: nodeSpaceEnd})
	if err != nil {
		return nil
	}
	defer it.Close()

	var (
		now    = db.clock.Wall()
		oldest = now.Add(-maxAge).Unix()
		seeds  = make([]*enode.Node, 0, n)
		seen   = make(map[enode.ID]struct{}, n)
		seek   = make([]byte, nodePrefixLen)
	)
	seek[0], seek[1] = spaceNode, sep
	for attempt := 0; attempt < n*seedAttemptsPerNode && len(seeds) < n; attempt++ {
		var rid [idLen]byte
		for i := 0; i < idLen; i += 8 {
			binary.LittleEndian.PutUint64(rid[i:], rand.Uint64())
		}
		copy(seek[2:], rid[:])
		// Wrap around to the start of the ID space past the last node.
		if !it.SeekGE(seek) && !it.First() {
			break // empty database
		}
		// Looking at a few nodes after the seek point, not just one, makes
		// fewer seeks and softens the bias towards nodes after large gaps.
		for j := 0; j < seedNodesPerSeek && it.Valid() && len(seeds) < n; j++ {
			cand, ok := db.readSeedCandidate(it, oldest)
			if !ok {
				continue
			}
			if _, dup := seen[cand.ID()]; dup || (db.self != (enode.ID{}) && cand.ID() == db.self) {
				continue
			}
			seen[cand.ID()] = struct{}{}
			seeds = append(seeds, cand)
		}
	}
	return seeds
}

// readSeedCandidate reads the node whose keys start at the iterator position
// and leaves the iterator at the next node's first key.
// The node qualifies if it has a record and a pong newer than oldest from
// the record's IP. Cheap checks come first: the record is only decoded when
// some pong is fresh.
func (db *DB) readSeedCandidate(it *pebble.Iterator, oldest int64) (*enode.Node, bool) {
	first, ok := parseNodeKey(it.Key())
	if !ok {
		return nil, false
	}
	id := first.id
	var (
		blob  []byte
		pongs = make(map[[16]byte]int64, 2)
		fresh bool
	)
	for i := 0; i < maxKeysPerNode; i++ {
		p, ok := parseNodeKey(it.Key())
		if !ok || p.id != id {
			break
		}
		switch {
		case p.kind == nodePrefixLen:
			blob = bytes.Clone(it.Value())
		case p.kind == ipFieldLen && p.field == fieldPong:
			if t, ok := decodeTime(it.Value()); ok && t >= oldest {
				pongs[p.ip.As16()] = t
				fresh = true
			}
		}
		if !it.Next() {
			break
		}
	}
	if blob == nil || !fresh {
		return nil, false
	}
	node := db.decodeNode(id, blob)
	if node == nil {
		return nil, false
	}
	ip, ok := normIP(node.IPAddr())
	if !ok {
		return nil, false
	}
	if _, ok := pongs[ip.As16()]; !ok {
		return nil, false
	}
	return node, true
}

// UpdatePeerSuccess records that a peer session with n succeeded at time t and
// stores n's record. GoodPeers returns the most recent of these nodes. The
// record is synced to disk soon after (durable.go).
func (db *DB) UpdatePeerSuccess(n *enode.Node, t time.Time) error {
	blob, err := encodeRecord(n)
	if err != nil {
		return err
	}
	id := n.ID()
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	err = db.apply(func(pdb *pebble.DB, b *pebble.Batch) error {
		if err := db.putNode(pdb, b, id, n.Seq(), blob); err != nil {
			return err
		}
		if v, ok := db.read(pdb, nodeFieldKey(id, fieldPeerSuccess)); ok {
			if old, ok := decodeTime(v); ok {
				if err := b.Delete(goodKey(old, id), nil); err != nil {
					return err
				}
			}
		}
		if err := b.Set(nodeFieldKey(id, fieldPeerSuccess), encodeTime(t.Unix()), nil); err != nil {
			return err
		}
		return b.Set(goodKey(t.Unix(), id), nil, nil)
	})
	if err == nil {
		db.requestSync() // the warm-restart list must survive a crash
	}
	return err
}

// LastPeerSuccess returns the time of the last successful peer session with
// the node (zero if none).
func (db *DB) LastPeerSuccess(id enode.ID) time.Time {
	return db.getTime(nodeFieldKey(id, fieldPeerSuccess))
}

// GoodPeers returns up to n nodes with which we had a successful peer
// session, most recent first: the dialer's warm-restart list.
func (db *DB) GoodPeers(n int) []*enode.Node {
	if n <= 0 {
		return nil
	}
	pdb := db.acquire()
	if pdb == nil {
		return nil
	}
	defer db.release()
	it, err := pdb.NewIter(&pebble.IterOptions{LowerBound: goodSpaceStart, UpperBound: goodSpaceEnd})
	if err != nil {
		return nil
	}
	defer it.Close()

	peers := make([]*enode.Node, 0, n)
	steps := 0
	for ok := it.Last(); ok && len(peers) < n && steps < n*goodPeersScanFactor; ok = it.Prev() {
		steps++
		k := it.Key()
		if len(k) != goodKeyLen {
			continue
		}
		var id enode.ID
		copy(id[:], k[goodKeyLen-idLen:])
		if db.self != (enode.ID{}) && id == db.self {
			continue
		}
		blob, ok := db.read(pdb, nodeKey(id))
		if !ok {
			continue
		}
		if node := db.decodeNode(id, blob); node != nil {
			peers = append(peers, node)
		}
	}
	return peers
}
