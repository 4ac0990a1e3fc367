package v5

import (
	"net/netip"
	"testing"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/enode"
)

func startNode(t testing.TB, nw *memnet.Network, addr netip.AddrPort, cfg Config) *UDPv5 {
	t.Helper()
	if cfg.PrivateKey == nil {
		cfg.PrivateKey = testnet.NewKey(t)
	}
	conn, err := nw.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	ln := enode.NewLocalNode(nil, cfg.PrivateKey)
	ln.SetStaticIP(addr.Addr().AsSlice())
	ln.SetFallbackUDP(int(addr.Port()))
	udp, err := ListenV5(conn, ln, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return udp
}

func startNetwork(t testing.TB, nw *memnet.Network, n int) []*UDPv5 {
	t.Helper()
	nodes := make([]*UDPv5, n)
	for i := range nodes {
		var cfg Config
		if i > 0 {
			cfg.Bootnodes = []*enode.Node{nodes[0].Self()}
		}
		nodes[i] = startNode(t, nw, testnet.PublicAddr(i), cfg)
	}
	return nodes
}

func closeAll(nodes []*UDPv5) {
	for _, n := range nodes {
		n.Close()
	}
}
