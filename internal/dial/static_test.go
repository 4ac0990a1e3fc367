package dial

import (
	"context"
	"net"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// dialGaps returns the time between consecutive dials of id.
func (h *harness) dialGaps(id enode.ID) []time.Duration {
	var gaps []time.Duration
	evs := h.dialsOf(id)
	for i := 1; i < len(evs); i++ {
		gaps = append(gaps, evs[i].Time.Sub(evs[i-1].Time))
	}
	return gaps
}

// A static node that keeps failing is redialed with a capped exponential
// backoff (and never faster than the dial history allows).
func TestStaticRedialBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{})
		h.setDial(failDial)
		n := testNode(1)
		h.sched.AddStatic(n)
		h.run(30*time.Minute, time.Second)

		gaps := h.dialGaps(n.ID())
		if len(gaps) < 8 {
			t.Fatalf("only %d redials in 30 min", len(gaps))
		}
		for i, gap := range gaps {
			want := max(DefaultHistoryExpiration, staticBackoff(Unreachable, i+1))
			if gap != want {
				t.Fatalf("gap %d = %v, want %v (all gaps %v)", i, gap, want, gaps)
			}
		}
		if last := gaps[len(gaps)-1]; last != staticBackoffMax {
			t.Fatalf("backoff not capped at %v: %v", staticBackoffMax, last)
		}

		// Now it comes up: connected at the next dial.
		h.setDial(nil)
		h.run(staticBackoffMax, time.Second)
		if h.numPeers() != 1 {
			t.Fatal("static node not connected")
		}
		// A long, good session ends: redialed at once, backoff reset.
		h.run(10*time.Minute, time.Minute)
		before := len(h.dialsOf(n.ID()))
		h.removePeer(n, nil)
		if got := len(h.dialsOf(n.ID())); got != before+1 {
			t.Fatalf("not redialed at once after a good session (%d → %d dials)", before, got)
		}
		if h.numPeers() != 1 {
			t.Fatal("static node not reconnected")
		}
		// A short session ending in a protocol breach: the redial waits for
		// the history and the static backoff, never for the 12 h breach
		// backoff of dynamic nodes.
		h.run(time.Second, time.Second)
		h.removePeer(n, classErr(ProtocolBreach))
		h.run(DefaultHistoryExpiration-2*time.Second, time.Second)
		if got := len(h.dialsOf(n.ID())); got != before+1 {
			t.Fatal("redialed during dial history after a short session")
		}
		h.run(2*time.Second, time.Second)
		if got := len(h.dialsOf(n.ID())); got != before+2 {
			t.Fatal("static node not redialed after breach backoff")
		}
	})
}

// fakeResolver answers lookups from a function and records when it was asked.
type fakeResolver struct {
	clock *mclock.Simulated
	mu    sync.Mutex
	calls []mclock.AbsTime
	fn    func(*enode.Node) *enode.Node
}

func (r *fakeResolver) Resolve(ctx context.Context, n *enode.Node) *enode.Node {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls = append(r.calls, r.clock.Now())
	return r.fn(n)
}

func (r *fakeResolver) times() []mclock.AbsTime {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]mclock.AbsTime(nil), r.calls...)
}

// A failed dial of a static node looks up its current endpoint and dials
// that; later dials go to the new endpoint directly.
func TestStaticResolveOnFailure(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		oldNode := testNodeAt(1, netip.MustParseAddr("10.0.0.1"), 30303)
		newNode := testNodeAt(1, netip.MustParseAddr("10.9.9.9"), 30304)
		res := &fakeResolver{fn: func(*enode.Node) *enode.Node { return newNode }}
		h := newHarness(t, Config{Resolver: res})
		res.clock = h.clock
		var endpoints []netip.AddrPort
		var mu sync.Mutex
		h.setDial(func(ctx context.Context, n *enode.Node) (net.Conn, error) {
			ep, _ := n.TCPEndpoint()
			mu.Lock()
			endpoints = append(endpoints, ep)
			mu.Unlock()
			if ep.Addr() == oldNode.IPAddr() {
				return nil, errRefused
			}
			a, b := net.Pipe()
			b.Close()
			return a, nil
		})
		h.sched.AddStatic(oldNode)
		h.settle()
		if h.numPeers() != 1 {
			t.Fatal("not connected after resolving")
		}
		if len(res.times()) != 1 || len(endpoints) != 2 || endpoints[1].Port() != 30304 {
			t.Fatalf("resolves %d, endpoints dialed %v", len(res.times()), endpoints)
		}
		if evs := h.eventsOf(EventResolve); len(evs) != 1 || evs[0].Reason != "found" {
			t.Fatalf("resolve events %v", evs)
		}
		// The redial after a disconnect goes to the new endpoint.
		h.run(time.Hour, time.Minute)
		h.removePeer(newNode, nil)
		if len(endpoints) != 3 || endpoints[2].Port() != 30304 {
			t.Fatalf("endpoints dialed %v", endpoints)
		}
	})
}

