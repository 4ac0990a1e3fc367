package v4

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// TestFindnodeShortAnswer: a node that knows fewer than k nodes answers in
// one packet that is not full, and the query ends with that packet instead
// of waiting out respTimeout for nodes that never come. (Lookups in a
// 200-node network spent half a second on each such answer.)
func TestFindnodeShortAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw, a, b := startPair(t)
		for i := range 3 {
			c := startNode(t, nw, testnet.PublicAddr(10+i), Config{})
			defer c.Close()
			if err := c.Ping(t.Context(), b.Self()); err != nil {
				t.Fatal(err)
			}
		}
		synctest.Wait()
		if n := b.tab.Len(); n != 3 {
			t.Fatalf("b's table holds %d nodes, want 3", n)
		}

		start := time.Now()
		nodes, err := a.query(t.Context(), b.Self(), v4wire.EncodePubkey(&a.priv.PublicKey))
		if err != nil {
			t.Fatalf("query: %v", err)
		}
		if len(nodes) < 3 {
			t.Errorf("got %d nodes, want b's 3 (and maybe a)", len(nodes))
		}
		if d := time.Since(start); d >= respTimeout {
			t.Errorf("query took %v (simulated): it waited for the rest of a complete answer", d)
		}
	})
}

// TestFindnodeRebondsAfterLostProof: when a bonded node restarts without a
// database it has lost our endpoint proof and drops our findnode; our next
// query pings it again instead of trusting its old ping for a day.
func TestFindnodeRebondsAfterLostProof(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer a.Close()
		bkey := testnet.NewKey(t)
		b := startNode(t, nw, testnet.PublicAddr(2), Config{PrivateKey: bkey})
		defer func() { b.Close() }()
		target := v4wire.EncodePubkey(&a.priv.PublicKey)
		if _, err := a.query(t.Context(), b.Self(), target); err != nil {
			t.Fatalf("first query: %v", err)
		}
		bn := b.Self()
		b.Close()
		b = startNode(t, nw, testnet.PublicAddr(2), Config{PrivateKey: bkey})

		// b has no proof of a's endpoint now: this findnode goes unanswered.
		if _, err := a.query(t.Context(), bn, target); err != errTimeout {
			t.Fatalf("query to the restarted node: err %v, want %v", err, errTimeout)
		}
		// The next one bonds again: its findnode, sent right after the
		// pong, is dropped too unless b's ping back came first, and is
		// sent again once b pings back.
		start := time.Now()
		if _, err := a.query(t.Context(), bn, target); err != nil {
			t.Fatalf("query after the timeout: %v", err)
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("query after the timeout took %v (simulated), want no wait", d)
		}
	})
}

// TestFindnodeDoubtEnds: a bonded node that leaves one findnode unanswered
// (it was busy; it kept our proof) is pinged once before the next query,
// which does not wait for a ping back that does not come; once it answers,
// the bond is trusted again.
func TestFindnodeDoubtEnds(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw, a, b := startPair(t)
		target := v4wire.EncodePubkey(&a.priv.PublicKey)
		if _, err := a.query(t.Context(), b.Self(), target); err != nil {
			t.Fatalf("first query: %v", err)
		}
		nw.SetFilter(func(_, _ netip.AddrPort, p []byte) bool {
			return len(p) < 98 || p[97] != v4wire.FindnodePacket
		})
		if _, err := a.query(t.Context(), b.Self(), target); err != errTimeout {
			t.Fatalf("query with the findnode lost: err %v, want %v", err, errTimeout)
		}
		nw.SetFilter(nil)
		bid, bip := b.Self().ID(), b.Self().IPAddr()
		if !a.bonds.doubted(bid, bip) {
			t.Fatal("bond not in doubt after the unanswered findnode")
		}
		pings := b.stats.Received(v4wire.PingPacket)
		start := time.Now()
		if _, err := a.query(t.Context(), b.Self(), target); err != nil {
			t.Fatalf("query after the timeout: %v", err)
		}
		if b.stats.Received(v4wire.PingPacket) == pings {
			t.Error("query after the timeout did not ping")
		}
		if d := time.Since(start); d != 0 {
			t.Errorf("query after the timeout took %v (simulated), want no wait", d)
		}
		if a.bonds.doubted(bid, bip) || !a.bonds.pingedRecently(bid, bip) {
			t.Error("bond still in doubt after the answer")
		}
	})
}

// TestQuerySilentNode: a lookup step to a node that does not answer our
// ping fails after one reply timeout, without a findnode that would wait
// for a second one.
func TestQuerySilentNode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(2), Config{})
		defer a.Close()
		bn := b.Self()
		b.Close()
		start := time.Now()
		if _, err := a.query(t.Context(), bn, v4wire.EncodePubkey(&a.priv.PublicKey)); err != errTimeout {
			t.Fatalf("query: err %v, want %v", err, errTimeout)
		}
		if d := time.Since(start); d != respTimeout {
			t.Errorf("query failed after %v (simulated), want %v", d, respTimeout)
		}
		if n := a.stats.Sent(v4wire.FindnodePacket); n != 0 {
			t.Errorf("sent %d findnodes to a node that did not answer our ping", n)
		}
	})
}

// startPair starts two engines at public addresses on a new in-memory
// network; they close when the test ends.
func startPair(t *testing.T) (nw *memnet.Network, a, b *UDPv4) {
	t.Helper()
	nw = memnet.New()
	a = startNode(t, nw, testnet.PublicAddr(1), Config{})
	b = startNode(t, nw, testnet.PublicAddr(2), Config{})
	t.Cleanup(func() { b.Close(); a.Close() })
	return nw, a, b
}
