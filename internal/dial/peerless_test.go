package dial

import (
	"slices"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// With no peer at all, the scheduler dials the bootnodes and calls
// OnPeerless instead of waiting; again while it lasts, and again after the
// last peer leaves.
func TestPeerlessFallback(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boot := []*enode.Node{testNode(900), testNode(901)}
		var hooks atomic.Int32
		h := newHarness(t, Config{
			MaxDialPeers: 5,
			Bootnodes:    boot,
			OnPeerless:   func() { hooks.Add(1) },
		})
		h.setDial(failDial)
		h.run(DefaultPeerlessDelay-time.Second, time.Second)
		if len(h.dials()) != 0 || hooks.Load() != 0 {
			t.Fatal("fallback before PeerlessDelay")
		}
		h.run(time.Second, time.Second)
		if d := h.dials(); !slices.Equal(d, ids(boot)) || hooks.Load() != 1 {
			t.Fatalf("after PeerlessDelay: %d dials, %d hook calls", len(d), hooks.Load())
		}
		for _, ev := range h.eventsOf(EventDial) {
			if ev.Reason != WhyBootnode {
				t.Fatalf("dial reason %q", ev.Reason)
			}
		}
		// Still peerless a minute later: again, despite the bootnodes'
		// failure backoff.
		h.run(peerlessRetryInterval, time.Second)
		if len(h.dials()) != 4 || hooks.Load() != 2 {
			t.Fatalf("retry: %d dials, %d hook calls", len(h.dials()), hooks.Load())
		}

		// A peer arrives: no more fallback.
		h.setDial(nil)
		n := testNode(1)
		h.feed(n)
		h.run(10*time.Minute, time.Second)
		if len(h.dials()) != 5 || hooks.Load() != 2 {
			t.Fatalf("fallback while connected: %d dials, %d hooks", len(h.dials()), hooks.Load())
		}
		// It leaves: the fallback runs PeerlessDelay later.
		h.removePeer(n, nil)
		h.run(DefaultPeerlessDelay, time.Second)
		if len(h.dials()) != 7 || hooks.Load() != 3 {
			t.Fatalf("after losing the last peer: %d dials, %d hooks", len(h.dials()), hooks.Load())
		}
		if st := h.sched.Stats(); st.Peers != 2 || st.Peerless {
			t.Fatalf("bootnodes not connected: %+v", st)
		}
	})
}

// A slow OnPeerless hook runs on its own goroutine: it never blocks the
// scheduler, never runs twice at once, and Stop waits for it.
func TestPeerlessHookSlow(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		release := make(chan struct{})
		var hooks atomic.Int32
		h := newHarness(t, Config{
			MaxDialPeers: 5,
			OnPeerless: func() {
				hooks.Add(1)
				<-release
			},
		})
		h.run(DefaultPeerlessDelay+3*peerlessRetryInterval, time.Second)
		if hooks.Load() != 1 {
			t.Fatalf("hook calls = %d, want 1 while the first runs", hooks.Load())
		}
		h.feed(testNode(1))
		if h.numPeers() != 1 {
			t.Fatal("scheduler blocked by the hook")
		}
		close(release)
	})
}
