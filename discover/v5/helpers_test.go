package v5

import (
	"crypto/ecdsa"
	"fmt"
	"log/slog"
	"net/netip"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/enode"
)

func testLogger(t testing.TB, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: level}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(b))
	return len(b), nil
}

// publicAddr returns the i-th test address: one per /24 in 11.0.0.0/8, so
// the IP limits and relay checks apply.
func publicAddr(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{11, byte(i >> 8), byte(i), 1}), 30303)
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

func startNode(t testing.TB, nw *memnet.Network, addr netip.AddrPort, cfg Config) *UDPv5 {
	t.Helper()
	if cfg.PrivateKey == nil {
		cfg.PrivateKey = newKey(t)
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
		nodes[i] = startNode(t, nw, publicAddr(i), cfg)
	}
	return nodes
}

func closeAll(nodes []*UDPv5) {
	for _, n := range nodes {
		n.Close()
	}
}

func trueClosest(all []*UDPv5, self, target enode.ID, k int) []enode.ID {
	var ids []enode.ID
	for _, n := range all {
		if n.Self().ID() != self {
			ids = append(ids, n.Self().ID())
		}
	}
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && enode.DistCmp(target, ids[j], ids[j-1]) < 0; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
	return ids[:min(k, len(ids))]
}

func idsOf(ns []*enode.Node) []enode.ID {
	out := make([]enode.ID, len(ns))
	for i, n := range ns {
		out[i] = n.ID()
	}
	return out
}

func sameIDs(a, b []enode.ID) error {
	if len(a) != len(b) {
		return fmt.Errorf("length %d != %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return fmt.Errorf("index %d: %x != %x", i, a[i][:4], b[i][:4])
		}
	}
	return nil
}
