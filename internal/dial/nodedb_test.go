package dial

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/nodedb"
)

// nodedb.DB is the PeerMemory the Server passes.
var _ PeerMemory = (*nodedb.DB)(nil)

// Warm restart through the real node database: the peers of one run are the
// first dials of the next.
func TestWarmRestartNodeDB(t *testing.T) {
	// The database lives outside the synctest bubble: its background
	// goroutines are not the scheduler's.
	db, err := nodedb.Open(nodedb.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var first []*enode.Node
	for i := range 10 {
		first = append(first, testNode(100+i))
	}
	var cands []*enode.Node
	for i := range 30 {
		cands = append(cands, testNode(i))
	}

	// Run 1: connects to the ten, which are remembered when it stops.
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 10, DB: db})
		h.feed(first...)
		if h.numPeers() != 10 {
			t.Fatalf("run 1: %d peers", h.numPeers())
		}
		h.run(time.Minute, time.Minute)
		h.sched.Stop()
	})
	if got := db.GoodPeers(100); !sameSet(ids(got), ids(first)) {
		t.Fatalf("database holds %d good peers, want the 10 of run 1", len(got))
	}

	// Run 2: a new scheduler on the same database dials those ten first,
	// although candidates are waiting.
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 15, DB: db})
		go func() {
			for _, n := range cands {
				select {
				case h.iter.ch <- n:
				case <-h.iter.closed:
					return
				}
			}
		}()
		h.settle()
		d := h.dials()
		if len(d) != 15 {
			t.Fatalf("run 2: %d dials, want 15", len(d))
		}
		if !sameSet(d[:10], ids(first)) {
			t.Fatal("run 2: the first 10 dials are not the peers of run 1")
		}
		if slices.ContainsFunc(d[10:], func(id enode.ID) bool { return slices.Contains(ids(first), id) }) {
			t.Fatal("run 2: remembered peer dialed twice")
		}
	})
}