// A static node discovery cannot find is looked up again only after a
// backoff of 60 s, doubling up to 1 h.
func TestStaticResolveBackoff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		res := &fakeResolver{fn: func(*enode.Node) *enode.Node { return nil }}
		h := newHarness(t, Config{Resolver: res})
		res.clock = h.clock
		h.setDial(failDial)
		n := testNode(1)
		h.sched.AddStatic(n)
		h.run(6*time.Hour, 5*time.Second)

		calls := res.times()
		if len(calls) < 6 {
			t.Fatalf("only %d resolves", len(calls))
		}
		delay := initialResolveDelay
		for i := 1; i < len(calls); i++ {
			gap := calls[i].Sub(calls[i-1])
			// The lookup runs at the first dial after the backoff, and dials
			// are at most staticBackoffMax apart.
			if gap < delay || gap > delay+staticBackoffMax {
				t.Fatalf("resolve gap %d = %v, want in [%v, %v]", i, gap, delay, delay+staticBackoffMax)
			}
			delay = min(2*delay, maxResolveDelay)
		}
		if delay != maxResolveDelay {
			t.Fatalf("resolve backoff did not reach its cap (%v)", delay)
		}
		if len(h.dialsOf(n.ID())) <= len(calls) {
			t.Fatal("every dial resolved; the backoff is not applied")
		}
	})
}

// A static node without an endpoint is resolved before its first dial.
func TestStaticResolveFirst(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		found := testNode(1)
		res := &fakeResolver{fn: func(*enode.Node) *enode.Node { return found }}
		h := newHarness(t, Config{Resolver: res})
		res.clock = h.clock
		h.sched.AddStatic(testNodeAt(1, netip.Addr{}, 0))
		h.settle()
		if h.numPeers() != 1 || len(res.times()) != 1 {
			t.Fatalf("peers %d resolves %d", h.numPeers(), len(res.times()))
		}
	})
}

// RemoveStatic stops the redials, and cancels a running dial.
func TestRemoveStatic(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{})
		n := testNode(1)
		h.sched.AddStatic(n)
		h.settle()
		if h.numPeers() != 1 {
			t.Fatal("static node not connected")
		}
		h.sched.RemoveStatic(n)
		h.removePeer(n, classErr(Requested))
		h.run(3*time.Hour, time.Minute)
		if got := len(h.dialsOf(n.ID())); got != 1 {
			t.Fatalf("%d dials after RemoveStatic, want the first one only", got)
		}

		// A dial that hangs is cancelled by RemoveStatic, not by the timeout.
		m := testNode(2)
		h.setDial(hangDial)
		h.sched.AddStatic(m)
		h.settle()
		if h.sched.Stats().Dialing != 1 {
			t.Fatal("static dial not running")
		}
		h.sched.RemoveStatic(m)
		h.settle()
		if st := h.sched.Stats(); st.Dialing != 0 || st.Static != 0 || st.Remembered != 0 {
			t.Fatalf("stats after RemoveStatic = %+v", st)
		}
		h.run(time.Hour, time.Minute)
		if got := len(h.dialsOf(m.ID())); got != 1 {
			t.Fatalf("%d dials after RemoveStatic, want 1", got)
		}
	})
}
