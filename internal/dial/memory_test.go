package dial

import (
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// Warm restart: the remembered good peers are the first dials, before any
// discovery candidate.
func TestWarmRestart(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := new(fakeMemory)
		for i := range 10 {
			mem.good = append(mem.good, testNode(100+i))
		}
		// The iterator has candidates ready before the scheduler starts.
		var cands []*enode.Node
		for i := range 20 {
			cands = append(cands, testNode(i))
		}
		h := newHarness(t, Config{MaxDialPeers: 12, DB: mem})
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
		if len(d) != 12 {
			t.Fatalf("%d dials, want 12", len(d))
		}
		if !slices.Equal(d[:10], ids(mem.good)) {
			t.Fatal("the first 10 dials are not the remembered peers, in order")
		}
		for _, ev := range h.eventsOf(EventDial)[:10] {
			if ev.Reason != WhyWarm {
				t.Fatalf("warm dial reason %q", ev.Reason)
			}
		}
		if !sameSet(d[10:], ids(cands[:2])) {
			t.Fatal("the remaining slots did not go to candidates")
		}
	})
}

// Remembered peers pass the same checks as candidates (filter, backoff ...).
func TestWarmRestartFiltered(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := &fakeMemory{good: []*enode.Node{testNode(1), testNode(2), testNode(3)}}
		h := newHarness(t, Config{
			MaxDialPeers: 5,
			DB:           mem,
			Filter:       func(n *enode.Node) bool { return n.ID() != testNode(2).ID() },
		})
		h.settle()
		if d := h.dials(); !slices.Equal(d, ids([]*enode.Node{testNode(1), testNode(3)})) {
			t.Fatalf("warm dials %d", len(d))
		}
		if got := h.skipped(testNode(2).ID()); !slices.Equal(got, []string{SkipFilter}) {
			t.Fatalf("skips %v", got)
		}
	})
}

// Outbound sessions are remembered as soon as they are up, so a crash does
// not lose them, and again when they end well or last long; one that ends
// early with the peer to blame is forgotten and puts the node in backoff.
func TestSessionMemory(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mem := new(fakeMemory)
		h := newHarness(t, Config{MaxDialPeers: 10, DB: mem})
		var nodes []*enode.Node
		for i := range 6 {
			nodes = append(nodes, testNode(i))
		}
		h.feed(nodes...)
		inbound := testNode(50)
		h.sched.PeerAdded(inbound, Inbound)
		h.settle()
		if got := mem.savedIDs(); !sameSet(got, ids(nodes)) {
			t.Fatalf("remembered %d peers at session start, want the 6 dialed ones", len(got))
		}
		h.run(time.Minute, time.Minute)

		h.removePeer(nodes[0], nil)                      // ended well
		h.removePeer(nodes[1], classErr(Quitting))       // remote restarts: good
		h.removePeer(nodes[2], classErr(ProtocolBreach)) // breach after 1 min
		h.removePeer(nodes[3], errRefused)               // network, short session
		h.sched.PeerRemoved(inbound, Inbound, nil)       // inbound: not dialable
		h.settle()
		if got := mem.savedIDs()[6:]; !slices.Equal(got, ids(nodes[:2])) {
			t.Fatalf("remembered %d more peers at the end, want nodes 0 and 1", len(got))
		}
		if got := mem.forgotIDs(); !slices.Equal(got, ids(nodes[2:3])) {
			t.Fatalf("forgot %d peers, want node 2 (the breaker)", len(got))
		}
		// The breaker stays away long after the history expired.
		h.run(time.Hour, time.Minute)
		h.feed(nodes[2])
		if got := h.skipped(nodes[2].ID()); !slices.Equal(got, []string{SkipBackoff}) {
			t.Fatalf("breaker: skips %v", got)
		}

		// A long session counts whatever ended it (unless a breach).
		h.run(DefaultGoodSession, time.Minute)
		h.removePeer(nodes[4], classErr(TooManyPeers))
		if got := mem.savedIDs(); len(got) != 9 || got[8] != nodes[4].ID() {
			t.Fatalf("long session not remembered")
		}
		// Peers still connected when the scheduler stops are remembered.
		h.sched.Stop()
		if got := mem.savedIDs(); len(got) != 10 || got[9] != nodes[5].ID() {
			t.Fatalf("connected peer not remembered at Stop")
		}
	})
}
