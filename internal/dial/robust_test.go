package dial

import (
	"errors"
	"strings"
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// A Server that reports PeerAdded only after SetupFunc returned must not
// make the scheduler overfill its slots: the peer counts from the moment
// setup succeeded, and a late PeerAdded or PeerRemoved is booked once.
func TestLatePeerAdded(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 2})
		h.mu.Lock()
		h.lateAdd = true
		h.mu.Unlock()
		a, b, c := testNode(1), testNode(2), testNode(3)
		h.feed(a, b)
		if h.offer(c); len(h.dials()) != 2 {
			t.Fatalf("%d dials, want 2 (slots overfilled)", len(h.dials()))
		}
		h.sched.PeerAdded(a, DynDialed)
		h.sched.PeerAdded(b, DynDialed)
		h.settle()
		if st := h.sched.Stats(); st.Peers != 2 || st.OutboundPeers != 2 || st.Dialing != 0 {
			t.Fatalf("stats = %+v", st)
		}
		h.removePeer(a, nil)
		if st := h.sched.Stats(); st.Peers != 2 || st.OutboundPeers != 2 {
			t.Fatalf("after churn: %+v (the held candidate should be connected)", st)
		}
	})
}

// A peer added and removed while its dial task is still finishing is not
// counted again when the task reports success.
func TestPeerGoneBeforeTaskDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 2})
		var sched *Scheduler
		h.setSetup(func(n *enode.Node) error {
			// Added and removed during setup, as when the session dies at once.
			sched.PeerAdded(n, DynDialed)
			sched.PeerRemoved(n, DynDialed, errors.New("reset"))
			return nil
		})
		h.mu.Lock()
		h.lateAdd = true // no second PeerAdded from the harness
		h.mu.Unlock()
		sched = h.sched
		h.feed(testNode(1))
		if st := h.sched.Stats(); st.Peers != 0 || st.OutboundPeers != 0 {
			t.Fatalf("stats = %+v", st)
		}
		if done := h.eventsOf(EventDialDone); len(done) != 1 || done[0].Err != nil {
			t.Fatalf("dial not reported as a success: %v", done)
		}
	})
}

func TestEventString(t *testing.T) {
	id := testNode(1).ID()
	tests := []struct {
		ev   Event
		want string
	}{
		{Event{Kind: EventDial, ID: id, Reason: WhyStatic}, "dial " + id.TerminalString() + " because static"},
		{Event{Kind: EventSkip, ID: id, Reason: SkipRecent}, "skip " + id.TerminalString() + ": recent"},
		{Event{Kind: EventDialDone, ID: id}, "done " + id.TerminalString() + ": ok"},
		{Event{Kind: EventDialDone, ID: id, Class: TooManyPeers, Err: classErr(TooManyPeers)}, "too-many-peers"},
		{Event{Kind: EventResolve, ID: id, Reason: "found"}, "resolve " + id.TerminalString() + ": found"},
		{Event{Kind: EventPeerless}, "peerless"},
		{Event{}, "unknown event"},
	}
	for _, tt := range tests {
		if got := tt.ev.String(); !strings.Contains(got, tt.want) {
			t.Errorf("%+v: %q, want %q", tt.ev, got, tt.want)
		}
	}
	de := &dialError{cause: errDialTimeout, err: errRefused}
	if !errors.Is(de, errDialTimeout) || !errors.Is(de, errRefused) || !strings.Contains(de.Error(), "dial timeout") {
		t.Errorf("dialError %v", de)
	}
}

// Clearing and re-recording nodes leaves stale heap items; they are
// compacted away so the heap stays proportional to the live records.
func TestFailureMemoryCompaction(t *testing.T) {
	fm := newFailureMemory(1000)
	id := testNode(1).ID()
	for range 10_000 {
		fm.record(id, TooManyPeers, 0)
		fm.clear(id)
		fm.expire(0)
	}
	if len(fm.h) > 2*fm.len()+64 {
		t.Fatalf("heap holds %d items for %d records", len(fm.h), fm.len())
	}
	fm.record(id, Unreachable, 0)
	if fm.blocked(id, mclock.AbsTime(0).Add(Backoff(Unreachable, 1)-1)) == nil {
		t.Fatal("record lost by compaction")
	}
	if Backoff(FailureClass(99), 1) != Backoff(HandshakeFailed, 1) {
		t.Fatal("unknown class not treated as a handshake failure")
	}
}
