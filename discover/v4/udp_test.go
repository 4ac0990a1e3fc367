package v4

import (
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

func TestPingPong(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(2), Config{})
		defer a.Close()
		defer b.Close()

		if err := a.Ping(t.Context(), b.Self()); err != nil {
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
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(2), Config{})
		defer a.Close()
		bn := b.Self()
		b.Close()
		start := time.Now()
		if err := a.Ping(t.Context(), bn); err != errTimeout {
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
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(2), Config{})
		defer a.Close()
		defer b.Close()

		rec, err := a.RequestENR(t.Context(), b.Self())
		if err != nil {
			t.Fatalf("RequestENR: %v", err)
		}
		if rec.ID() != b.Self().ID() || rec.Seq() != b.Self().Seq() {
			t.Fatalf("wrong record: %v", rec)
		}
	})
}

// TestEndpointPrediction: the endpoint that peers report in their packets
// becomes the address in our record once enough hosts agree.
func TestEndpointPrediction(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		real := testnet.PublicAddr(1)
		key := testnet.NewKey(t)
		conn, _ := nw.Listen(real)
		ln := enode.NewLocalNode(nil, key)
		ln.SetFallbackIP(net.IP{11, 99, 0, 1}) // wrong guess
		ln.SetFallbackUDP(int(real.Port()))
		a, err := ListenV4(conn, ln, Config{PrivateKey: key})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		if a.Self().IPAddr() == real.Addr() {
			t.Fatal("record already has the real IP")
		}
		for i := range 12 {
			p := newRawPeer(t, nw, testnet.PublicAddr(10+i))
			p.send(real, &v4wire.Ping{Version: 4, From: v4wire.NewEndpoint(p.conn.AddrPort(), 0), To: v4wire.NewEndpoint(real, 0), Expiration: future()})
			synctest.Wait()
			p.close()
		}
		if got := a.Self().IPAddr(); got != real.Addr() {
			t.Fatalf("record IP %v, want the reported %v", got, real.Addr())
		}
	})
}

// TestResolve: Resolve returns the newest record of a node, asking the node
// itself.
func TestResolve(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(2), Config{})
		defer a.Close()
		defer b.Close()
		old := b.Self()
		b.localNode.Set(enr.TCP(30304)) // new record, higher seq
		if got := a.Resolve(t.Context(), old); got.Seq() <= old.Seq() || got.TCP() != 30304 {
			t.Fatalf("resolve returned seq %d (tcp %d), want the newer record", got.Seq(), got.TCP())
		}
		// An unreachable node resolves to itself.
		b.Close()
		if got := a.Resolve(t.Context(), old); got != old {
			t.Fatal("resolve of an unreachable node did not return the input")
		}
	})
}
