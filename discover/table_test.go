package discover

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
	"github.com/devp2p-go/devp2p/nodedb"
)

func TestBucketIndex(t *testing.T) {
	for _, tc := range []struct{ dist, bucket int }{
		{0, 0}, {1, 0}, {200, 0}, {239, 0}, {240, 0}, {241, 1}, {255, 15}, {256, 16},
	} {
		if got := bucketIndex(tc.dist); got != tc.bucket {
			t.Errorf("bucketIndex(%d) = %d, want %d", tc.dist, got, tc.bucket)
		}
	}
	if nBuckets != 17 {
		t.Fatalf("nBuckets = %d", nBuckets)
	}
}

func TestBucketPlacementAndReplacements(t *testing.T) {
	tab, tr := newTestTable(t, Config{})
	self := tr.self.ID()
	for _, d := range []int{1, 100, 239, 240, 241, 250, 256} {
		n := nodeAtDistance(self, d, ipFor(d))
		tab.handleAdd(addOp{n: n})
		if got := bucketIndex(enode.LogDist(self, n.ID())); got != bucketIndex(d) {
			t.Fatalf("distance %d: node landed at log distance %d", d, got)
		}
		if tab.bucketLen(bucketIndex(d)) == 0 {
			t.Fatalf("distance %d: bucket %d empty", d, bucketIndex(d))
		}
	}
	// Fill bucket 16 (distance 256): 16 live entries, then replacements.
	for tab.bucketLen(16) < BucketSize {
		tab.handleAdd(addOp{n: nodeAtDistance(self, 256, ipFor(1000+tab.bucketLen(16)))})
	}
	for i := range maxReplacements + 5 {
		tab.handleAdd(addOp{n: nodeAtDistance(self, 256, ipFor(2000+i))})
	}
	if got := tab.bucketLen(16); got != BucketSize {
		t.Fatalf("bucket has %d entries, want %d", got, BucketSize)
	}
	if got := tab.replacementsLen(16); got != maxReplacements {
		t.Fatalf("bucket has %d replacements, want %d", got, maxReplacements)
	}
	// Self and nodes without endpoint are never added.
	tab.handleAdd(addOp{n: tr.self})
	if tab.contains(self) {
		t.Fatal("self added")
	}
}

func TestInboundBumps(t *testing.T) {
	tab, tr := newTestTable(t, Config{})
	self := tr.self.ID()
	var ns []*enode.Node
	for i := range 3 {
		n := nodeAtDistance(self, 256, ipFor(i))
		ns = append(ns, n)
		tab.handleAdd(addOp{n: n})
	}
	tab.handleAdd(addOp{n: ns[0], inbound: true})
	b := tab.buckets[16]
	if b.entries[2].ID() != ns[0].ID() {
		t.Fatal("inbound node not moved to the end of its bucket")
	}
	// A found node does not bump.
	tab.handleAdd(addOp{n: ns[1]})
	if b.entries[2].ID() != ns[0].ID() {
		t.Fatal("found node bumped")
	}
}

