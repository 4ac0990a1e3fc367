package devp2p

import (
	"net/netip"
	"slices"
	"testing"

	"github.com/devp2p-go/devp2p/enode"
)

// TestDiscoveryV5SharedPort: with DiscoveryV5, discv4 and discv5 answer on
// the same UDP port; the second server bootstraps discv5 from the first.
func TestDiscoveryV5SharedPort(t *testing.T) {
	start := func(boot []*enode.Node) *Server {
		srv := &Server{Config: Config{
			PrivateKey: newKey(t), MaxPeers: 10, NoDial: true,
			ListenAddr: "127.0.0.1:0", DiscoveryV5: true, BootstrapNodesV5: boot,
			Logger: testLogger(t),
		}}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		return srv
	}
	a := start(nil)
	b := start([]*enode.Node{a.Self()})
	defer func() {
		b.Stop()
		a.Stop()
		checkNoGoroutines(t)
	}()
	if a.DiscV5() == nil || b.DiscV5() == nil {
		t.Fatal("discv5 not running")
	}
	// discv5 across the shared sockets, both ways.
	if err := b.DiscV5().Ping(t.Context(), a.Self()); err != nil {
		t.Fatal("v5 ping b→a:", err)
	}
	if err := a.DiscV5().Ping(t.Context(), b.Self()); err != nil {
		t.Fatal("v5 ping a→b:", err)
	}
	// discv4 still answers on the same ports.
	if err := b.DiscV4().Ping(t.Context(), a.Self()); err != nil {
		t.Fatal("v4 ping b→a:", err)
	}
	// TALKREQ through the server's engine.
	a.DiscV5().RegisterTalkHandler("t", func(id enode.ID, addr netip.AddrPort, req []byte) []byte { return req })
	if resp, err := b.DiscV5().TalkRequest(t.Context(), a.Self(), "t", []byte("x")); err != nil || string(resp) != "x" {
		t.Fatalf("talk: %q, %v", resp, err)
	}
	// b's lookup through a finds a.
	found := b.DiscV5().Lookup(t.Context(), a.Self().ID())
	if !slices.ContainsFunc(found, func(n *enode.Node) bool { return n.ID() == a.Self().ID() }) {
		t.Errorf("lookup did not find a: %v", found)
	}
}
