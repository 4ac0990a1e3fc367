package nodedb

import (
	"errors"
	"net/netip"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cockroachdb/pebble/v2"
	"github.com/cockroachdb/pebble/v2/vfs"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

var (
	ip4       = netip.MustParseAddr("203.0.113.7")
	ip4mapped = netip.MustParseAddr("::ffff:203.0.113.7")
	ip6       = netip.MustParseAddr("2001:db8::1")
)

func TestRoundTrip(t *testing.T) {
	clock := new(mclock.Simulated)
	db := openMem(t, Config{Clock: clock})
	key := newKey(t)
	n := newNode(t, key, ip4, 30303, 3)
	id := n.ID()

	if db.Node(id) != nil {
		t.Fatal("node present before UpdateNode")
	}
	if err := db.UpdateNode(n); err != nil {
		t.Fatal(err)
	}
	got := db.Node(id)
	if got == nil || got.ID() != id || got.Seq() != 3 || got.IPAddr() != ip4 || got.UDP() != 30303 {
		t.Fatalf("Node = %v, want %v", got, n)
	}

	// Older records do not replace newer ones; newer ones do.
	if err := db.UpdateNode(newNode(t, key, ip6, 1, 2)); err != nil {
		t.Fatal(err)
	}
	if db.Node(id).Seq() != 3 {
		t.Fatal("older record replaced newer one")
	}
	if err := db.UpdateNode(newNode(t, key, ip6, 1, 4)); err != nil {
		t.Fatal(err)
	}
	if got := db.Node(id); got.Seq() != 4 || got.IPAddr() != ip6 {
		t.Fatal("newer record not stored")
	}

	// Per-IP fields; v4-mapped addresses are the same IP as plain IPv4.
	t1 := clock.Wall().Add(-time.Minute)
	if err := db.UpdateLastPingReceived(id, ip4mapped, t1); err != nil {
		t.Fatal(err)
	}
	if got := db.LastPingReceived(id, ip4); !got.Equal(t1) {
		t.Errorf("LastPingReceived = %v, want %v", got, t1)
	}
	if got := db.LastPingReceived(id, ip6); !got.IsZero() {
		t.Errorf("LastPingReceived(other IP) = %v, want zero", got)
	}
	t2 := clock.Wall()
	if err := db.UpdateLastPongReceived(id, ip6, t2); err != nil {
		t.Fatal(err)
	}
	if got := db.LastPongReceived(id, ip6); !got.Equal(t2) {
		t.Errorf("LastPongReceived = %v, want %v", got, t2)
	}
	if got := db.LastPongReceived(id, ip4); !got.IsZero() {
		t.Errorf("LastPongReceived(other IP) = %v, want zero", got)
	}
	if err := db.UpdateFindFails(id, ip4, 3); err != nil {
		t.Fatal(err)
	}
	if got := db.FindFails(id, ip4mapped); got != 3 {
		t.Errorf("FindFails = %d, want 3", got)
	}
	if err := db.UpdateFindFails(id, ip4, 0); err != nil {
		t.Fatal(err)
	}
	if got := db.FindFails(id, ip4); got != 0 {
		t.Errorf("FindFails after reset = %d, want 0", got)
	}

	// Local sequence numbers are per local ID.
	var self enode.ID
	self[0] = 1
	db.StoreLocalSeq(self, 42)
	if got := db.LocalSeq(self); got != 42 {
		t.Errorf("LocalSeq = %d, want 42", got)
	}
	if got := db.LocalSeq(id); got != 0 {
		t.Errorf("LocalSeq(other) = %d, want 0", got)
	}

	// Unsigned nodes from enode:// URLs (static peers) are stored too.
	unsigned := enode.NewV4(&newKey(t).PublicKey, ip4.AsSlice(), 30303, 30301)
	if err := db.UpdateNode(unsigned); err != nil {
		t.Fatal("UpdateNode(unsigned):", err)
	}
	if got := db.Node(unsigned.ID()); got == nil || got.URLv4() != unsigned.URLv4() {
		t.Errorf("unsigned node: got %v, want %v", got, unsigned)
	}

	db.DeleteNode(id)
	if db.Node(id) != nil || !db.LastPongReceived(id, ip6).IsZero() || !db.LastPingReceived(id, ip4).IsZero() {
		t.Error("DeleteNode left data behind")
	}
	if db.LocalSeq(self) != 42 {
		t.Error("DeleteNode removed a local sequence number")
	}
}

// Invalid IPs come from bugs, not peers; they must give errors, not panics
// (go-ethereum 817a3fb562).
func TestInvalidIP(t *testing.T) {
	db := openMem(t, Config{})
	var id enode.ID
	var bad netip.Addr
	if err := db.UpdateLastPingReceived(id, bad, time.Now()); err == nil {
		t.Error("UpdateLastPingReceived accepted an invalid IP")
	}
	if err := db.UpdateLastPongReceived(id, bad, time.Now()); err == nil {
		t.Error("UpdateLastPongReceived accepted an invalid IP")
	}
	if err := db.UpdateFindFails(id, bad, 1); err == nil {
		t.Error("UpdateFindFails accepted an invalid IP")
	}
	if !db.LastPingReceived(id, bad).IsZero() || !db.LastPongReceived(id, bad).IsZero() || db.FindFails(id, bad) != 0 {
		t.Error("reads with an invalid IP returned data")
	}
	// A zoned address is stored without its zone.
	zoned := netip.MustParseAddr("fe80::1%eth0")
	now := time.Unix(time.Now().Unix(), 0)
	if err := db.UpdateLastPongReceived(id, zoned, now); err != nil {
		t.Fatal(err)
	}
	if got := db.LastPongReceived(id, netip.MustParseAddr("fe80::1")); !got.Equal(now) {
		t.Errorf("zoned address: got %v", got)
	}
}

func TestRestart(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "nodes")
	log, warns := newTestLogger(t)
	clock := new(mclock.Simulated)
	now := clock.Wall()
	n := newNode(t, newKey(t), ip4, 30303, 7)
	var self enode.ID
	self[31] = 9

	db, err := Open(Config{Path: dir, Clock: clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	if err := db.UpdateNode(n); err != nil {
		t.Fatal(err)
	}
	db.UpdateLastPongReceived(n.ID(), ip4, now)
	db.UpdateLastPingReceived(n.ID(), ip4, now.Add(-time.Second))
	db.UpdateFindFails(n.ID(), ip4, 2)
	db.StoreLocalSeq(self, 1234)
	if err := db.UpdatePeerSuccess(n, now); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}

	db, err = Open(Config{Path: dir, Clock: clock, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if got := db.Node(n.ID()); got == nil || got.Seq() != 7 || got.IPAddr() != ip4 {
		t.Fatalf("after restart Node = %v", got)
	}
	if !db.LastPongReceived(n.ID(), ip4).Equal(now) ||
		!db.LastPingReceived(n.ID(), ip4).Equal(now.Add(-time.Second)) ||
		db.FindFails(n.ID(), ip4) != 2 || db.LocalSeq(self) != 1234 ||
		!db.LastPeerSuccess(n.ID()).Equal(now) {
		t.Error("fields lost across restart")
	}
	if gp := db.GoodPeers(5); len(gp) != 1 || gp[0].ID() != n.ID() {
		t.Errorf("GoodPeers after restart = %v", gp)
	}
	if w := warns(); w != 0 {
		t.Errorf("%d warnings on a clean restart", w)
	}
}

// A path that does not hold a database of ours never stops Open.
func TestOpenBadPath(t *testing.T) {
	tests := []struct {
		name  string
		setup func(t *testing.T, path string)
	}{
		{"file", func(t *testing.T, path string) {
			os.WriteFile(path, []byte("not a database"), 0o644)
		}},
		{"foreign-dir", func(t *testing.T, path string) {
			os.Mkdir(path, 0o755)
			os.WriteFile(filepath.Join(path, "notes.txt"), []byte("hello"), 0o644)
		}},
		{"leveldb-like", func(t *testing.T, path string) {
			os.Mkdir(path, 0o755)
			os.WriteFile(filepath.Join(path, "CURRENT"), []byte("MANIFEST-000001\n"), 0o644)
			os.WriteFile(filepath.Join(path, "MANIFEST-000001"), []byte("garbage"), 0o644)
			os.WriteFile(filepath.Join(path, "LOCK"), nil, 0o644)
		}},
		{"corrupt-pebble", func(t *testing.T, path string) {
			makeDB(t, path, nil)
			// Scribble over every file pebble wrote.
			entries, _ := os.ReadDir(path)
			for _, e := range entries {
				if e.Type().IsRegular() && e.Name() != "LOCK" {
					os.WriteFile(filepath.Join(path, e.Name()), []byte("\xde\xad\xbe\xef garbage"), 0o644)
				}
			}
		}},
		{"other-version", func(t *testing.T, path string) {
			makeDB(t, path, func(pdb *pebble.DB) { pdb.Set(versionKey, encodeUint(schemaVersion+1), pebble.Sync) })
		}},
		{"foreign-pebble", func(t *testing.T, path string) {
			makeDB(t, path, func(pdb *pebble.DB) { pdb.Set([]byte("some other app"), []byte("x"), pebble.Sync) })
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			base := t.TempDir()
			path := filepath.Join(base, "nodes")
			tt.setup(t, path)
			log, warns := newTestLogger(t)
			db, err := Open(Config{Path: path, Logger: log})
			if err != nil {
				t.Fatalf("Open failed: %v", err)
			}
			defer db.Close()
			if warns() == 0 {
				t.Error("no warning logged")
			}
			if db.path != path {
				t.Errorf("fell back to memory instead of recreating %s", path)
			}
			n := newNullNode(t, ip4, 1, 1)
			if err := db.UpdateNode(n); err != nil || db.Node(n.ID()) == nil {
				t.Fatalf("fresh database does not work: %v", err)
			}
			entries, _ := os.ReadDir(base)
			aside := false
			for _, e := range entries {
				aside = aside || strings.HasPrefix(e.Name(), "nodes.corrupt-")
			}
			if !aside {
				t.Error("old data was not moved aside")
			}
		})
	}
}

// makeDB creates a raw pebble database at path.
func makeDB(t *testing.T, path string, fill func(*pebble.DB)) {
	pdb, err := pebble.Open(path, &pebble.Options{FS: vfs.Default, Logger: pebbleLogger{discardLogger()}})
	if err != nil {
		t.Fatal(err)
	}
	if fill != nil {
		fill(pdb)
	}
	pdb.Close()
}

// A database locked by another user falls back to memory rather than moving
// the other user's data away.
func TestOpenLocked(t *testing.T) {
	path := filepath.Join(t.TempDir(), "nodes")
	log, _ := newTestLogger(t)
	first, err := Open(Config{Path: path, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer first.Close()
	n := newNullNode(t, ip4, 1, 1)
	first.UpdateNode(n)

	second, err := Open(Config{Path: path, Logger: log})
	if err != nil {
		t.Fatal(err)
	}
	defer second.Close()
	if second.path != "" {
		t.Error("second Open of a locked database did not fall back to memory")
	}
	if first.Node(n.ID()) == nil {
		t.Error("first database lost its data")
	}
}

func TestCloseIdempotent(t *testing.T) {
	before := runtime.NumGoroutine()
	db, err := Open(Config{})
	if err != nil {
		t.Fatal(err)
	}
	n := newNullNode(t, ip4, 1, 1)
	db.UpdateNode(n)
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal("second Close:", err)
	}
	// Use after Close: zero values and ErrClosed, no panic.
	if db.Node(n.ID()) != nil || db.QuerySeeds(3, time.Hour) != nil || db.GoodPeers(3) != nil {
		t.Error("reads after Close returned data")
	}
	if err := db.UpdateNode(n); !errors.Is(err, ErrClosed) {
		t.Errorf("UpdateNode after Close: %v, want ErrClosed", err)
	}
	if err := db.UpdatePeerSuccess(n, time.Now()); !errors.Is(err, ErrClosed) {
		t.Errorf("UpdatePeerSuccess after Close: %v, want ErrClosed", err)
	}
	db.StoreLocalSeq(n.ID(), 1)
	db.DeleteNode(n.ID())
	if db.ExpireNodes() != 0 {
		t.Error("ExpireNodes after Close did something")
	}
	checkGoroutines(t, before)
}

// checkGoroutines waits (without sleeping) for pebble's and our goroutines to
// be gone: Close returns after they were told to stop, and they exit soon.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	for i := 0; i < 100000; i++ {
		if runtime.NumGoroutine() <= before {
			return
		}
		runtime.Gosched()
	}
	buf := make([]byte, 1<<16)
	t.Errorf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
}

func TestConcurrent(t *testing.T) {
	clock := new(mclock.Simulated)
	db, err := Open(Config{Clock: clock})
	if err != nil {
		t.Fatal(err)
	}
	const workers, ops = 8, 50
	nodes := make([]*enode.Node, 16)
	for i := range nodes {
		nodes[i] = newNullNode(t, netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), 30303, uint64(i))
	}
	var wg sync.WaitGroup
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range ops {
				n := nodes[(w+i)%len(nodes)]
				switch i % 8 {
				case 0:
					db.UpdateNode(n)
				case 1:
					db.UpdateLastPongReceived(n.ID(), n.IPAddr(), clock.Wall())
				case 2:
					db.UpdatePeerSuccess(n, clock.Wall().Add(time.Duration(i)*time.Second))
				case 3:
					db.QuerySeeds(5, time.Hour)
				case 4:
					db.GoodPeers(5)
				case 5:
					db.ExpireNodes()
					clock.Run(time.Hour)
				case 6:
					db.DeleteNode(n.ID())
				case 7:
					db.StoreLocalSeq(n.ID(), uint64(i))
					db.Node(n.ID())
				}
			}
		}()
	}
	// Close while the workers run: they must see ErrClosed or zero values.
	wg.Add(1)
	go func() {
		defer wg.Done()
		db.Close()
	}()
	wg.Wait()
}

