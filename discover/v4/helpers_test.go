package v4

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

// testLogger writes to t.Log at the given level.
func testLogger(t testing.TB, level slog.Level) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: level}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Helper()
	w.t.Log(string(b))
	return len(b), nil
}

// publicAddr returns the i-th test address: one per /24 in 11.0.0.0/8, which
// is neither LAN nor special, so the IP limits and relay checks apply.
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

// startNode runs a discv4 node on nw at addr.
func startNode(t testing.TB, nw *memnet.Network, addr netip.AddrPort, cfg Config) *UDPv4 {
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
		nodes[i] = startNode(t, nw, publicAddr(i), cfg)
	}
	return nodes
}

func closeAll(nodes []*UDPv4) {
	for _, n := range nodes {
		n.Close()
	}
}

// trueClosest returns the k nodes of all (excluding self) closest to target.
func trueClosest(all []*UDPv4, self enode.ID, target enode.ID, k int) []enode.ID {
	var ids []enode.ID
	for _, n := range all {
		if n.Self().ID() != self {
			ids = append(ids, n.Self().ID())
		}
	}
	sortByDist(ids, target)
	return ids[:min(k, len(ids))]
}

func sortByDist(ids []enode.ID, target enode.ID) {
	for i := 1; i < len(ids); i++ {
		for j := i; j > 0 && enode.DistCmp(target, ids[j], ids[j-1]) < 0; j-- {
			ids[j], ids[j-1] = ids[j-1], ids[j]
		}
	}
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
