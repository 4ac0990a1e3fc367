package main

import (
	"context"
	"net"
	"net/netip"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/enode"
)

// memV4Node starts a discv4 node at addr on the in-memory network.
func memV4Node(t *testing.T, nw *memnet.Network, addr netip.AddrPort, boot []*enode.Node) *v4.UDPv4 {
	t.Helper()
	conn, err := nw.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ln := enode.NewLocalNode(nil, key)
	ln.SetStaticIP(net.IP(addr.Addr().AsSlice()))
	ln.SetFallbackUDP(int(addr.Port()))
	disc, err := v4.ListenV4(conn, ln, v4.Config{PrivateKey: key, TableConfig: discover.TableConfig{Bootnodes: boot}})
	if err != nil {
		t.Fatal(err)
	}
	return disc
}

// startMemV4Network starts n discv4 nodes on the in-memory network, each in
// a /24 of its own, all bootstrapped from the first, and returns once each
// has bonded with the first (a self lookup, as a table refresh runs), so
// that the first one's table holds everyone.
func startMemV4Network(t *testing.T, nw *memnet.Network, n int) []*v4.UDPv4 {
	t.Helper()
	nodes := make([]*v4.UDPv4, n)
	for i := range nodes {
		var boot []*enode.Node
		if i > 0 {
			boot = []*enode.Node{nodes[0].Self()}
		}
		nodes[i] = memV4Node(t, nw, netip.AddrPortFrom(netip.AddrFrom4([4]byte{11, 0, byte(i), 1}), 30303), boot)
	}
	for _, nd := range nodes[1:] {
		nd.Lookup(t.Context(), nd.Self())
	}
	return nodes
}

// TestDiscv4Crawl crawls a small discv4 network on an in-memory network
// inside a synctest bubble: the crawl finds every node and writes a valid
// node-set file; a crawl right after it asks none of them again (they were
// checked recently); and once the recheck interval passed, a crawl checks
// them all again. The crawl ends by its own rule (lookups that find nothing
// new), not by a time limit.
func TestDiscv4Crawl(t *testing.T) {
	synctest.Test(t, testDiscv4Crawl)
}

func testDiscv4Crawl(t *testing.T) {
	const (
		n       = 8
		recheck = time.Minute
	)
	nw := memnet.New()
	nodes := startMemV4Network(t, nw, n)
	defer func() {
		for _, nd := range nodes {
			nd.Close()
		}
	}()
	ids := make([]enode.ID, n)
	for i, nd := range nodes {
		ids[i] = nd.Self().ID()
	}

	file := filepath.Join(t.TempDir(), "nodes.json")
	// The crawl's checks of the network's nodes (the engine may ask for a
	// record by itself, when a pong announces a newer one).
	var checks atomic.Int64
	network := make(map[enode.ID]bool)
	for _, id := range ids {
		network[id] = true
	}
	crawls := 0
	crawl := func(boot []*enode.Node) string {
		t.Helper()
		crawls++
		var out strings.Builder
		job := crawlJob{
			file: file, boot: boot, recheck: recheck, out: &out,
			start: func(seeds []*enode.Node) (crawlEngine, error) {
				addr := netip.AddrPortFrom(netip.AddrFrom4([4]byte{11, 1, byte(crawls), 1}), 30303)
				return &countingEngine{crawlTable{memV4Node(t, nw, addr, seeds)}, network, &checks}, nil
			},
		}
		if err := job.run(t.Context(), time.Now()); err != nil {
			t.Fatal(err)
		}
		t.Logf("crawl %d:\n%s", crawls, out.String())
		return out.String()
	}

	// First crawl, from the bootnode.
	begin := time.Now().UTC().Truncate(time.Second)
	crawl([]*enode.Node{nodes[0].Self()})
	first := readTestSet(t, file)
	for i, id := range ids {
		e := first[id]
		if e == nil {
			t.Errorf("node %d not found", i)
			continue
		}
		if e.Record.Record().Signature() == nil || e.Record.ID() != id || e.Score != 1 || e.Seq != e.Record.Seq() ||
			e.FirstResponse.Before(begin) || e.LastResponse != e.FirstResponse || e.LastCheck != e.FirstResponse {
			t.Errorf("node %d: entry %+v", i, e)
		}
	}
	if len(first) != n {
		t.Errorf("crawl found %d nodes, want %d", len(first), n)
	}

	// A re-crawl of the file at once asks none of them again.
	asked := checks.Load()
	out := crawl(nil)
	if !strings.Contains(out, "0 answered in this crawl, 8 checked recently") {
		t.Errorf("re-crawl summary: %s", out)
	}
	if got := checks.Load() - asked; got != 0 {
		t.Errorf("re-crawl checked %d nodes of the network, want none", got)
	}
	again := readTestSet(t, file)
	for i, id := range ids {
		e, f := again[id], first[id]
		if e == nil || e.Score != f.Score || e.Seq != f.Seq || e.Record.Seq() != f.Record.Seq() ||
			!e.FirstResponse.Equal(f.FirstResponse) || !e.LastResponse.Equal(f.LastResponse) || !e.LastCheck.Equal(f.LastCheck) {
			t.Errorf("node %d: entry changed by a crawl that skipped it: %+v", i, e)
		}
	}

	// Once the recheck interval passed, the nodes are checked again.
	time.Sleep(recheck)
	crawl(nil)
	set := readTestSet(t, file)
	for i, id := range ids {
		e := set[id]
		switch {
		case e == nil:
			t.Errorf("node %d lost in re-crawl", i)
		case e.Score != 2:
			t.Errorf("node %d: score %d, want 2", i, e.Score)
		case !e.FirstResponse.Equal(first[id].FirstResponse) || !e.LastCheck.After(first[id].LastCheck):
			t.Errorf("node %d: entry %+v after %+v", i, e, first[id])
		}
	}
}

// countingEngine counts the crawl's ENR requests to the nodes of a network.
type countingEngine struct {
	crawlEngine
	network map[enode.ID]bool
	n       *atomic.Int64
}

func (e *countingEngine) RequestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	if e.network[n.ID()] {
		e.n.Add(1)
	}
	return e.crawlEngine.RequestENR(ctx, n)
}

func TestCrawlRecheckFlag(t *testing.T) {
	file := filepath.Join(t.TempDir(), "nodes.json")
	for _, proto := range []string{"discv4", "discv5"} {
		mustFail(t, "devp2p: --recheck -1s: want 0 (check every node) or a positive duration",
			proto, "crawl", "--recheck", "-1s", "--bootnodes", exampleENR, file)
	}
}
