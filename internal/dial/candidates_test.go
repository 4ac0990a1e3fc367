package dial

import (
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/netutil"
)

// The checks every candidate passes before a slot is spent: never ourselves,
// a connected peer, a node being dialed, a static node, a node outside
// NetRestrict or without endpoint, or one refused by the filter.
func TestCandidateChecks(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		self := testNode(0)
		inbound := testNode(1)
		hanging := testNode(2)
		static := testNode(3)
		outside := testNodeAt(4, netip.MustParseAddr("192.168.1.1"), 30303)
		noaddr := testNodeAt(5, netip.Addr{}, 0)
		noport := testNodeAt(6, netip.MustParseAddr("10.0.0.6"), 0)
		odd := testNode(7)
		good := testNode(8)
		h := newHarness(t, Config{
			Self:         self.ID(),
			MaxDialPeers: 10,
			NetRestrict:  netutil.MustParseNetlist("10.0.0.0/8"),
			Filter:       func(n *enode.Node) bool { return n.ID() != odd.ID() },
		})
		h.setDial(hangDial)
		h.sched.PeerAdded(inbound, Inbound)
		h.sched.AddStatic(static)
		h.feed(hanging, self, inbound, hanging, static, outside, noaddr, noport, odd, good)

		want := map[*enode.Node]string{
			self: SkipSelf, inbound: SkipConnected, hanging: SkipDialing, static: SkipStatic,
			outside: SkipRestricted, noaddr: SkipNoAddr, noport: SkipNoAddr, odd: SkipFilter,
		}
		for n, reason := range want {
			if got := h.skipped(n.ID()); !slices.Equal(got, []string{reason}) {
				t.Errorf("node %s: skips %v, want [%s]", short(n.ID()), got, reason)
			}
		}
		if d := h.dials(); !sameSet(d, ids([]*enode.Node{hanging, static, good})) {
			t.Errorf("dialed %d nodes, want hanging, static and good", len(d))
		}
		// The skipped candidates did not use a slot.
		if st := h.sched.Stats(); st.DynDialing != 2 {
			t.Errorf("dynamic dials running = %d, want 2", st.DynDialing)
		}

		// Static nodes: ourselves and restricted ones are refused at once.
		h.sched.AddStatic(self)
		h.sched.AddStatic(outside)
		h.settle()
		if st := h.sched.Stats(); st.Static != 1 {
			t.Errorf("static nodes = %d, want 1", st.Static)
		}
		if got := h.skipped(self.ID()); len(got) != 2 || got[1] != SkipSelf {
			t.Errorf("static self: skips %v", got)
		}
	})
}

// A dialed node is not dialed again until the dial history expires.
func TestHistoryExpiry(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 5})
		// AlreadyConnected has no backoff of its own: only the history counts.
		h.setSetup(func(*enode.Node) error { return classErr(AlreadyConnected) })
		n := testNode(1)
		h.feed(n)
		h.run(DefaultHistoryExpiration-time.Second, time.Second)
		h.feed(n)
		if got := h.skipped(n.ID()); !slices.Equal(got, []string{SkipRecent}) {
			t.Fatalf("skips before expiry: %v", got)
		}
		h.run(time.Second, time.Second)
		h.feed(n)
		if got := len(h.dialsOf(n.ID())); got != 2 {
			t.Fatalf("dials after expiry = %d, want 2", got)
		}
		if st := h.sched.Stats(); st.History != 1 {
			t.Fatalf("history size %d, want 1", st.History)
		}
		h.run(DefaultHistoryExpiration, time.Second)
		if st := h.sched.Stats(); st.History != 0 || st.Remembered != 0 {
			t.Fatalf("memory not emptied: %+v", st)
		}
	})
}

// Each failure class keeps a dynamic node away for its own backoff, doubling
// when it fails again.
func TestFailureClassBackoff(t *testing.T) {
	for c := Unreachable; c < numClasses; c++ {
		t.Run(c.String(), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				h := newHarness(t, Config{MaxDialPeers: 5})
				if c == Unreachable {
					h.setDial(failDial)
				} else {
					h.setSetup(func(*enode.Node) error { return classErr(c) })
				}
				n := testNode(1)
				for round := 1; round <= 2; round++ {
					h.feed(n)
					dials := len(h.dialsOf(n.ID()))
					if dials != round {
						t.Fatalf("round %d: %d dials", round, dials)
					}
					wait := max(Backoff(c, round), DefaultHistoryExpiration)
					h.clock.Run(wait - time.Second)
					h.feed(n)
					if got := len(h.dialsOf(n.ID())); got != round {
						t.Fatalf("round %d: redialed %v into a %v wait", round, wait-time.Second, wait)
					}
					h.clock.Run(time.Second)
				}
				if c != AlreadyConnected && c != NetworkError && Backoff(c, 2) != 2*Backoff(c, 1) {
					t.Fatalf("backoff does not double: %v, %v", Backoff(c, 1), Backoff(c, 2))
				}
			})
		})
	}
}

// The order of the class backoffs is the policy: a full node comes back
// soon, a protocol breaker last.
func TestBackoffPolicy(t *testing.T) {
	order := []FailureClass{TooManyPeers, Unreachable, HandshakeFailed, UselessPeer, ProtocolBreach}
	for i := 1; i < len(order); i++ {
		if Backoff(order[i-1], 1) >= Backoff(order[i], 1) {
			t.Errorf("Backoff(%v) = %v not below Backoff(%v) = %v",
				order[i-1], Backoff(order[i-1], 1), order[i], Backoff(order[i], 1))
		}
	}
	for c := NoFailure; c < numClasses; c++ {
		if b := Backoff(c, 100); b != classBackoff[c].max {
			t.Errorf("%v: Backoff after 100 failures = %v, want cap %v", c, b, classBackoff[c].max)
		}
		if s := staticBackoff(c, 100); s > staticBackoffMax {
			t.Errorf("%v: static backoff %v above its cap", c, s)
		}
	}
}
