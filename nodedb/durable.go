package nodedb

import (
	"time"

	"github.com/cockroachdb/pebble/v2"

	"github.com/devp2p-go/devp2p/enode"
)

// Peer successes are the warm-restart list, and a node that crashes (or is
// killed) must still find its peers when it starts again. Writes are not
// synced one by one (apply), so after recording a success the database asks
// its syncer to sync the write-ahead log: a burst of successes shares one
// sync, and syncs are at least peerSyncSpacing apart, so a churn of peer
// sessions cannot turn into a storm of fsyncs.
const peerSyncSpacing = 200 * time.Millisecond

// requestSync asks for the log to be synced soon. Without a syncer (a
// database opened without background work) it syncs at once.
func (db *DB) requestSync() {
	if db.syncReq == nil {
		db.syncLog()
		return
	}
	select {
	case db.syncReq <- struct{}{}:
	default: // a sync is pending already and will cover this write
	}
}

// syncer syncs the log when asked, until Close. Spacing uses the wall
// clock: it paces disk work, not protocol time.
func (db *DB) syncer() {
	defer db.wg.Done()
	for {
		select {
		case <-db.syncReq:
		case <-db.quit:
			return // Close syncs the log
		}
		db.syncLog()
		pause := time.NewTimer(peerSyncSpacing)
		select {
		case <-pause.C:
		case <-db.quit:
			pause.Stop()
			return
		}
	}
}

// syncLog makes every write so far durable.
func (db *DB) syncLog() {
	pdb := db.acquire()
	if pdb == nil {
		return
	}
	defer db.release()
	if err := pdb.LogData(nil, pebble.Sync); err != nil {
		db.log.Warn("Node database sync failed", "err", err)
		return
	}
	db.log.Debug("Node database synced peer successes")
}

// ForgetPeerSuccess removes n from the good peers, when a session that was
// recorded at its start ended with the peer to blame.
func (db *DB) ForgetPeerSuccess(id enode.ID) error {
	db.writeMu.Lock()
	defer db.writeMu.Unlock()
	return db.apply(func(pdb *pebble.DB, b *pebble.Batch) error {
		v, ok := db.read(pdb, nodeFieldKey(id, fieldPeerSuccess))
		if !ok {
			return nil
		}
		if t, ok := decodeTime(v); ok {
			if err := b.Delete(goodKey(t, id), nil); err != nil {
				return err
			}
		}
		return b.Delete(nodeFieldKey(id, fieldPeerSuccess), nil)
	})
}
