package dial

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// Dynamic dials fill MaxDialPeers outbound slots and never more.
func TestDynamicSlotsFilled(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 5})
		var nodes []*enode.Node
		for i := range 20 {
			nodes = append(nodes, testNode(i))
		}
		fed := 0
		for _, n := range nodes {
			if !h.offer(n) {
				break
			}
			fed++
		}
		// Five slots: five candidates taken, the sixth is read from the
		// iterator but held back while no slot is free.
		if got := h.numPeers(); got != 5 {
			t.Fatalf("peers = %d, want 5", got)
		}
		if fed != 6 {
			t.Fatalf("candidates taken = %d, want 6 (5 dialed + 1 held by the reader)", fed)
		}
		if st := h.sched.Stats(); st.OutboundPeers != 5 || st.Dialing != 0 {
			t.Fatalf("stats = %+v", st)
		}
		if d := h.dials(); len(d) != 5 || !sameSet(d, ids(nodes[:5])) {
			t.Fatalf("dials = %d, want the first 5 candidates", len(d))
		}

		// A peer leaves: exactly one more dial, to the held candidate.
		h.removePeer(nodes[0], nil)
		if got := h.numPeers(); got != 5 {
			t.Fatalf("peers after churn = %d, want 5", got)
		}
		if d := h.dials(); len(d) != 6 || d[5] != nodes[5].ID() {
			t.Fatalf("dials after churn = %d, want 6 ending with the held candidate", len(d))
		}
		// The reader holds one more candidate, the next one waits.
		if !h.offer(nodes[6]) || h.offer(nodes[7]) {
			t.Fatal("reader does not stop at one held candidate")
		}
		if d := h.dials(); len(d) != 6 {
			t.Fatalf("dials = %d, want 6 while all slots are full", len(d))
		}
	})
}

// Hanging dials hold their slots until the dial timeout cuts them, and never
// more than MaxActiveDials run at once.
func TestDialTimeoutAndActiveLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 50})
		h.setDial(hangDial)
		i := 0
		for h.offer(testNode(i)) {
			i++
		}
		if st := h.sched.Stats(); st.Dialing != DefaultMaxActiveDials {
			t.Fatalf("dialing = %d, want %d", st.Dialing, DefaultMaxActiveDials)
		}
		// Every slot is busy, yet the scheduler keeps serving its API.
		static := testNode(1000)
		h.sched.AddStatic(static)
		h.sched.PeerAdded(testNode(2000), Inbound)
		h.settle()
		if st := h.sched.Stats(); st.Static != 1 || st.Peers != 1 {
			t.Fatalf("stats = %+v", st)
		}

		// Just before the timeout nothing has moved.
		h.run(DefaultDialTimeout-time.Second, time.Second)
		if n := len(h.eventsOf(EventDialDone)); n != 0 {
			t.Fatalf("%d dials ended before the timeout", n)
		}
		// At the timeout all are cut, as Unreachable; the static node is
		// dialed first in the freed slots.
		h.run(time.Second, time.Second)
		done := h.eventsOf(EventDialDone)
		if len(done) != DefaultMaxActiveDials {
			t.Fatalf("%d dials ended at the timeout, want %d", len(done), DefaultMaxActiveDials)
		}
		for _, ev := range done {
			if ev.Class != Unreachable || ev.Err == nil {
				t.Fatalf("timed out dial: class %v err %v", ev.Class, ev.Err)
			}
		}
		if len(h.dialsOf(static.ID())) != 1 {
			t.Fatal("static node not dialed after slots freed")
		}
		// Running now: the static node and the candidate the reader held.
		if st := h.sched.Stats(); st.Dialing != 2 || st.DynDialing != 1 || st.Remembered != DefaultMaxActiveDials {
			t.Fatalf("stats after timeout = %+v", st)
		}
	})
}

// Inbound peers, trusted or not, do not take dynamic slots.
func TestInboundNotCounted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 2})
		for i := range 10 {
			h.sched.PeerAdded(testNode(100+i), Inbound|Trusted*Flags(i%2))
		}
		h.feed(testNode(1), testNode(2))
		if got := h.numPeers(); got != 2 {
			t.Fatalf("dialed peers = %d, want 2", got)
		}
		if st := h.sched.Stats(); st.Peers != 12 || st.OutboundPeers != 2 {
			t.Fatalf("stats = %+v", st)
		}
	})
}

// MaxDialPeers 0 means no dynamic dials at all.
func TestNoDynamicSlots(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{})
		if h.offer(testNode(1)) && len(h.dials()) != 0 {
			t.Fatal("dialed with MaxDialPeers 0")
		}
		if len(h.dials()) != 0 {
			t.Fatal("dialed with MaxDialPeers 0")
		}
	})
}