// The good-peer index stays consistent with the per-node time under updates,
// deletes and expiry.
func TestGoodPeers(t *testing.T) {
	clock := new(mclock.Simulated)
	var self enode.ID
	nodes := make([]*enode.Node, 6)
	for i := range nodes {
		nodes[i] = newNullNode(t, netip.AddrFrom4([4]byte{10, 0, 1, byte(i)}), 30303, 1)
	}
	self = nodes[5].ID()
	db := openMem(t, Config{Clock: clock, Self: self})
	now := clock.Wall()
	for i, n := range nodes {
		if err := db.UpdatePeerSuccess(n, now.Add(time.Duration(i)*time.Minute)); err != nil {
			t.Fatal(err)
		}
	}
	// Node 0 becomes the most recent.
	db.UpdatePeerSuccess(nodes[0], now.Add(time.Hour))
	want := []int{0, 4, 3, 2, 1} // 5 is self
	got := db.GoodPeers(10)
	if len(got) != len(want) {
		t.Fatalf("GoodPeers returned %d nodes, want %d", len(got), len(want))
	}
	for i, w := range want {
		if got[i].ID() != nodes[w].ID() {
			t.Errorf("GoodPeers[%d] = node %v, want node %d", i, got[i].ID(), w)
		}
	}
	if got := db.GoodPeers(2); len(got) != 2 || got[0].ID() != nodes[0].ID() || got[1].ID() != nodes[4].ID() {
		t.Error("GoodPeers(2) is not the two most recent")
	}
	db.DeleteNode(nodes[4].ID())
	if got := db.GoodPeers(2); len(got) != 2 || got[1].ID() != nodes[3].ID() {
		t.Error("deleted node still listed")
	}
	if n := countKeys(t, db, goodSpaceStart, goodSpaceEnd); n != 5 {
		t.Errorf("good-peer index has %d entries, want 5", n)
	}
}

func countKeys(t *testing.T, db *DB, lo, hi []byte) int {
	pdb := db.acquire()
	defer db.release()
	it, err := pdb.NewIter(&pebble.IterOptions{LowerBound: lo, UpperBound: hi})
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	n := 0
	for ok := it.First(); ok; ok = it.Next() {
		n++
	}
	return n
}
