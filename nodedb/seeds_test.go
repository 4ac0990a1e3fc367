package nodedb

import (
	"fmt"
	"net/netip"
	"runtime"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

func TestExpiry(t *testing.T) {
	clock := new(mclock.Simulated)
	// The passes are run by hand: the background expirer, woken by the
	// clock steps below, would run them at the same time and take the
	// nodes this test counts (1 in about 30 runs under -race).
	db := openMem(t, Config{Clock: clock, noExpirer: true})
	start := clock.Wall()

	mk := func(i int) *enode.Node {
		n := newNullNode(t, netip.AddrFrom4([4]byte{10, 0, 2, byte(i)}), 30303, 1)
		if err := db.UpdateNode(n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	old := mk(1)          // only the record, stored at start
	pinged := mk(2)       // pinged us recently from another IP
	ponged := mk(3)       // answered recently
	peer := mk(4)         // had a peer session recently
	stalePong := mk(5)    // answered long ago
	var pingOnly enode.ID // no record, just a ping long ago
	pingOnly[0] = 0xff
	db.UpdateLastPingReceived(pingOnly, ip4, start)
	db.UpdateLastPongReceived(stalePong.ID(), stalePong.IPAddr(), start)

	clock.Run(20 * time.Hour)
	if n := db.ExpireNodes(); n != 0 {
		t.Fatalf("expired %d nodes before 24 h", n)
	}
	db.UpdateLastPingReceived(pinged.ID(), ip6, clock.Wall())
	db.UpdateLastPongReceived(ponged.ID(), ponged.IPAddr(), clock.Wall())
	if err := db.UpdatePeerSuccess(peer, clock.Wall()); err != nil {
		t.Fatal(err)
	}
	// UpdatePeerSuccess stores the record, which counts as seen; put the
	// peer's record time back by storing again later is not needed: all of
	// pinged, ponged and peer were seen at +20 h.
	clock.Run(5 * time.Hour) // +25 h
	if n := db.ExpireNodes(); n != 3 {
		t.Errorf("expired %d nodes, want 3 (old, stalePong, pingOnly)", n)
	}
	for _, n := range []*enode.Node{old, stalePong} {
		if db.Node(n.ID()) != nil {
			t.Errorf("node %v not expired", n.ID())
		}
	}
	if !db.LastPingReceived(pingOnly, ip4).IsZero() {
		t.Error("ping-only entry not expired")
	}
	for _, n := range []*enode.Node{pinged, ponged, peer} {
		if db.Node(n.ID()) == nil {
			t.Errorf("recently seen node %v expired", n.ID())
		}
	}
	clock.Run(24 * time.Hour)
	if n := db.ExpireNodes(); n != 3 {
		t.Errorf("second pass expired %d nodes, want 3", n)
	}
	if got := db.GoodPeers(5); len(got) != 0 {
		t.Errorf("expired good peer still listed: %v", got)
	}
	if n := countKeys(t, db, goodSpaceStart, goodSpaceEnd); n != 0 {
		t.Errorf("good-peer index has %d entries after expiry", n)
	}
	if n := countKeys(t, db, nodeSpaceStart, nodeSpaceEnd); n != 0 {
		t.Errorf("node space has %d keys after expiry", n)
	}
}

func TestQuerySeeds(t *testing.T) {
	clock := new(mclock.Simulated)
	now := clock.Wall()
	const maxAge = 5 * 24 * time.Hour
	fresh := make(map[enode.ID]bool)
	var self enode.ID
	nodes := make([]*enode.Node, 60)
	for i := range nodes {
		nodes[i] = newNullNode(t, netip.AddrFrom4([4]byte{10, 0, 3, byte(i)}), 30303, 1)
	}
	self = nodes[0].ID()
	db := openMem(t, Config{Clock: clock, Self: self, noExpirer: true})
	for i, n := range nodes {
		db.UpdateNode(n)
		switch i % 4 {
		case 0: // fresh pong at the record's IP
			db.UpdateLastPongReceived(n.ID(), n.IPAddr(), now.Add(-time.Hour))
			if n.ID() != self {
				fresh[n.ID()] = true
			}
		case 1: // old pong
			db.UpdateLastPongReceived(n.ID(), n.IPAddr(), now.Add(-maxAge-time.Hour))
		case 2: // fresh pong, but from another IP than the record's
			db.UpdateLastPongReceived(n.ID(), ip6, now)
		case 3: // never answered
		}
	}
	// A fresh pong without a record is no seed either.
	var norecord enode.ID
	norecord[0] = 0x55
	db.UpdateLastPongReceived(norecord, ip4, now)

	seenAny := make(map[enode.ID]bool)
	for range 100 {
		seeds := db.QuerySeeds(10, maxAge)
		if len(seeds) > 10 {
			t.Fatalf("QuerySeeds(10) returned %d nodes", len(seeds))
		}
		dup := make(map[enode.ID]bool)
		for _, s := range seeds {
			if !fresh[s.ID()] {
				t.Fatalf("QuerySeeds returned ineligible node %v", s.ID())
			}
			if dup[s.ID()] {
				t.Fatalf("duplicate seed %v", s.ID())
			}
			dup[s.ID()] = true
			seenAny[s.ID()] = true
		}
	}
	// Random seeks reach every eligible node over 100 calls (the chance to
	// miss one is far below 1e-6).
	if len(seenAny) != len(fresh) {
		t.Errorf("QuerySeeds found %d of %d eligible nodes over 100 calls", len(seenAny), len(fresh))
	}
	if got := db.QuerySeeds(0, maxAge); got != nil {
		t.Error("QuerySeeds(0) returned nodes")
	}
	if got := openMem(t, Config{}).QuerySeeds(5, maxAge); len(got) != 0 {
		t.Error("QuerySeeds on empty DB returned nodes")
	}
}

// Many per-IP keys of one node (a node pinging from many addresses) neither
// make QuerySeeds read them all nor hide other nodes.
func TestQuerySeedsKeyFlood(t *testing.T) {
	db := openMem(t, Config{noExpirer: true})
	flood := newNullNode(t, ip4, 30303, 1)
	db.UpdateNode(flood)
	for i := range 5 * maxKeysPerNode {
		db.UpdateLastPingReceived(flood.ID(), netip.AddrFrom4([4]byte{10, 9, byte(i >> 8), byte(i)}), time.Now())
	}
	good := newNullNode(t, ip6, 30303, 1)
	db.UpdateNode(good)
	db.UpdateLastPongReceived(good.ID(), ip6, time.Now())
	found := false
	for range 20 {
		for _, s := range db.QuerySeeds(5, time.Hour) {
			if s.ID() != good.ID() {
				t.Fatalf("unexpected seed %v", s.ID())
			}
			found = true
		}
	}
	if !found {
		t.Error("flooded node hid the eligible one")
	}
}

// TestIdleHeap logs the heap cost of an idle in-memory database, the figure
// that matters for simulations of many nodes in one process.
func TestIdleHeap(t *testing.T) {
	const count = 20
	before := heapAlloc()
	dbs := make([]*DB, count)
	for i := range dbs {
		db, err := Open(Config{Logger: discardLogger()})
		if err != nil {
			t.Fatal(err)
		}
		db.StoreLocalSeq(enode.ID{1}, 1)
		dbs[i] = db
	}
	after := heapAlloc()
	t.Logf("idle in-memory node database: %d KiB of heap each (go-ethereum's: ~4 MiB)", int64(after-before)/count/1024)
	for _, db := range dbs {
		db.Close()
	}
}

func heapAlloc() uint64 {
	runtime.GC()
	runtime.GC()
	var m runtime.MemStats
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// benchNodes are signed v4 nodes, made once per process: signing 10,000
// records takes seconds.
var benchNodes = sync.OnceValue(func() []*enode.Node {
	nodes := make([]*enode.Node, 10_000)
	for i := range nodes {
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})
		n, err := makeV4Node(newKeyNoT(), ip, 30303, 1)
		if err != nil {
			panic(err)
		}
		nodes[i] = n
	}
	return nodes
})

// fillSeedDB stores count nodes, a third of them with a pong older than 5
// days, the rest fresh.
func fillSeedDB(b *testing.B, db *DB, count int, now time.Time) {
	for i, n := range benchNodes()[:count] {
		ip := n.IPAddr()
		if err := db.UpdateNode(n); err != nil {
			b.Fatal(err)
		}
		age := time.Hour
		if i%3 == 0 {
			age = 6 * 24 * time.Hour
		}
		db.UpdateLastPongReceived(n.ID(), ip, now.Add(-age))
	}
}

func BenchmarkQuerySeeds(b *testing.B) {
	for _, count := range []int{10_000} {
		b.Run(fmt.Sprint(count), func(b *testing.B) {
			clock := new(mclock.Simulated)
			db := openMem(b, Config{Clock: clock, noExpirer: true})
			fillSeedDB(b, db, count, clock.Wall())
			b.ReportAllocs()
			b.ResetTimer()
			found := 0
			for b.Loop() {
				found += len(db.QuerySeeds(30, 5*24*time.Hour))
			}
			b.ReportMetric(float64(found)/float64(b.N), "seeds/op")
		})
	}
}

func BenchmarkIdleHeap(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		db, err := Open(Config{Logger: discardLogger(), noExpirer: true})
		if err != nil {
			b.Fatal(err)
		}
		db.Close()
	}
}

// BenchmarkUpdateLastPong is the write done for every pong received.
func BenchmarkUpdateLastPong(b *testing.B) {
	db := openMem(b, Config{noExpirer: true})
	ids := make([]enode.ID, 1024)
	for i := range ids {
		ids[i][0], ids[i][1] = byte(i>>8), byte(i)
	}
	now := time.Now()
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		if err := db.UpdateLastPongReceived(ids[i%len(ids)], ip4, now); err != nil {
			b.Fatal(err)
		}
		i++
	}
}

// BenchmarkNode reads one stored v4 node back.
func BenchmarkNode(b *testing.B) {
	db := openMem(b, Config{noExpirer: true})
	n := benchNodes()[0]
	if err := db.UpdateNode(n); err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if db.Node(n.ID()) == nil {
			b.Fatal("node not found")
		}
	}
}
