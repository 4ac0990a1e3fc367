package devp2p

import (
	"crypto/ecdsa"
	"errors"
	"github.com/devp2p-go/devp2p/enode"
	"net"
	"net/netip"
	"testing"
)

// TestAddPeerSkipsInboundCaps: a node added with AddPeer is a static node
// for admission too: its inbound connection gets past a full per-host cap,
// like one from Config.StaticNodes; after RemovePeer it no longer does.
func TestAddPeerSkipsInboundCaps(t *testing.T) {
	e := &eclipseNet{keys: make(map[enode.ID]*ecdsa.PrivateKey)}
	srv := newTestServer(t, func(c *Config) { c.MaxPeers = 20 })
	srv.LocalNode().SetStaticIP(net.IP{80, 10, 0, 1}) // public: no LAN exemption
	host := netip.MustParseAddr("45.33.1.8")
	for range inboundPerHost {
		if err := e.connect(srv, e.node(t, host)); err != nil {
			t.Fatalf("inbound below the host cap refused: %v", err)
		}
	}
	if err := e.connect(srv, e.node(t, host)); !errors.Is(err, errInboundHost) {
		t.Fatalf("inbound over the host cap: %v, want %v", err, errInboundHost)
	}

	static := e.node(t, host)
	srv.AddPeer(static)
	if err := e.connect(srv, static); err != nil {
		t.Fatalf("AddPeer node's inbound connection refused: %v", err)
	}

	again := e.node(t, host)
	srv.AddPeer(again)
	srv.RemovePeer(again)
	if err := e.connect(srv, again); !errors.Is(err, errInboundHost) {
		t.Fatalf("inbound of a removed static node: %v, want %v", err, errInboundHost)
	}
	srv.Stop()
	e.wg.Wait()
}
