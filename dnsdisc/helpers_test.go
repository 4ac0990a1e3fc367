package dnsdisc

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// mapResolver serves TXT records from a map (name → one record) and counts
// the queries it answers.
type mapResolver struct {
	mu      sync.Mutex
	records map[string][]string
	queries int
}

func newMapResolver(maps ...map[string]string) *mapResolver {
	r := &mapResolver{records: make(map[string][]string)}
	for _, m := range maps {
		r.add(m)
	}
	return r
}

func (r *mapResolver) add(m map[string]string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	for name, txt := range m {
		r.records[strings.ToLower(name)] = []string{txt}
	}
}

func (r *mapResolver) set(name string, txts ...string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.records[strings.ToLower(name)] = txts
}

func (r *mapResolver) count() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.queries
}

func (r *mapResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.queries++
	if txts, ok := r.records[strings.ToLower(name)]; ok {
		return txts, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// blockingResolver never answers: it returns only when ctx is done.
type blockingResolver struct{ started chan string }

func (r blockingResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	if r.started != nil {
		r.started <- name
	}
	<-ctx.Done()
	return nil, ctx.Err()
}

// testKey is the signing key of the example tree in the vectors.
func testKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.HexToECDSA("dc599867fc513f8f5e2c2c9c489cde5e71362d1d9ec6e693e0de063236ed1240")
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testNodes returns n nodes with signed v4 records. Nodes are made once per
// test binary and shared, since signing dominates the test time under -race.
func testNodes(t testing.TB, n int) []*enode.Node {
	t.Helper()
	nodePool.mu.Lock()
	defer nodePool.mu.Unlock()
	for i := len(nodePool.nodes); i < n; i++ {
		var r enr.Record
		r.Set(enr.IPv4(netipv4(i)))
		r.Set(enr.UDP(30303))
		r.Set(enr.TCP(30303))
		r.SetSeq(uint64(i + 1))
		if err := enode.SignV4(&r, newKey(t)); err != nil {
			t.Fatal(err)
		}
		node, err := enode.New(enode.ValidSchemes, &r)
		if err != nil {
			t.Fatal(err)
		}
		nodePool.nodes = append(nodePool.nodes, node)
	}
	return slices.Clone(nodePool.nodes[:n])
}

var nodePool struct {
	mu    sync.Mutex
	nodes []*enode.Node
}

// signedTree builds and signs a tree and returns its URL and TXT records.
func signedTree(t testing.TB, key *ecdsa.PrivateKey, domain string, seq uint64, nodes []*enode.Node, links []string) (*Tree, string, map[string]string) {
	t.Helper()
	tree, err := MakeTree(seq, nodes, links)
	if err != nil {
		t.Fatal(err)
	}
	url, err := tree.Sign(key, domain)
	if err != nil {
		t.Fatal(err)
	}
	txt, err := tree.ToTXT(domain)
	if err != nil {
		t.Fatal(err)
	}
	return tree, url, txt
}

// fastConfig lifts the rate limit so that tests on the system clock never
// wait for it.
func fastConfig(t testing.TB, r Resolver) Config {
	return Config{Resolver: r, RateLimit: 1e9, RateBurst: 1 << 20, Logger: testLogger(t)}
}

func newTestClient(t testing.TB, cfg Config) *Client {
	t.Helper()
	c, err := NewClient(cfg)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

func nodeIDs(nodes []*enode.Node) map[enode.ID]bool {
	m := make(map[enode.ID]bool, len(nodes))
	for _, n := range nodes {
		m[n.ID()] = true
	}
	return m
}

func sameNodes(t *testing.T, got, want []*enode.Node) {
	t.Helper()
	g, w := nodeIDs(got), nodeIDs(want)
	if len(got) != len(want) || len(g) != len(w) {
		t.Fatalf("got %d nodes, want %d", len(got), len(want))
	}
	for id := range w {
		if !g[id] {
			t.Fatalf("node %v missing", id)
		}
	}
}

func mustParseNode(t testing.TB, text string) *enode.Node {
	t.Helper()
	n, err := enode.Parse(enode.ValidSchemes, text)
	if err != nil {
		t.Fatal(fmt.Errorf("%s: %w", text, err))
	}
	return n
}

func netipv4(i int) netip.Addr {
	return netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
}
