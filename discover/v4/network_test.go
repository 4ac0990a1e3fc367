package v4

import (
	"crypto/rand"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// TestNetwork200 runs 200 nodes on an in-memory network, all bootstrapped
// from node 0. Within 2 simulated minutes every table must hold at least 16
// nodes, and lookups must find the true 16 closest nodes. With -short it
// runs 50 nodes and under the race detector 24 (the pure-Go secp256k1 work
// is the cost: about a minute of CPU for 200 nodes, ten times that with
// -race).
func TestNetwork200(t *testing.T) {
	netSize := 200
	switch {
	case raceEnabled:
		netSize = 24
	case testing.Short():
		netSize = 50
	}
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		nodes := startNetwork(t, nw, netSize, nil)
		defer closeAll(nodes)

		time.Sleep(2 * time.Minute)
		synctest.Wait()
		for i, n := range nodes {
			if l := n.tab.Len(); l < discover.BucketSize {
				t.Errorf("node %d: table holds %d nodes, want ≥ %d", i, l, discover.BucketSize)
			}
		}
		sent, _, dropped := nw.Stats()
		t.Logf("after 2 min: %d packets sent, %d dropped", sent, dropped)

		for i := range 5 {
			var target v4wire.Pubkey
			rand.Read(target[:])
			src := nodes[(i*37)%len(nodes)]
			start := time.Now()
			sent := src.PacketsSent()
			got := src.LookupPubkey(t.Context(), target)
			t.Logf("lookup %d: %v (simulated), %d packets sent", i, time.Since(start), src.PacketsSent()-sent)
			want := testnet.TrueClosest(nodes, src.Self().ID(), target.ID(), discover.BucketSize)
			if err := testnet.SameIDs(testnet.IDsOf(got), want); err != nil {
				t.Errorf("lookup %d from node %d: %v", i, (i*37)%len(nodes), err)
			}
		}
	})
}
