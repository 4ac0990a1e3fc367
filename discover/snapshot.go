package discover

import (
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// TableEntry is a live entry of the table as Snapshot reports it, for
// status displays and the admin API.
type TableEntry struct {
	// Bucket is the index of the entry's bucket: 0 holds the log distances
	// up to 239, bucket i > 0 holds log distance 239+i.
	Bucket int
	Node   *enode.Node
	// LivenessChecks counts the revalidation pings the node answered
	// (failures divide it by three); 0 means it has not proven itself yet.
	LivenessChecks uint
	// Age is how long ago the node entered the live list.
	Age time.Duration
	// SinceContact is how long ago the node last answered a revalidation
	// ping or contacted us; Contacted is false when neither happened yet.
	SinceContact time.Duration
	Contacted    bool
}

// Snapshot returns the live entries, closest bucket first and, within a
// bucket, least recently contacted first. The entries are copies: the
// table goes on changing.
func (t *Table) Snapshot() []TableEntry {
	now := t.cfg.Clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]TableEntry, 0, t.count)
	for i, b := range t.buckets {
		for _, e := range b.entries {
			te := TableEntry{
				Bucket:         i,
				Node:           e.Node,
				LivenessChecks: e.livenessChecks,
				Age:            time.Duration(now - e.addedAt),
				Contacted:      e.contacted,
			}
			if e.contacted {
				te.SinceContact = time.Duration(now - e.lastContact)
			}
			out = append(out, te)
		}
	}
	return out
}
