package devp2p

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/rlpx"
)

// waitVerdict returns the next verdict that is not an allowed one.
func waitRefusal(t testing.TB, ch <-chan *Verdict) *Verdict {
	t.Helper()
	timeout := time.After(testWait)
	for {
		select {
		case v := <-ch:
			if !v.Allowed {
				return v
			}
		case <-timeout:
			t.Fatal("timeout waiting for a refusal verdict")
		}
	}
}

func subscribeVerdicts(t testing.TB, srv *Server) chan *Verdict {
	ch := make(chan *Verdict, 32)
	sub := srv.SubscribeVerdicts(ch)
	t.Cleanup(sub.Unsubscribe)
	return ch
}

// TestGateRefusesByNodeID: the application's gate refuses one node after the
// RLPx handshake; the remote receives the reason, and the verdict names the
// stage, the reason and the node.
func TestGateRefusesByNodeID(t *testing.T) {
	bad := newKey(t)
	badID := enode.PubkeyToIDV4(&bad.PublicKey)
	srv := newTestServer(t, func(c *Config) {
		c.Gate = GateFuncs{Secured: func(inbound bool, id enode.ID, _ net.Addr) error {
			if id == badID {
				return DiscUselessPeer
			}
			return nil
		}}
	})
	verdicts := subscribeVerdicts(t, srv)

	good := dialRaw(t, srv, nil)
	good.connect()
	rp := dialRaw(t, srv, bad)
	rp.expectDisc(DiscUselessPeer)

	v := waitRefusal(t, verdicts)
	if v.Stage != StageSecured || v.Reason != DiscUselessPeer || v.ID != badID || !v.Inbound {
		t.Fatalf("verdict %+v, want stage secured, reason %v, id %v, inbound", v, DiscUselessPeer, badID)
	}
	if err := <-rp.setup; !errors.Is(err, DiscUselessPeer) {
		t.Fatalf("SetupConn: %v, want %v", err, DiscUselessPeer)
	}
	rp.setup <- nil
	if n := srv.PeerCount(); n != 1 {
		t.Fatalf("%d peers, want the good one only", n)
	}
}

// TestGateRefusesByClientName: the gate refuses a client by the name it
// announces in Hello.
func TestGateRefusesByClientName(t *testing.T) {
	srv := newTestServer(t, func(c *Config) {
		c.Gate = GateFuncs{Hello: func(_ enode.ID, name string, _ []Cap) error {
			if name == "evil" {
				return DiscTooManyPeers
			}
			return nil
		}}
	})
	verdicts := subscribeVerdicts(t, srv)

	rp := dialRaw(t, srv, nil)
	h := rp.hello(Cap{"test", 1})
	h.Name = "evil"
	rp.handshake(h)
	rp.expectDisc(DiscTooManyPeers)

	v := waitRefusal(t, verdicts)
	if v.Stage != StageHello || v.Reason != DiscTooManyPeers || v.ID != rp.node().ID() {
		t.Fatalf("verdict %+v, want stage hello, reason %v, id %v", v, DiscTooManyPeers, rp.node().ID())
	}
	if n := srv.PeerCount(); n != 0 {
		t.Fatalf("%d peers, want none", n)
	}
}

// TestGateRefusesByAddress: the gate refuses an address as soon as the
// listener accepted it; nothing is sent, and the verdict carries the
// address and the stage.
func TestGateRefusesByAddress(t *testing.T) {
	refused := make(chan net.Addr, 1)
	srv := newTestServer(t, func(c *Config) {
		c.ListenAddr = "127.0.0.1:0"
		c.NoDiscovery = true
		c.Gate = GateFuncs{Accept: func(remote net.Addr) error {
			if remote.(*net.TCPAddr).IP.IsLoopback() {
				refused <- remote
				return errors.New("loopback not wanted") // no DiscReason: DiscUselessPeer
			}
			return nil
		}}
	})
	verdicts := subscribeVerdicts(t, srv)

	fd, err := net.Dial("tcp", srv.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	// The server closes the connection before the handshake can start.
	conn := rlpx.NewConn(fd, &srv.cfg.PrivateKey.PublicKey)
	fd.SetDeadline(time.Now().Add(testWait))
	if _, err := conn.Handshake(newKey(t)); err == nil {
		t.Fatal("RLPx handshake succeeded on a refused connection")
	}
	v := waitRefusal(t, verdicts)
	if v.Stage != StageAccept || v.Reason != DiscUselessPeer || v.ID != (enode.ID{}) {
		t.Fatalf("verdict %+v, want stage accept, reason %v, no ID", v, DiscUselessPeer)
	}
	if v.Addr.String() != fd.LocalAddr().String() || (<-refused).String() != fd.LocalAddr().String() {
		t.Fatalf("verdict address %v, want the client's %v", v.Addr, fd.LocalAddr())
	}
}

// TestServerLimitsAreVerdicts: the server's own limits (here MaxPeers)
// report verdicts the same way, with the stage they decided at; a
// connection that gets through is allowed at both stages.
func TestServerLimitsAreVerdicts(t *testing.T) {
	srv := newTestServer(t, func(c *Config) { c.MaxPeers = 1 })
	first := dialRaw(t, srv, nil)
	first.connect()
	verdicts := subscribeVerdicts(t, srv)

	rp := dialRaw(t, srv, nil)
	rp.expectDisc(DiscTooManyPeers)
	v := waitRefusal(t, verdicts)
	if v.Stage != StageSecured || v.Reason != DiscTooManyPeers || !errors.Is(v.Err, DiscTooManyPeers) {
		t.Fatalf("verdict %+v, want stage secured, reason %v", v, DiscTooManyPeers)
	}

	trusted := newKey(t)
	srv.AddTrustedPeer(enode.NewV4(&trusted.PublicKey, nil, 0, 0))
	ok := dialRaw(t, srv, trusted)
	ok.connect()
	for _, stage := range []Stage{StageSecured, StageHello} {
		select {
		case v := <-verdicts:
			if !v.Allowed || v.Stage != stage || v.ID != ok.node().ID() {
				t.Fatalf("verdict %+v, want %v allowed for the trusted peer", v, stage)
			}
		case <-time.After(testWait):
			t.Fatalf("no %v verdict", stage)
		}
	}
}