func TestIPLimits(t *testing.T) {
	t.Run("bucket", func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		for i := range 3 {
			tab.handleAdd(addOp{n: nodeAtDistance(tr.self.ID(), 256, fmt.Sprintf("12.0.0.%d", i+1))})
		}
		if got := tab.bucketLen(16); got != bucketIPLimit {
			t.Fatalf("3 nodes of one /24 in a bucket: %d admitted, want %d", got, bucketIPLimit)
		}
	})
	t.Run("table", func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		for d := 245; d <= 256; d++ { // 12 buckets, one node each
			tab.handleAdd(addOp{n: nodeAtDistance(tr.self.ID(), d, fmt.Sprintf("12.0.0.%d", d-240))})
		}
		if got := tab.Len(); got != tableIPLimit {
			t.Fatalf("12 nodes of one /24 in the table: %d admitted, want %d", got, tableIPLimit)
		}
	})
	t.Run("ipv6", func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		// Same /48, different /64s: one operator.
		for i := range 3 {
			tab.handleAdd(addOp{n: nodeAtDistance(tr.self.ID(), 256, fmt.Sprintf("2001:db9:1:%x::1", i))})
		}
		if got := tab.bucketLen(16); got != bucketIPLimit {
			t.Fatalf("3 nodes of one /48: %d admitted, want %d", got, bucketIPLimit)
		}
		// A different /48 is another operator.
		tab.handleAdd(addOp{n: nodeAtDistance(tr.self.ID(), 256, "2001:db9:2::1")})
		if got := tab.bucketLen(16); got != bucketIPLimit+1 {
			t.Fatalf("node of another /48 not admitted")
		}
	})
	t.Run("lan-exempt", func(t *testing.T) {
		// Our address (11.200.0.1) is public: LAN nodes are limited unless
		// LANExempt says otherwise.
		for _, tt := range []struct {
			e    netutil.LANExemption
			want int
		}{{netutil.LANExemptAuto, bucketIPLimit}, {netutil.LANExemptAlways, 5}, {netutil.LANExemptNever, bucketIPLimit}} {
			tab, tr := newTestTable(t, Config{TableConfig: TableConfig{LANExempt: tt.e}})
			for i := range 5 {
				tab.handleAdd(addOp{n: nodeAtDistance(tr.self.ID(), 256, fmt.Sprintf("10.0.0.%d", i+1))})
			}
			if got := tab.bucketLen(16); got != tt.want {
				t.Fatalf("LAN nodes with LANExempt %v: %d admitted, want %d", tt.e, got, tt.want)
			}
		}
		// On a LAN node, auto exempts them.
		lanSelf := newFakeTransport(newNode(enode.ID{0x55}, "192.168.1.1"))
		tab, err := NewTable(lanSelf, Config{})
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			tab.handleAdd(addOp{n: nodeAtDistance(tab.selfID, 256, fmt.Sprintf("10.0.0.%d", i+1))})
		}
		if got := tab.bucketLen(16); got != 5 {
			t.Fatalf("LAN nodes on a LAN node: %d admitted, want 5", got)
		}
	})
	t.Run("wide", func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		// One /16, a /24 each: the bucket takes bucketWideLimit of them.
		for i := range bucketWideLimit + 2 {
			tab.handleAdd(addOp{n: nodeAtDistance(tr.self.ID(), 256, fmt.Sprintf("45.33.%d.1", i))})
		}
		if got := tab.bucketLen(16); got != bucketWideLimit {
			t.Fatalf("nodes of one /16 in a bucket: %d admitted, want %d", got, bucketWideLimit)
		}
		// Over the whole table: tableWideLimit.
		for d := 240; d < 256; d++ {
			for i := range bucketWideLimit {
				tab.handleAdd(addOp{n: nodeAtDistance(tr.self.ID(), d, fmt.Sprintf("45.33.%d.1", d*4+i-900))})
			}
		}
		if got := tab.Len(); got != tableWideLimit {
			t.Fatalf("nodes of one /16 in the table: %d admitted, want %d", got, tableWideLimit)
		}
		// IPv6: one /32.
		tab6, tr6 := newTestTable(t, Config{})
		for i := range bucketWideLimit + 2 {
			tab6.handleAdd(addOp{n: nodeAtDistance(tr6.self.ID(), 256, fmt.Sprintf("2a01:4f8:%x::1", i))})
		}
		if got := tab6.bucketLen(16); got != bucketWideLimit {
			t.Fatalf("nodes of one /32 in a bucket: %d admitted, want %d", got, bucketWideLimit)
		}
	})
	t.Run("removal-frees", func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		var ns []*enode.Node
		for i := range 3 {
			n := nodeAtDistance(tr.self.ID(), 256, fmt.Sprintf("12.0.0.%d", i+1))
			ns = append(ns, n)
			tab.handleAdd(addOp{n: n})
		}
		tab.mu.Lock()
		e, _ := tab.buckets[16].find(ns[0].ID())
		tab.removeEntry(tab.buckets[16], e)
		tab.mu.Unlock()
		tab.handleAdd(addOp{n: ns[2]})
		if !tab.contains(ns[2].ID()) {
			t.Fatal("slot of a removed node not reusable")
		}
	})
	t.Run("netrestrict", func(t *testing.T) {
		tab, tr := newTestTable(t, Config{TableConfig: TableConfig{NetRestrict: netutil.MustParseNetlist("12.0.0.0/8")}})
		tab.handleAdd(addOp{n: nodeAtDistance(tr.self.ID(), 256, "13.0.0.1")})
		tab.handleAdd(addOp{n: nodeAtDistance(tr.self.ID(), 256, "12.0.0.1")})
		if tab.Len() != 1 || tab.Nodes()[0].IPAddr() != netip.MustParseAddr("12.0.0.1") {
			t.Fatalf("NetRestrict not honoured: %v", tab.Nodes())
		}
	})
}

