package nodedb

import (
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// Expiry, as in go-ethereum's node database: nodes not seen for a day are
// dropped, checked once an hour.
const (
	nodeExpiration   = 24 * time.Hour // a node unseen this long is removed
	expiryInterval   = time.Hour      // how often the expirer runs
	expiryBatchNodes = 256            // nodes deleted per batch commit
)

// expirer runs ExpireNodes every expiryInterval until Close. Open creates
// its timer before starting it, so the timer is scheduled by the time Open
// returns: a test stepping a simulated clock then sees a fixed set of timers
// instead of one that appears whenever this goroutine gets to run.
func (db *DB) expirer(timer mclock.ChanTimer) {
	defer db.wg.Done()
	defer timer.Stop()
	for {
		select {
		case <-timer.C():
			db.ExpireNodes()
			timer.Reset(expiryInterval)
		case <-db.quit:
			return
		}
	}
}

// ExpireNodes runs one expiry pass and returns the number of nodes removed.
// A node counts as seen at the latest of its timestamps: record stored, ping
// or pong received at any IP, peer session. The background expirer calls it
// hourly; tests call it directly or run a simulated clock.
func (db *DB) ExpireNodes() int {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	pdb := db.acquire()
	if pdb == nil {
		return 0
	}
	defer db.release()

	cutoff := db.clock.Wall().Add(-nodeExpiration).Unix()
	// Collect first, delete after: the iterator sees a consistent snapshot.
	var dead []enode.ID
	it, err := pdb.NewIter(&pebble.IterOptions{LowerBound: nodeSpaceStart, UpperBound: nodeSpaceEnd})
	if err != nil {
		db.log.Warn("Node expiry failed", "err", err)
		return 0
	}
	var (
		cur      enode.ID
		have     bool
		lastSeen int64
	)
	flush := func() {
		if have && lastSeen < cutoff {
			dead = append(dead, cur)
		}
	}
	for ok := it.First(); ok; ok = it.Next() {
		p, ok := parseNodeKey(it.Key())
		if !ok {
			continue // not written by this schema; left alone
		}
		if !have || p.id != cur {
			flush()
			cur, have, lastSeen = p.id, true, minTime
		}
		if isTimeField(p) {
			if t, ok := decodeTime(it.Value()); ok && t > lastSeen {
				lastSeen = t
			}
		}
	}
	flush()
	if err := it.Close(); err != nil {
		db.log.Warn("Node expiry failed", "err", err)
		return 0
	}

	removed := 0
	for len(dead) > 0 {
		chunk := dead[:min(len(dead), expiryBatchNodes)]
		dead = dead[len(chunk):]
		b := pdb.NewBatch()
		for _, id := range chunk {
			if err := db.deleteNode(pdb, b, id); err != nil {
				break
			}
		}
		err := b.Commit(pebble.NoSync)
		b.Close()
		if err != nil {
			db.log.Warn("Node expiry failed", "err", err)
			return removed
		}
		removed += len(chunk)
	}
	if removed > 0 {
		db.log.Debug("Expired nodes", "count", removed)
	}
	return removed
}

const minTime = -1 << 63

func isTimeField(p nodeKeyParts) bool {
	switch p.kind {
	case nodeFieldLen:
		return p.field == fieldUpdated || p.field == fieldPeerSuccess
	case ipFieldLen:
		return p.field == fieldPing || p.field == fieldPong
	}
	return false
}
