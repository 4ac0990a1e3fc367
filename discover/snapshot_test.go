package discover

import (
	"testing"
	"testing/synctest"
	"time"
)

// TestSnapshot: entries carry their bucket, liveness and last contact, and
// the contact times follow revalidation and inbound contact.
func TestSnapshot(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		self := tr.self.ID()
		checked := nodeAtDistance(self, 256, ipFor(1))
		inbound := nodeAtDistance(self, 250, ipFor(2))
		tab.handleAdd(addOp{n: checked})
		tab.handleAdd(addOp{n: inbound})
		if s := tab.Snapshot(); len(s) != 2 || s[0].Contacted || s[1].Contacted {
			t.Fatalf("fresh entries: %+v", s)
		}
		tab.handleAdd(addOp{n: inbound, inbound: true})
		for _, e := range tab.Snapshot() {
			if want := e.Node.ID() == inbound.ID(); e.Contacted != want || e.SinceContact != 0 {
				t.Fatalf("after inbound contact: %+v", e)
			}
		}
		tr.setDead(inbound.ID(), true)
		tab.Start()
		defer tab.Close()
		time.Sleep(DefaultNewNodeCheck + time.Second)
		synctest.Wait()
		byID := make(map[string]TableEntry)
		for _, e := range tab.Snapshot() {
			byID[e.Node.ID().String()] = e
		}
		c := byID[checked.ID().String()]
		if c.Bucket != 16 || c.LivenessChecks != 1 || !c.Contacted || c.SinceContact > DefaultNewNodeCheck+time.Second {
			t.Errorf("revalidated entry: %+v", c)
		}
		if c.Age != DefaultNewNodeCheck+time.Second {
			t.Errorf("age %v, want %v", c.Age, DefaultNewNodeCheck+time.Second)
		}
		// Never proven, the dead node goes on its first failed check.
		if _, ok := byID[inbound.ID().String()]; ok {
			t.Errorf("dead unproven entry still in the table")
		}
	})
}