func TestRevalidationReplacesDeadNode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		self := tr.self.ID()
		var live []*enode.Node
		for i := range BucketSize {
			n := nodeAtDistance(self, 256, ipFor(i))
			live = append(live, n)
			tab.handleAdd(addOp{n: n})
		}
		repl := nodeAtDistance(self, 256, ipFor(100))
		tab.handleAdd(addOp{n: repl})
		dead := live[3]
		tr.setDead(dead.ID(), true)
		tab.Start()
		defer tab.Close()

		// Within NewNodeCheck every new node is pinged once.
		time.Sleep(DefaultNewNodeCheck + 2*time.Second)
		synctest.Wait()
		if tab.contains(dead.ID()) {
			t.Fatal("dead node still in table")
		}
		if !tab.contains(repl.ID()) {
			t.Fatal("replacement not promoted")
		}
		// Responders were bumped and count as proven.
		tab.mu.Lock()
		for _, e := range tab.buckets[16].entries {
			if e.ID() != repl.ID() && e.livenessChecks == 0 {
				t.Errorf("node %v not validated", e.ID())
			}
		}
		tab.mu.Unlock()
		if got := tab.Len(); got != BucketSize {
			t.Fatalf("table has %d nodes, want %d", got, BucketSize)
		}
	})
}

func TestRevalidationProvenNodeGetsSecondChance(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		n := nodeAtDistance(tr.self.ID(), 256, ipFor(1))
		tab.handleAdd(addOp{n: n})
		tab.Start()
		defer tab.Close()
		time.Sleep(DefaultNewNodeCheck + time.Second) // first check passes
		synctest.Wait()
		tr.setDead(n.ID(), true)
		// The proven recheck fails once: credit drops, the node stays.
		for tr.pingCount(n.ID()) < 2 {
			time.Sleep(time.Second)
			synctest.Wait()
		}
		time.Sleep(fakeTimeout)
		synctest.Wait()
		if !tab.contains(n.ID()) {
			t.Fatal("proven node dropped after one failed check")
		}
		// A second failure removes it.
		time.Sleep(DefaultNewNodeCheck + time.Second)
		synctest.Wait()
		if tab.contains(n.ID()) {
			t.Fatal("node kept after failing twice")
		}
	})
}

func TestFindnodeFailuresDropNode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		n := nodeAtDistance(tr.self.ID(), 256, ipFor(1))
		other := nodeAtDistance(tr.self.ID(), 255, ipFor(2))
		tab.handleAdd(addOp{n: n})
		tab.handleAdd(addOp{n: other})
		tab.Start()
		defer tab.Close()
		time.Sleep(time.Second) // let the start refresh finish
		synctest.Wait()
		for i := range maxFindnodeFailures {
			if !tab.contains(n.ID()) {
				t.Fatalf("dropped after %d failures", i)
			}
			tab.trackFindnode(n, true)
		}
		synctest.Wait()
		if tab.contains(n.ID()) {
			t.Fatal("node kept after 5 failed findnode calls")
		}
		// A success resets the count.
		for range maxFindnodeFailures - 1 {
			tab.trackFindnode(other, true)
		}
		tab.trackFindnode(other, false)
		tab.trackFindnode(other, true)
		synctest.Wait()
		if !tab.contains(other.ID()) {
			t.Fatal("failure count not reset by a success")
		}
	})
}

func TestSeedsFromDB(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db, err := nodedb.Open(nodedb.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		tab, tr := newTestTable(t, Config{TableConfig: TableConfig{DB: db}})
		now := time.Now()
		var fresh, stale []*enode.Node
		for i := range 40 {
			n := nodeAtDistance(tr.self.ID(), 256-i%8, ipFor(i))
			db.UpdateNode(n)
			if i < 35 {
				db.UpdateLastPongReceived(n.ID(), n.IPAddr(), now.Add(-time.Hour))
				fresh = append(fresh, n)
			} else {
				db.UpdateLastPongReceived(n.ID(), n.IPAddr(), now.Add(-6*24*time.Hour))
				stale = append(stale, n)
			}
		}
		tab.loadSeeds()
		if got := tab.Len(); got == 0 || got > seedCount {
			t.Fatalf("table has %d seeds, want 1..%d", got, seedCount)
		}
		for _, n := range stale {
			if tab.contains(n.ID()) {
				t.Errorf("stale node %v seeded", n.ID())
			}
		}
	})
}

