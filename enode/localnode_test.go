package enode

import (
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/mclock"
)

type memLocalDB struct {
	mu  sync.Mutex
	seq map[ID]uint64
}

func (db *memLocalDB) LocalSeq(id ID) uint64 {
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.seq[id]
}

func (db *memLocalDB) StoreLocalSeq(id ID, seq uint64) {
	db.mu.Lock()
	defer db.mu.Unlock()
	if db.seq == nil {
		db.seq = make(map[ID]uint64)
	}
	db.seq[id] = seq
}

// testStart is the wall time of the tests' simulated clocks.
var testStart = mclock.SimulatedEpoch

func newTestLocalNode(t *testing.T, db LocalDB) (*LocalNode, *mclock.Simulated) {
	t.Helper()
	key, err := crypto.HexToECDSA("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	if err != nil {
		t.Fatal(err)
	}
	clock := new(mclock.Simulated)
	return NewLocalNodeWithClock(db, key, clock), clock
}

func TestLocalNodeSeq(t *testing.T) {
	db := new(memLocalDB)
	ln, _ := newTestLocalNode(t, db)
	startSeq := uint64(testStart.UnixMilli())

	n1 := ln.Node()
	if n1.Seq() != startSeq+1 || ln.Seq() != startSeq+1 {
		t.Fatalf("first seq %d, want %d", n1.Seq(), startSeq+1)
	}
	if db.LocalSeq(ln.ID()) != n1.Seq() {
		t.Fatal("seq not stored")
	}
	if ln.Node() != n1 {
		t.Fatal("unchanged record re-signed")
	}
	// Setting the same value again changes nothing.
	ln.Set(enr.TCP(30303))
	n2 := ln.Node()
	if n2.Seq() != n1.Seq()+1 || n2.TCP() != 30303 {
		t.Fatalf("after Set: seq %d tcp %d", n2.Seq(), n2.TCP())
	}
	ln.Set(enr.TCP(30303))
	if ln.Node() != n2 {
		t.Fatal("identical Set re-signed")
	}
	// Several changes, one signature.
	ln.Set(enr.Generic{Key: "eth", Value: []uint{1}})
	ln.Set(enr.Generic{Key: "snap", Value: []uint{}})
	ln.Delete(enr.Generic{Key: "snap"})
	n3 := ln.Node()
	if n3.Seq() != n2.Seq()+1 {
		t.Fatalf("batched changes: seq %d", n3.Seq())
	}
	if _, err := New(ValidSchemes, n3.Record()); err != nil {
		t.Fatal("record does not verify:", err)
	}
	if n3.ID() != ln.ID() {
		t.Fatal("ID")
	}

	// Restart with the same DB: the seq continues, never reused.
	ln2, _ := newTestLocalNode(t, db)
	if got := ln2.Node().Seq(); got != n3.Seq()+1 {
		t.Fatalf("after restart: seq %d, want %d", got, n3.Seq()+1)
	}
	// Restart without a DB: seeded from the clock.
	ln3, _ := newTestLocalNode(t, nil)
	if got := ln3.Node().Seq(); got != startSeq+1 {
		t.Fatalf("no DB: seq %d", got)
	}
}

func TestLocalNodeEndpoints(t *testing.T) {
	ln, _ := newTestLocalNode(t, new(memLocalDB))
	ln.SetFallbackIP(net.IP{127, 0, 0, 1})
	ln.SetFallbackUDP(30303)
	check := func(wantIP string, wantUDP int) {
		t.Helper()
		n := ln.Node()
		if wantIP == "" {
			if n.IPAddr().IsValid() {
				t.Fatalf("IP %v, want none", n.IPAddr())
			}
			return
		}
		if n.IPAddr() != netip.MustParseAddr(wantIP) || n.UDP() != wantUDP {
			t.Fatalf("endpoint %v:%d, want %s:%d", n.IPAddr(), n.UDP(), wantIP, wantUDP)
		}
	}
	check("127.0.0.1", 30303)

	// Statements below the threshold don't change the record.
	predicted := netip.MustParseAddrPort("1.2.3.4:40404")
	from := func(i int) netip.AddrPort {
		return netip.MustParseAddrPort(fmt.Sprintf("10.0.%d.1:30303", i))
	}
	for i := range iptrackMinSubnets - 1 {
		ln.UDPContact(from(i))
		ln.UDPEndpointStatement(from(i), predicted)
	}
	check("127.0.0.1", 30303)
	// One host repeating itself (from many ports) doesn't count twice.
	for p := range 5 {
		ln.UDPEndpointStatement(netip.AddrPortFrom(from(0).Addr(), uint16(p+1)), predicted)
	}
	check("127.0.0.1", 30303)
	ln.UDPEndpointStatement(from(iptrackMinSubnets), predicted)
	check("1.2.3.4", 40404)

	// A static IP wins over the prediction (with the fallback port).
	ln.SetStaticIP(net.ParseIP("5.6.7.8"))
	check("5.6.7.8", 30303)

	// IPv6 statements are tracked separately and add ip6/udp6.
	pred6 := netip.MustParseAddrPort("[2a00::1]:30303")
	for i := range iptrackMinSubnets {
		ln.UDPEndpointStatement(netip.MustParseAddrPort(fmt.Sprintf("[2a00:%x::1]:1", i+10)), pred6)
	}
	var ip6 enr.IPv6
	var udp6 enr.UDP6
	n := ln.Node()
	if err := n.Load(&ip6); err != nil || ip6.Addr() != pred6.Addr() {
		t.Fatalf("ip6: %v %v", ip6.Addr(), err)
	}
	if err := n.Load(&udp6); err == nil {
		t.Fatal("udp6 set although it equals udp")
	}

	// Statements expire: without a static IP the record falls back.
	ln2, clock2 := newTestLocalNode(t, new(memLocalDB))
	ln2.SetFallbackIP(net.IP{127, 0, 0, 1})
	ln2.SetFallbackUDP(30303)
	for i := range iptrackMinSubnets {
		ln2.UDPEndpointStatement(from(i), predicted)
	}
	if ln2.Node().IPAddr().String() != "1.2.3.4" {
		t.Fatal("prediction not used")
	}
	clock2.Run(iptrackWindow)
	// A statement for another endpoint triggers re-evaluation; alone it is
	// too few votes to become the prediction.
	ln2.UDPEndpointStatement(from(100), netip.MustParseAddrPort("9.9.9.9:1"))
	if got := ln2.Node().IPAddr().String(); got != "127.0.0.1" {
		t.Fatalf("expired prediction still used: %s", got)
	}
}

