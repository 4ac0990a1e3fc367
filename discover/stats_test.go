package discover

import (
	"context"
	"testing"
	"testing/synctest"
	"time"
)

// TestLookupDone: the table tells LookupDone about every lookup, with the
// number of nodes it asked and its duration on the table's clock.
func TestLookupDone(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		type done struct {
			queried int
			took    time.Duration
		}
		dones := make(chan done, 16)
		tab, tr := newTestTable(t, Config{TableConfig: TableConfig{
			LookupDone: func(q int, d time.Duration) { dones <- done{q, d} },
		}})
		for i := range 40 {
			tr.known = append(tr.known, newNode(randomID(), ipFor(i)))
		}
		for _, n := range tr.known[:10] {
			tab.handleAdd(addOp{n: n})
		}
		tab.Start()
		defer tab.Close()
		time.Sleep(time.Minute) // let the start refresh finish
		synctest.Wait()
		for len(dones) > 0 {
			<-dones // the refresh's own lookups
		}

		target := randomID()
		l := tab.NewLookup(context.Background(), target, tr.queryFor(target))
		l.Run()
		select {
		case d := <-dones:
			if d.queried != l.Queried() || d.queried == 0 {
				t.Errorf("LookupDone got %d queried, lookup asked %d", d.queried, l.Queried())
			}
		default:
			t.Fatal("LookupDone was not called")
		}
		lens := tab.BucketLens()
		total := 0
		for _, n := range lens {
			total += n
		}
		if len(lens) != nBuckets || total != tab.Len() {
			t.Errorf("BucketLens %v (sum %d), table has %d", lens, total, tab.Len())
		}
	})
}

// TestPacketStats: counters by type and reason, with out-of-range types and
// reasons in their shared slots.
func TestPacketStats(t *testing.T) {
	var s PacketStats
	s.In(1)
	s.In(1)
	s.Out(3)
	s.In(200) // out of range: slot 0
	s.In(-1)
	s.Drop(DropExpired)
	s.Drop(DropReason(250)) // unknown: other
	if s.Received(1) != 2 || s.Sent(3) != 1 || s.Received(0) != 2 || s.Received(200) != 2 {
		t.Errorf("received %d/%d, sent %d", s.Received(1), s.Received(0), s.Sent(3))
	}
	if s.Dropped(DropExpired) != 1 || s.Dropped(DropOther) != 1 || s.Dropped(DropReason(250)) != 0 {
		t.Errorf("dropped expired %d other %d", s.Dropped(DropExpired), s.Dropped(DropOther))
	}
	for r := range NumDropReasons {
		if DropReason(r).String() == "" {
			t.Errorf("reason %d has no name", r)
		}
	}
}
