package bench

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	gdnsdisc "github.com/ethereum/go-ethereum/p2p/dnsdisc"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/dnsdisc"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// dnsBenchNodes is the size of the benchmark tree (a large public list has
// a few thousand nodes).
const dnsBenchNodes = 10000

// countingTXT serves a tree from memory and counts the queries, so both
// clients are measured on the same records with no network.
type countingTXT struct {
	records map[string]string
	queries atomic.Int64
}

func (r *countingTXT) LookupTXT(_ context.Context, name string) ([]string, error) {
	r.queries.Add(1)
	if txt, ok := r.records[strings.ToLower(name)]; ok {
		return []string{txt}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

var dnsBenchTree = sync.OnceValues(func() (string, map[string]string) {
	nodes := make([]*enode.Node, dnsBenchNodes)
	for i := range nodes {
		key, err := crypto.GenerateKey()
		if err != nil {
			panic(err)
		}
		var r enr.Record
		r.Set(enr.IPv4(netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})))
		r.Set(enr.TCP(30303))
		r.Set(enr.UDP(30303))
		if err := enode.SignV4(&r, key); err != nil {
			panic(err)
		}
		if nodes[i], err = enode.New(enode.ValidSchemes, &r); err != nil {
			panic(err)
		}
	}
	tree, err := dnsdisc.MakeTree(1, nodes, nil)
	if err != nil {
		panic(err)
	}
	key, _ := crypto.GenerateKey()
	url, err := tree.Sign(key, "nodes.example.org")
	if err != nil {
		panic(err)
	}
	txt, err := tree.ToTXT("nodes.example.org")
	if err != nil {
		panic(err)
	}
	lower := make(map[string]string, len(txt))
	for name, rec := range txt {
		lower[strings.ToLower(name)] = rec
	}
	return url, lower
})

// BenchmarkDNSSyncTree downloads and verifies a 10,000-node tree with a
// fresh client per op (no cache carried over), from an in-memory resolver
// without rate limit. queries/op is the number of TXT lookups.
func BenchmarkDNSSyncTree(b *testing.B) {
	url, records := dnsBenchTree()
	b.Run("10k/ours", func(b *testing.B) {
		b.ReportAllocs()
		r := &countingTXT{records: records}
		for b.Loop() {
			c, err := dnsdisc.NewClient(dnsdisc.Config{Resolver: r, RateLimit: 1e12, RateBurst: 1 << 30})
			if err != nil {
				b.Fatal(err)
			}
			tree, err := c.SyncTree(context.Background(), url)
			if err != nil {
				b.Fatal(err)
			}
			if len(tree.Nodes()) != dnsBenchNodes {
				b.Fatalf("%d nodes", len(tree.Nodes()))
			}
		}
		b.ReportMetric(float64(r.queries.Load())/float64(b.N), "queries/op")
	})
	b.Run("10k/geth", func(b *testing.B) {
		b.ReportAllocs()
		r := &countingTXT{records: records}
		for b.Loop() {
			c := gdnsdisc.NewClient(gdnsdisc.Config{Resolver: r, RateLimit: 1e12})
			tree, err := c.SyncTree(url)
			if err != nil {
				b.Fatal(err)
			}
			if len(tree.Nodes()) != dnsBenchNodes {
				b.Fatalf("%d nodes", len(tree.Nodes()))
			}
		}
		b.ReportMetric(float64(r.queries.Load())/float64(b.N), "queries/op")
	})
}
