package v4

import (
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover/memnet"
)

func TestPingPong(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, publicAddr(1), Config{})
		b := startNode(t, nw, publicAddr(2), Config{})
		defer a.Close()
		defer b.Close()

		if err := a.Ping(b.Self()); err != nil {
			t.Fatalf("ping: %v", err)
		}
		synctest.Wait()
		// Both proved their endpoints to each other, so each entered the
		// other's table.
		if a.tab.Node(b.Self().ID()) == nil {
			t.Error("b not in a's table")
		}
		if b.tab.Node(a.Self().ID()) == nil {
			t.Error("a not in b's table")
		}
	})
}

func TestPingTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, publicAddr(1), Config{})
		b := startNode(t, nw, publicAddr(2), Config{})
		defer a.Close()
		bn := b.Self()
		b.Close()
		start := time.Now()
		if err := a.Ping(bn); err != errTimeout {
			t.Fatalf("ping to closed node: %v", err)
		}
		if d := time.Since(start); d != respTimeout {
			t.Errorf("timeout after %v, want %v", d, respTimeout)
		}
	})
}

func TestRequestENR(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, publicAddr(1), Config{})
		b := startNode(t, nw, publicAddr(2), Config{})
		defer a.Close()
		defer b.Close()

		rec, err := a.RequestENR(b.Self())
		if err != nil {
			t.Fatalf("RequestENR: %v", err)
		}
		if rec.ID() != b.Self().ID() || rec.Seq() != b.Self().Seq() {
			t.Fatalf("wrong record: %v", rec)
		}
	})
}
