package v4

import (
	"net/netip"
	"testing"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/enode"
)

// startNode runs a discv4 node on nw at addr.
func startNode(t testing.TB, nw *memnet.Network, addr netip.AddrPort, cfg Config) *UDPv4 {
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
	udp, err := ListenV4(conn, ln, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return udp
}

// startNetwork starts n nodes; all but the first bootstrap from the first.
func startNetwork(t testing.TB, nw *memnet.Network, n int, mod func(i int, cfg *Config)) []*UDPv4 {
	t.Helper()
	nodes := make([]*UDPv4, n)
	for i := range nodes {
		var cfg Config
		if i > 0 {
			cfg.Bootnodes = []*enode.Node{nodes[0].Self()}
		}
		if mod != nil {
			mod(i, &cfg)
		}
		nodes[i] = startNode(t, nw, testnet.PublicAddr(i), cfg)
	}
	return nodes
}

func closeAll(nodes []*UDPv4) {
	for _, n := range nodes {
		n.Close()
	}
}
