package bench

import (
	"context"
	"crypto/rand"
	"slices"
	"sync"
	"testing"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	genode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/memnet"
	v5 "github.com/devp2p-go/devp2p/discover/v5"
	"github.com/devp2p-go/devp2p/enode"
)

// The discv5 lookup pair runs in 200-node in-memory networks built like the
// discv4 ones (discv4NetSize, discv4Addr): every node bootstrapped from node
// 0, then one self lookup per node. Custom metrics: packets node 0 sent per
// lookup, nodes found, and exact/op, the share of lookups whose result is
// exactly the 16 nodes of the network closest to the target.

const v5LookupResults = 16 // k: results of one lookup

type discv5Net struct {
	conn0   *memnet.Conn
	ids     [][32]byte // all node IDs but node 0's
	targets [][32]byte
	lookup  func(target [32]byte) [][32]byte
}

var (
	ourV5NetOnce, gethV5NetOnce sync.Once
	ourV5Net, gethV5Net         *discv5Net
)

func discv5Targets() [][32]byte {
	ts := make([][32]byte, 64)
	for i := range ts {
		rand.Read(ts[i][:])
	}
	return ts
}

func buildOurDiscv5Net(b *testing.B) *discv5Net {
	nw := memnet.New()
	nodes := make([]*v5.UDPv5, discv4NetSize)
	nt := &discv5Net{targets: discv5Targets()}
	for i := range nodes {
		key, _ := crypto.GenerateKey()
		conn, err := nw.Listen(discv4Addr(i))
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			nt.conn0 = conn
		}
		ln := enode.NewLocalNode(nil, key)
		ln.SetStaticIP(discv4Addr(i).Addr().AsSlice())
		ln.SetFallbackUDP(30303)
		cfg := v5.Config{PrivateKey: key}
		if i > 0 {
			cfg.Bootnodes = []*enode.Node{nodes[0].Self()}
		}
		if nodes[i], err = v5.ListenV5(conn, ln, cfg); err != nil {
			b.Fatal(err)
		}
		if i > 0 {
			nt.ids = append(nt.ids, [32]byte(nodes[i].Self().ID()))
		}
	}
	converge(b, len(nodes), func(i int) int { return nodes[i].Table().Len() },
		func(i int) { nodes[i].Lookup(context.Background(), nodes[i].Self().ID()) })
	nt.lookup = func(target [32]byte) [][32]byte {
		var out [][32]byte
		for _, n := range nodes[0].Lookup(context.Background(), enode.ID(target)) {
			out = append(out, [32]byte(n.ID()))
		}
		return out
	}
	return nt
}

func buildGethDiscv5Net(b *testing.B) *discv5Net {
	nw := memnet.New()
	nodes := make([]*gdiscover.UDPv5, discv4NetSize)
	nt := &discv5Net{targets: discv5Targets()}
	for i := range nodes {
		key, _ := gcrypto.GenerateKey()
		conn, err := nw.Listen(discv4Addr(i))
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			nt.conn0 = conn
		}
		db, _ := genode.OpenDB("")
		ln := genode.NewLocalNode(db, key)
		ln.SetStaticIP(discv4Addr(i).Addr().AsSlice())
		ln.SetFallbackUDP(30303)
		// Without NoFindnodeLivenessCheck go-ethereum answers FINDNODE only
		// with entries that passed a revalidation ping, which takes minutes
		// in a new network: its lookups would ask nodes with empty answers.
		// Ours answers with all table entries, as this makes go-ethereum do.
		cfg := gdiscover.Config{PrivateKey: key, NoFindnodeLivenessCheck: true}
		if i > 0 {
			cfg.Bootnodes = []*genode.Node{nodes[0].Self()}
		}
		if nodes[i], err = gdiscover.ListenV5(conn, ln, cfg); err != nil {
			b.Fatal(err)
		}
		if i > 0 {
			nt.ids = append(nt.ids, [32]byte(nodes[i].Self().ID()))
		}
	}
	converge(b, len(nodes), func(i int) int { return len(nodes[i].AllNodes()) },
		func(i int) { nodes[i].Lookup(nodes[i].Self().ID()) })
	nt.lookup = func(target [32]byte) [][32]byte {
		var out [][32]byte
		for _, n := range nodes[0].Lookup(genode.ID(target)) {
			out = append(out, [32]byte(n.ID()))
		}
		return out
	}
	return nt
}

// BenchmarkDiscv5Lookup measures one lookup for a random target from one node
// of a converged 200-node discv5 network, ours and go-ethereum's.
func BenchmarkDiscv5Lookup(b *testing.B) {
	b.Run("Lookup200/ours", func(b *testing.B) {
		ourV5NetOnce.Do(func() { ourV5Net = buildOurDiscv5Net(b) })
		benchDiscv5Lookup(b, ourV5Net)
	})
	b.Run("Lookup200/geth", func(b *testing.B) {
		gethV5NetOnce.Do(func() { gethV5Net = buildGethDiscv5Net(b) })
		benchDiscv5Lookup(b, gethV5Net)
	})
}

func benchDiscv5Lookup(b *testing.B, n *discv5Net) {
	b.ReportAllocs()
	sent0 := n.conn0.Sent()
	found, exact, i := 0, 0, 0
	cpu := startCPU()
	for b.Loop() {
		target := n.targets[i%len(n.targets)]
		got := n.lookup(target)
		found += len(got)
		b.StopTimer()
		if slices.Equal(got, closestIDs(n.ids, target, v5LookupResults)) {
			exact++
		}
		b.StartTimer()
		i++
	}
	cpu.report(b)
	b.ReportMetric(float64(n.conn0.Sent()-sent0)/float64(i), "packets/op")
	b.ReportMetric(float64(found)/float64(i), "nodes/op")
	b.ReportMetric(float64(exact)/float64(i), "exact/op")
}

// closestIDs returns the k IDs closest to target by XOR distance.
func closestIDs(ids [][32]byte, target [32]byte, k int) [][32]byte {
	s := slices.Clone(ids)
	slices.SortFunc(s, func(a, b [32]byte) int {
		for i := range target {
			da, db := a[i]^target[i], b[i]^target[i]
			if da != db {
				return int(da) - int(db)
			}
		}
		return 0
	})
	return s[:min(k, len(s))]
}