func TestLocalNodeConcurrent(t *testing.T) {
	ln, _ := newTestLocalNode(t, new(memLocalDB))
	var wg sync.WaitGroup
	for i := range 4 {
		wg.Go(func() {
			for j := range 20 {
				ln.Set(enr.TCP(1000 + i*100 + j))
				n := ln.Node()
				if n == nil || n.ID() != ln.ID() {
					t.Error("bad node")
					return
				}
				ln.UDPEndpointStatement(netip.MustParseAddrPort(fmt.Sprintf("10.0.0.%d:1", j)), netip.MustParseAddrPort("1.2.3.4:5"))
			}
		})
	}
	wg.Wait()
	// Seqs handed out are unique and increasing.
	if ln.Node().Seq() != ln.Seq() {
		t.Fatal("Seq mismatch")
	}
}

func BenchmarkLocalNodeNode(b *testing.B) {
	key, _ := crypto.GenerateKey()
	ln := NewLocalNode(nil, key)
	ln.Node()
	b.ReportAllocs()
	for b.Loop() {
		ln.Node()
	}
}

// A node without discovery has no UDP port, but its record must still carry
// the IP so that its TCP endpoint is dialable.
func TestLocalNodeIPWithoutUDP(t *testing.T) {
	ln, _ := newTestLocalNode(t, new(memLocalDB))
	ln.Set(enr.TCP(30303))
	if n := ln.Node(); n.IPAddr().IsValid() {
		t.Fatalf("IP %v before any was set", n.IPAddr())
	}
	ln.SetFallbackIP(net.IP{127, 0, 0, 1})
	n := ln.Node()
	if ep, ok := n.TCPEndpoint(); !ok || ep != netip.MustParseAddrPort("127.0.0.1:30303") {
		t.Fatalf("TCP endpoint %v %v, want 127.0.0.1:30303", ep, ok)
	}
	if _, ok := n.UDPEndpoint(); ok || n.Record().Get("udp") != nil {
		t.Fatal("udp entry without a UDP port")
	}
	if err := n.ValidateComplete(); err == nil {
		t.Fatal("record without udp counts as complete for discovery")
	}

	// Discovery starts: the port joins the IP.
	ln.SetFallbackUDP(30304)
	n = ln.Node()
	if ep, ok := n.UDPEndpoint(); !ok || ep != netip.MustParseAddrPort("127.0.0.1:30304") {
		t.Fatalf("UDP endpoint %v %v", ep, ok)
	}
	if n.TCP() != 30303 {
		t.Fatalf("tcp %d", n.TCP())
	}

	// An IPv6 address with no port of its own: ip6 without udp6.
	ln6, _ := newTestLocalNode(t, new(memLocalDB))
	ln6.SetFallbackIP(net.ParseIP("2a00::1"))
	n = ln6.Node()
	var ip6 enr.IPv6
	if err := n.Load(&ip6); err != nil || ip6.Addr() != netip.MustParseAddr("2a00::1") {
		t.Fatalf("ip6 %v %v", ip6.Addr(), err)
	}
	if n.Record().Get("udp6") != nil || n.Record().Get("ip") != nil {
		t.Fatal("unexpected udp6 or ip entry")
	}
}
