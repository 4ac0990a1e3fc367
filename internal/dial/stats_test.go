package dial

import (
	"testing"
	"testing/synctest"
	"time"
)

// Stats.BackingOff counts the nodes that wait out a backoff: failed dynamic
// candidates and failed static nodes, each only until its backoff ends,
// although the failure record is remembered longer.
func TestStatsBackingOff(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 5})
		h.setDial(failDial)
		dyn, static := testNode(1), testNode(2)
		h.feed(dyn)
		h.sched.AddStatic(static)
		h.settle()
		st := h.sched.Stats()
		if st.BackingOff != 2 || st.Remembered != 1 || st.Dialing != 0 {
			t.Fatalf("after two failed dials: %+v, want 2 backing off (1 remembered)", st)
		}
		// The static backoff (5 s) ends first, then the dynamic one.
		h.run(staticBackoff(Unreachable, 1), time.Second)
		if st := h.sched.Stats(); st.BackingOff != 1 {
			t.Fatalf("after the static backoff: %d backing off, want 1", st.BackingOff)
		}
		h.run(Backoff(Unreachable, 1), time.Second)
		if st := h.sched.Stats(); st.BackingOff != 1 || st.Remembered != 1 {
			// The static node was redialed (history 35 s) and failed again.
			t.Fatalf("after the dynamic backoff: %+v, want the static node only", st)
		}
	})
}