func TestRefreshOnEmptyTable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boot := nodeAtDistance(enode.ID{}, 256, ipFor(7))
		tab, tr := newTestTable(t, Config{TableConfig: TableConfig{Bootnodes: []*enode.Node{boot}}})
		tab.Start()
		defer tab.Close()
		synctest.Wait()
		if !tab.contains(boot.ID()) {
			t.Fatal("bootnode not added on start")
		}
		before := tr.lookupCount()
		// The bootnode dies and is dropped: the table is empty, so it
		// refreshes (re-adding the bootnode) long before the 30 min timer.
		tr.setDead(boot.ID(), true)
		time.Sleep(2 * DefaultNewNodeCheck)
		synctest.Wait()
		if tr.lookupCount() <= before {
			t.Fatal("no refresh after the table ran empty")
		}
		// Refreshes on an empty table are rate limited.
		time.Sleep(time.Minute)
		synctest.Wait()
		if n := tr.lookupCount() - before; n > 4*(1+int(time.Minute/minEmptyRefreshInterval)+2) {
			t.Fatalf("%d refresh lookups in a minute", n)
		}
	})
}

func TestPeriodicRefresh(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		n := nodeAtDistance(tr.self.ID(), 256, ipFor(1))
		tab.handleAdd(addOp{n: n})
		tab.Start()
		defer tab.Close()
		synctest.Wait()
		first := tr.lookupCount()
		if first != 4 {
			t.Fatalf("start: %d lookups, want 4 (self + 3 random)", first)
		}
		time.Sleep(DefaultRefreshInterval + time.Second)
		synctest.Wait()
		if got := tr.lookupCount(); got != 2*first {
			t.Fatalf("after 30 min: %d lookups, want %d", got, 2*first)
		}
	})
}

func TestClosestPrefersLive(t *testing.T) {
	tab, tr := newTestTable(t, Config{})
	var target enode.ID
	var ns []*enode.Node
	for i := range 20 {
		n := nodeAtDistance(tr.self.ID(), 256-i%4, ipFor(i))
		ns = append(ns, n)
		tab.handleAdd(addOp{n: n})
	}
	// Mark the five farthest from target as proven.
	slices.SortFunc(ns, func(a, b *enode.Node) int { return enode.DistCmp(target, a.ID(), b.ID()) })
	tab.mu.Lock()
	for _, n := range ns[15:] {
		e, _ := tab.bucketOf(n.ID()).find(n.ID())
		e.livenessChecks = 1
	}
	tab.mu.Unlock()
	got := tab.Closest(target, BucketSize, true)
	if len(got) != BucketSize {
		t.Fatalf("got %d nodes, want %d", len(got), BucketSize)
	}
	for _, n := range ns[15:] {
		if !slices.ContainsFunc(got, func(g *enode.Node) bool { return g.ID() == n.ID() }) {
			t.Fatal("proven node left out")
		}
	}
	if !slices.IsSortedFunc(got, func(a, b *enode.Node) int { return enode.DistCmp(target, a.ID(), b.ID()) }) {
		t.Fatal("result not sorted by distance")
	}
	if all := tab.Closest(target, BucketSize, false); all[0].ID() != ns[0].ID() {
		t.Fatal("Closest without preferLive is not the plain closest")
	}
}

// TestSimulatedClock drives the table with mclock.Simulated instead of the
// bubble's time: revalidation and refresh follow the injected clock only.
func TestSimulatedClock(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		clock := new(mclock.Simulated)
		tab, tr := newTestTable(t, Config{Clock: clock})
		n := nodeAtDistance(tr.self.ID(), 256, ipFor(1))
		tab.handleAdd(addOp{n: n})
		tab.Start()
		defer tab.Close()
		synctest.Wait()
		if got := tr.lookupCount(); got != 4 {
			t.Fatalf("start: %d lookups, want 4", got)
		}
		// Bubble time passes, simulated time does not: nothing happens.
		time.Sleep(time.Hour)
		synctest.Wait()
		if tr.pingCount(n.ID()) != 0 || tr.lookupCount() != 4 {
			t.Fatal("table acted without the injected clock moving")
		}
		for range 40 {
			clock.Run(time.Second)
			synctest.Wait()
		}
		if tr.pingCount(n.ID()) == 0 {
			t.Fatal("new node not revalidated within 40 simulated seconds")
		}
		clock.Run(DefaultRefreshInterval)
		synctest.Wait()
		if got := tr.lookupCount(); got != 8 {
			t.Fatalf("after a simulated refresh interval: %d lookups, want 8", got)
		}
	})
}
