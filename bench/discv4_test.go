package bench

import (
	"context"
	"crypto/ecdsa"
	"net"
	"net/netip"
	"sync"
	"testing"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	genode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/memnet"
	v4 "github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
)

// discv4NetSize is the size of the in-memory networks the discv4 pair runs
// in: every node bootstrapped from node 0, then one self lookup per node, as
// a table refresh does.
const discv4NetSize = 200

// discv4Addr is the address of node i: one /16 each, from 20.0.0.0/8 on,
// public ranges, so that IP limits and relay checks apply as on the
// internet, and 200 honest nodes are not taken for one provider's block
// (our table and packet admission limit each /16).
func discv4Addr(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{byte(20 + i/250), byte(i % 250), 0, 1}), 30303)
}

type discv4Net struct {
	nw      *memnet.Network
	conn0   *memnet.Conn // node 0's socket: the lookups start there
	targets []*ecdsa.PublicKey
	lookup  func(target *ecdsa.PublicKey) int // returns the number of results
}

var (
	ourNetOnce, gethNetOnce sync.Once
	ourNet, gethNet         *discv4Net
)

func discv4Targets() []*ecdsa.PublicKey {
	var ks []*ecdsa.PublicKey
	for range 64 {
		k, _ := gcrypto.GenerateKey()
		ks = append(ks, &k.PublicKey)
	}
	return ks
}

func runBounded(n int, f func(i int)) {
	var wg sync.WaitGroup
	sem := make(chan struct{}, 8)
	for i := range n {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			f(i)
		})
	}
	wg.Wait()
}

// convergeRounds bounds the rounds of self lookups converge runs.
const convergeRounds = 4

// converge runs one self lookup on every node, then more rounds on the nodes
// whose table still holds fewer than k entries. When 200 nodes start at once
// on a busy machine their bootnode drops or answers late some first
// contacts, and a node left with an almost empty table answers every
// FINDNODE short: the lookups measured would then wait on it. Both sides of
// a pair get the same treatment, so both networks have full tables. It
// returns the nodes still short after the last round.
func converge(b *testing.B, n int, tableLen func(i int) int, selfLookup func(i int)) int {
	todo := make([]int, n)
	for i := range todo {
		todo[i] = i
	}
	for round := 0; round < convergeRounds && len(todo) > 0; round++ {
		runBounded(len(todo), func(j int) { selfLookup(todo[j]) })
		var short []int
		for _, i := range todo {
			if tableLen(i) < 16 {
				short = append(short, i)
			}
		}
		todo = short
	}
	if len(todo) > 0 && b != nil {
		b.Logf("%d nodes hold fewer than 16 table entries after %d rounds of self lookups", len(todo), convergeRounds)
	}
	return len(todo)
}

func buildOurDiscv4Net(b *testing.B) *discv4Net {
	nw := memnet.New()
	nodes := make([]*v4.UDPv4, discv4NetSize)
	var conn0 *memnet.Conn
	for i := range nodes {
		key, _ := crypto.GenerateKey()
		conn, err := nw.Listen(discv4Addr(i))
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			conn0 = conn
		}
		ln := enode.NewLocalNode(nil, key)
		ln.SetStaticIP(net.IP(discv4Addr(i).Addr().AsSlice()))
		ln.SetFallbackUDP(30303)
		cfg := v4.Config{PrivateKey: key}
		if i > 0 {
			cfg.Bootnodes = []*enode.Node{nodes[0].Self()}
		}
		if nodes[i], err = v4.ListenV4(conn, ln, cfg); err != nil {
			b.Fatal(err)
		}
	}
	converge(b, len(nodes), func(i int) int { return nodes[i].Table().Len() },
		func(i int) { nodes[i].Lookup(context.Background(), nodes[i].Self()) })
	return &discv4Net{nw: nw, conn0: conn0, lookup: func(target *ecdsa.PublicKey) int {
		var pk v4wire.Pubkey
		copy(pk[:], gcrypto.FromECDSAPub(target)[1:])
		return len(nodes[0].LookupPubkey(context.Background(), pk))
	}}
}

func buildGethDiscv4Net(b *testing.B) *discv4Net {
	nw := memnet.New()
	nodes := make([]*gdiscover.UDPv4, discv4NetSize)
	var conn0 *memnet.Conn
	for i := range nodes {
		key, _ := gcrypto.GenerateKey()
		conn, err := nw.Listen(discv4Addr(i))
		if err != nil {
			b.Fatal(err)
		}
		if i == 0 {
			conn0 = conn
		}
		db, _ := genode.OpenDB("")
		ln := genode.NewLocalNode(db, key)
		ln.SetStaticIP(net.IP(discv4Addr(i).Addr().AsSlice()))
		ln.SetFallbackUDP(30303)
		// As in the discv5 pair: without NoFindnodeLivenessCheck
		// go-ethereum answers FINDNODE only with entries that passed a
		// revalidation ping, which takes minutes in a new network, so its
		// answers came short and its lookups waited out reply timeouts.
		// Ours answers with all table entries, as this makes it do.
		cfg := gdiscover.Config{PrivateKey: key, NoFindnodeLivenessCheck: true}
		if i > 0 {
			cfg.Bootnodes = []*genode.Node{nodes[0].Self()}
		}
		if nodes[i], err = gdiscover.ListenV4(conn, ln, cfg); err != nil {
			b.Fatal(err)
		}
	}
	converge(b, len(nodes), func(i int) int { return gethTableLen(nodes[i].TableBuckets()) },
		func(i int) { nodes[i].LookupPubkey(nodes[i].Self().Pubkey()) })
	return &discv4Net{nw: nw, conn0: conn0, lookup: func(target *ecdsa.PublicKey) int {
		return len(nodes[0].LookupPubkey(target))
	}}
}

func gethTableLen(buckets [][]gdiscover.BucketNode) int {
	n := 0
	for _, b := range buckets {
		n += len(b)
	}
	return n
}

// BenchmarkDiscv4Lookup measures one lookup for a random target from one node of a
// converged 200-node in-memory network, with our engine and with
// go-ethereum's. Custom metrics: packets the looking-up node sent per lookup
// (including its background revalidation, which is small) and nodes found.
func BenchmarkDiscv4Lookup(b *testing.B) {
	b.Run("Lookup200/ours", func(b *testing.B) {
		ourNetOnce.Do(func() { ourNet = buildOurDiscv4Net(b); ourNet.targets = discv4Targets() })
		benchDiscv4Lookup(b, ourNet)
	})
	b.Run("Lookup200/geth", func(b *testing.B) {
		gethNetOnce.Do(func() { gethNet = buildGethDiscv4Net(b); gethNet.targets = discv4Targets() })
		benchDiscv4Lookup(b, gethNet)
	})
}

func benchDiscv4Lookup(b *testing.B, n *discv4Net) {
	b.ReportAllocs()
	sent0 := n.conn0.Sent()
	found, i := 0, 0
	cpu := startCPU()
	for b.Loop() {
		found += n.lookup(n.targets[i%len(n.targets)])
		i++
	}
	cpu.report(b)
	b.ReportMetric(float64(n.conn0.Sent()-sent0)/float64(i), "packets/op")
	b.ReportMetric(float64(found)/float64(i), "nodes/op")
}
