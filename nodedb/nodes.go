package nodedb

import (
	"errors"
	"net/netip"
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

// errInvalidIP is returned for an invalid (zero) netip.Addr. Such addresses
// come from bugs, not from the network, but they must not crash the node.
var errInvalidIP = errors.New("nodedb: invalid IP")

// get reads one value, copying it out of pebble's buffer.
func (db *DB) get(key []byte) ([]byte, bool) {
	pdb := db.acquire()
	if pdb == nil {
		return nil, false
	}
	defer db.release()
	return db.read(pdb, key)
}

// read is get for callers that already hold the handle. (closeMu must not be
// read-locked twice by one goroutine: a waiting Close would deadlock it.)
func (db *DB) read(r pebble.Reader, key []byte) ([]byte, bool) {
	v, closer, err := r.Get(key)
	if err != nil {
		if !errors.Is(err, pebble.ErrNotFound) {
			db.log.Warn("Node database read failed", "err", err)
		}
		return nil, false
	}
	out := append([]byte(nil), v...)
	closer.Close()
	return out, true
}

// apply commits a batch built by fill, which may read through pdb.
func (db *DB) apply(fill func(pdb *pebble.DB, b *pebble.Batch) error) error {
	pdb := db.acquire()
	if pdb == nil {
		return ErrClosed
	}
	defer db.release()
	b := pdb.NewBatch()
	defer b.Close()
	if err := fill(pdb, b); err != nil {
		return err
	}
	// NoSync: losing the last writes on a crash only costs re-learning a few
	// timestamps, and syncing on every pong would be far too slow.
	return b.Commit(pebble.NoSync)
}

func (db *DB) set(key, value []byte) error {
	return db.apply(func(_ *pebble.DB, b *pebble.Batch) error { return b.Set(key, value, nil) })
}

func (db *DB) getTime(key []byte) time.Time {
	v, ok := db.get(key)
	if !ok {
		return time.Time{}
	}
	t, ok := decodeTime(v)
	if !ok {
		return time.Time{}
	}
	return time.Unix(t, 0)
}

// Node returns the stored node with the given ID, or nil if there is none.
func (db *DB) Node(id enode.ID) *enode.Node {
	v, ok := db.get(nodeKey(id))
	if !ok {
		return nil
	}
	return db.decodeNode(id, v)
}

// decodeNode turns a stored record back into a node. Records were verified
// before they were stored (an *enode.Node always is), and the ID comes from
// the key they were stored under, so neither the signature nor the ID is
// computed again: that would cost two public key decompressions and a
// signature check per node read.
func (db *DB) decodeNode(id enode.ID, blob []byte) *enode.Node {
	var r enr.Record
	if err := rlp.DecodeBytes(blob, &r); err != nil {
		db.log.Debug("Undecodable record in node database", "id", id, "err", err)
		return nil
	}
	n, err := enode.New(storedScheme{id}, &r)
	if err != nil {
		db.log.Debug("Invalid record in node database", "id", id, "err", err)
		return nil
	}
	return n
}

// storedScheme is the identity scheme of a record read back from the
// database: it was verified before being stored, under the ID it is stored
// with.
type storedScheme struct{ id enode.ID }

func (storedScheme) Verify(*enr.Record, []byte) error { return nil }

func (s storedScheme) NodeAddr(*enr.Record) []byte { return s.id[:] }

func encodeRecord(n *enode.Node) ([]byte, error) {
	return rlp.EncodeToBytes(n.Record())
}

// recordSeq reads the sequence number from an encoded record without decoding
// it: record = [signature, seq, k, v, ...].
func recordSeq(blob []byte) (uint64, bool) {
	content, _, err := rlp.SplitList(blob)
	if err != nil {
		return 0, false
	}
	_, rest, err := rlp.SplitString(content)
	if err != nil {
		return 0, false
	}
	seq, _, err := rlp.SplitUint64(rest)
	return seq, err == nil
}

// UpdateNode stores the node's record, unless a record with a higher sequence
// number is already stored.
func (db *DB) UpdateNode(n *enode.Node) error {
	blob, err := encodeRecord(n)
	if err != nil {
		return err
	}
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	return db.apply(func(pdb *pebble.DB, b *pebble.Batch) error {
		return db.putNode(pdb, b, n.ID(), n.Seq(), blob)
	})
}

// putNode adds the record to b if it is not older than the stored one. The
// caller holds writeMu.
func (db *DB) putNode(pdb *pebble.DB, b *pebble.Batch, id enode.ID, seq uint64, blob []byte) error {
	if old, ok := db.read(pdb, nodeKey(id)); ok {
		if oldSeq, ok := recordSeq(old); ok && oldSeq > seq {
			return nil
		}
	}
	if err := b.Set(nodeKey(id), blob, nil); err != nil {
		return err
	}
	return b.Set(nodeFieldKey(id, fieldUpdated), encodeTime(db.clock.Wall().Unix()), nil)
}

// DeleteNode removes everything stored about a node.
func (db *DB) DeleteNode(id enode.ID) {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	err := db.apply(func(pdb *pebble.DB, b *pebble.Batch) error { return db.deleteNode(pdb, b, id) })
	if err != nil && !errors.Is(err, ErrClosed) {
		db.log.Warn("Node database delete failed", "id", id, "err", err)
	}
}

// deleteNode adds the deletion of node id to b. The caller holds writeMu.
func (db *DB) deleteNode(pdb *pebble.DB, b *pebble.Batch, id enode.ID) error {
	if v, ok := db.read(pdb, nodeFieldKey(id, fieldPeerSuccess)); ok {
		if t, ok := decodeTime(v); ok {
			if err := b.Delete(goodKey(t, id), nil); err != nil {
				return err
			}
		}
	}
	return b.DeleteRange(nodeKey(id), nodeEnd(id), nil)
}

// LastPingReceived returns when the node last pinged us from ip (zero if never).
func (db *DB) LastPingReceived(id enode.ID, ip netip.Addr) time.Time {
	ip, ok := normIP(ip)
	if !ok {
		return time.Time{}
	}
	return db.getTime(ipFieldKey(id, ip, fieldPing))
}

// UpdateLastPingReceived records when the node last pinged us from ip.
func (db *DB) UpdateLastPingReceived(id enode.ID, ip netip.Addr, t time.Time) error {
	ip, ok := normIP(ip)
	if !ok {
		return errInvalidIP
	}
	return db.set(ipFieldKey(id, ip, fieldPing), encodeTime(t.Unix()))
}

// LastPongReceived returns when the node last answered our ping at ip (zero if
// never). A recent pong is the endpoint proof of discv4.
func (db *DB) LastPongReceived(id enode.ID, ip netip.Addr) time.Time {
	ip, ok := normIP(ip)
	if !ok {
		return time.Time{}
	}
	return db.getTime(ipFieldKey(id, ip, fieldPong))
}

// UpdateLastPongReceived records when the node last answered our ping at ip.
func (db *DB) UpdateLastPongReceived(id enode.ID, ip netip.Addr, t time.Time) error {
	ip, ok := normIP(ip)
	if !ok {
		return errInvalidIP
	}
	return db.set(ipFieldKey(id, ip, fieldPong), encodeTime(t.Unix()))
}

// FindFails returns the number of failed findnode requests to the node at ip.
func (db *DB) FindFails(id enode.ID, ip netip.Addr) int {
	ip, ok := normIP(ip)
	if !ok {
		return 0
	}
	v, ok := db.get(ipFieldKey(id, ip, fieldFindFails))
	if !ok {
		return 0
	}
	x, ok := decodeUint(v)
	if !ok || x > uint64(maxFindFails) {
		return 0
	}
	return int(x)
}

// maxFindFails caps the stored counter; callers drop a node after a handful.
const maxFindFails = 1 << 20

// UpdateFindFails stores the number of failed findnode requests. Zero deletes
// the counter.
func (db *DB) UpdateFindFails(id enode.ID, ip netip.Addr, fails int) error {
	ip, ok := normIP(ip)
	if !ok {
		return errInvalidIP
	}
	key := ipFieldKey(id, ip, fieldFindFails)
	if fails <= 0 {
		return db.apply(func(_ *pebble.DB, b *pebble.Batch) error { return b.Delete(key, nil) })
	}
	return db.set(key, encodeUint(uint64(min(fails, maxFindFails))))
}

// LocalSeq returns the stored sequence number of the local node record of id.
func (db *DB) LocalSeq(id enode.ID) uint64 {
	v, ok := db.get(localSeqKey(id))
	if !ok {
		return 0
	}
	x, _ := decodeUint(v)
	return x
}

// StoreLocalSeq stores the sequence number of the local node record of id.
// It implements enode.LocalDB, whose method has no error result; failures are
// logged.
func (db *DB) StoreLocalSeq(id enode.ID, n uint64) {
	pdb := db.acquire()
	if pdb == nil {
		return
	}
	defer db.release()
	// Synced: reusing a sequence number after a crash would publish two
	// different records with the same seq.
	if err := pdb.Set(localSeqKey(id), encodeUint(n), pebble.Sync); err != nil {
		db.log.Warn("Failed to store local sequence number", "err", err)
	}
}
