package v4

import (
	"crypto/rand"
	"net"
	"sync"
	"testing"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
)

// TestLoopback30 runs 30 nodes on real UDP sockets at 127.0.0.1, bootstrapped
// from one node. Each node runs self lookups (as a refresh does) until every
// table holds 16 nodes; then lookups find the true 16 closest nodes. Under
// the race detector, where replies often miss the 500 ms timeout on a busy
// machine, it runs 8 nodes.
func TestLoopback30(t *testing.T) {
	if testing.Short() {
		t.Skip("real sockets, real time")
	}
	n := 30
	if raceEnabled {
		n = 8
	}
	wantLen := min(discover.BucketSize, n-1)
	nodes := make([]*UDPv4, n)
	for i := range nodes {
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		key := testnet.NewKey(t)
		ln := enode.NewLocalNode(nil, key)
		addr := conn.LocalAddr().(*net.UDPAddr).AddrPort()
		ln.SetStaticIP(addr.Addr().AsSlice())
		ln.SetFallbackUDP(int(addr.Port()))
		cfg := Config{PrivateKey: key}
		if i > 0 {
			cfg.Bootnodes = []*enode.Node{nodes[0].Self()}
		}
		nodes[i], err = ListenV4(conn, ln, cfg)
		if err != nil {
			t.Fatal(err)
		}
	}
	defer closeAll(nodes)

	full := func() bool {
		for _, nd := range nodes {
			if nd.tab.Len() < wantLen {
				return false
			}
		}
		return true
	}
	for round := 0; !full(); round++ {
		if round == 10 {
			for i, nd := range nodes {
				t.Errorf("node %d: %d nodes in table", i, nd.tab.Len())
			}
			t.FailNow()
		}
		// A few lookups at a time: the machine may be busy, and replies
		// slower than 500 ms count as lost.
		var wg sync.WaitGroup
		sem := make(chan struct{}, 4)
		for _, nd := range nodes {
			wg.Go(func() {
				sem <- struct{}{}
				defer func() { <-sem }()
				nd.Lookup(t.Context(), nd.Self())
			})
		}
		wg.Wait()
	}
	for i := range 3 {
		var target v4wire.Pubkey
		rand.Read(target[:])
		src := nodes[(i*7)%n]
		want := testnet.TrueClosest(nodes, src.Self().ID(), target.ID(), discover.BucketSize)
		// On real sockets a busy machine can delay a reply past the
		// timeout; a repeated lookup must then get it right.
		var err error
		for try := 0; try < 3; try++ {
			if err = testnet.SameIDs(testnet.IDsOf(src.LookupPubkey(t.Context(), target)), want); err == nil {
				break
			}
			t.Logf("lookup %d, try %d: %v", i, try, err)
		}
		if err != nil {
			t.Errorf("lookup %d: %v", i, err)
		}
	}
}
