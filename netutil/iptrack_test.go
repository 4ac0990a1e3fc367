package netutil

import (
	"fmt"
	"net/netip"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

const (
	testWindow        = 10 * time.Second
	testContactWindow = 20 * time.Second
	testMinSubnets    = 3
)

// host returns a host in the i-th IPv4 /24 of 20.0.0.0/8.
func host(i int) netip.Addr { return netip.AddrFrom4([4]byte{20, byte(i >> 8), byte(i), 1}) }

func TestIPTrackerPredictEndpoint(t *testing.T) {
	clock := new(mclock.Simulated)
	it := NewIPTracker(testWindow, testContactWindow, testMinSubnets, clock)
	ep1 := netip.MustParseAddrPort("1.2.3.4:30303")
	ep2 := netip.MustParseAddrPort("5.6.7.8:30303")

	check := func(want netip.AddrPort) {
		t.Helper()
		if got := it.PredictEndpoint(); got != want {
			t.Fatalf("PredictEndpoint = %v, want %v", got, want)
		}
	}
	check(netip.AddrPort{})
	it.AddStatement(host(1), ep1)
	it.AddStatement(host(2), ep1)
	check(netip.AddrPort{}) // below minSubnets
	it.AddStatement(host(3), ep1)
	check(ep1)
	// The same host, or other hosts of its /24, repeating themselves add no
	// votes.
	for i := range 10 {
		it.AddStatement(netip.AddrFrom4([4]byte{20, 0, 9, byte(i)}), ep2)
	}
	check(ep1)
	it.AddStatement(host(10), ep2)
	it.AddStatement(host(11), ep2)
	check(ep1) // 3 against 3: no majority, the prediction stays
	clock.Run(time.Second)
	it.AddStatement(host(12), ep2) // ep2 now has 4 votes of 7
	check(ep2)
	// Statements expire after the window; the prediction stays while one
	// vote is left and is dropped with the last.
	clock.Run(testWindow - time.Second)
	check(ep2) // only host(12)'s vote for ep2 is left
	clock.Run(time.Second)
	check(netip.AddrPort{})
}

// TestIPTrackerSubnets: IPv4 hosts vote per /24 and IPv6 hosts per /48, and
// the latest vote of a subnet replaces its earlier one.
func TestIPTrackerSubnets(t *testing.T) {
	for _, tt := range []struct {
		a, b string
		same bool
	}{
		{"20.0.1.1", "20.0.1.254", true},
		{"20.0.1.1", "20.0.2.1", false},
		{"::ffff:20.0.1.1", "20.0.1.7", true},
		{"2a00:1:2::1", "2a00:1:2:ffff::9", true},
		{"2a00:1:2::1", "2a00:1:3::1", false},
		{"fe80::1%eth0", "fe80::2", true},
	} {
		a, b := netip.MustParseAddr(tt.a), netip.MustParseAddr(tt.b)
		if got := VoteSubnet(a) == VoteSubnet(b); got != tt.same {
			t.Errorf("same subnet(%v, %v) = %v, want %v", a, b, got, tt.same)
		}
	}

	clock := new(mclock.Simulated)
	it := NewIPTracker(testWindow, testContactWindow, 2, clock)
	ep1 := netip.MustParseAddrPort("1.2.3.4:1")
	ep2 := netip.MustParseAddrPort("5.6.7.8:1")
	it.AddStatement(netip.MustParseAddr("20.0.1.1"), ep1)
	it.AddStatement(netip.MustParseAddr("20.0.2.1"), ep1)
	if got := it.PredictEndpoint(); got != ep1 {
		t.Fatalf("got %v, want %v", got, ep1)
	}
	// Another host of the first /24 changes that subnet's vote: 1 against 1.
	it.AddStatement(netip.MustParseAddr("20.0.1.2"), ep2)
	if got := it.PredictEndpoint(); got != ep1 {
		t.Fatalf("no majority moved the prediction to %v", got)
	}
	it.AddStatement(netip.MustParseAddr("20.0.2.2"), ep2)
	if got := it.PredictEndpoint(); got != ep2 {
		t.Fatalf("got %v, want %v after both subnets changed their vote", got, ep2)
	}
}

// TestIPTrackerOneSubnetFlood: any number of statements from one /24 is one
// vote and cannot move an established prediction, nor make one.
func TestIPTrackerOneSubnetFlood(t *testing.T) {
	clock := new(mclock.Simulated)
	it := NewIPTracker(testWindow, testContactWindow, testMinSubnets, clock)
	fake := netip.MustParseAddrPort("9.9.9.9:30303")
	for i := range 1000 {
		it.AddStatement(netip.AddrFrom4([4]byte{30, 0, 0, byte(i)}), fake)
	}
	if got := it.PredictEndpoint(); got.IsValid() {
		t.Fatalf("one subnet made a prediction: %v", got)
	}
	honest := netip.MustParseAddrPort("1.2.3.4:30303")
	for i := range 3 {
		it.AddStatement(host(i), honest)
	}
	for i := range 1000 {
		it.AddStatement(netip.AddrFrom4([4]byte{30, 0, 0, byte(i)}), fake)
		clock.Run(time.Millisecond)
	}
	if got := it.PredictEndpoint(); got != honest {
		t.Fatalf("got %v, want %v", got, honest)
	}
}

func TestIPTrackerTieBreak(t *testing.T) {
	clock := new(mclock.Simulated)
	it := NewIPTracker(testWindow, testContactWindow, 1, clock)
	ep1 := netip.MustParseAddrPort("1.2.3.4:1")
	ep2 := netip.MustParseAddrPort("1.2.3.4:2")
	it.AddStatement(host(1), ep1)
	if got := it.PredictEndpoint(); got != ep1 {
		t.Fatalf("got %v", got)
	}
	// A tie is no majority: the prediction stays, however often asked.
	it.AddStatement(host(2), ep2)
	for range 20 {
		if got := it.PredictEndpoint(); got != ep1 {
			t.Fatalf("tie: got %v", got)
		}
	}
	clock.Run(time.Millisecond)
	it.AddStatement(host(1), ep2)
	if got := it.PredictEndpoint(); got != ep2 {
		t.Fatalf("majority: got %v", got)
	}
}

func TestIPTrackerFullCone(t *testing.T) {
	clock := new(mclock.Simulated)
	it := NewIPTracker(testWindow, testContactWindow, testMinSubnets, clock)
	ep := netip.MustParseAddrPort("1.2.3.4:30303")
	a, b := host(1), host(2)
	if it.PredictFullConeNAT() {
		t.Fatal("full cone with no data")
	}
	it.AddContact(a)
	clock.Run(time.Second)
	it.AddStatement(a, ep)
	if it.PredictFullConeNAT() {
		t.Fatal("full cone after a solicited statement")
	}
	it.AddStatement(b, ep) // never contacted
	if !it.PredictFullConeNAT() {
		t.Fatal("no full cone after an unsolicited statement")
	}
	// b's statement expires.
	clock.Run(testWindow)
	it.AddContact(a)
	clock.Run(time.Second)
	it.AddStatement(a, ep)
	if it.PredictFullConeNAT() {
		t.Fatal("full cone after expiry")
	}
	// The contact expires before a's next statement.
	clock.Run(testContactWindow)
	it.AddStatement(a, ep)
	if !it.PredictFullConeNAT() {
		t.Fatal("statement after contact expiry counts as unsolicited")
	}
}

func TestIPTrackerMemoryBounded(t *testing.T) {
	clock := new(mclock.Simulated)
	it := NewIPTracker(testWindow, testContactWindow, testMinSubnets, clock)
	ep := netip.MustParseAddrPort("1.2.3.4:30303")
	for i := range 3000 {
		it.AddStatement(host(i), ep)
		it.AddContact(host(i))
		clock.Run(10 * time.Millisecond)
	}
	// 10 s window at 100 statements/s: about 1000 left (+ one GC interval).
	if n := len(it.votes); n > 1100 {
		t.Fatalf("%d votes kept", n)
	}
	if n := len(it.contact); n > 2100 {
		t.Fatalf("%d contacts kept", n)
	}
	// Without time passing, the cap holds (lowered here, since eviction
	// scans the map).
	it = NewIPTracker(testWindow, testContactWindow, testMinSubnets, clock)
	it.maxTracked = 500
	for i := range 2000 {
		it.AddStatement(netip.AddrFrom4([4]byte{40, byte(i >> 16), byte(i >> 8), byte(i)}), ep)
		it.AddContact(netip.AddrFrom4([4]byte{40, byte(i >> 16), byte(i >> 8), byte(i)}))
	}
	if len(it.votes) > it.maxTracked || len(it.contact) > it.maxTracked {
		t.Fatalf("%d votes, %d contacts kept, cap %d", len(it.votes), len(it.contact), it.maxTracked)
	}
}

func BenchmarkIPTrackerPredict(b *testing.B) {
	it := NewIPTracker(time.Hour, time.Hour, 10, nil)
	for i := range 100 {
		it.AddStatement(host(i), netip.AddrPortFrom(netip.MustParseAddr("1.2.3.4"), uint16(i%3)))
	}
	b.ReportAllocs()
	for b.Loop() {
		it.PredictEndpoint()
	}
}

func ExampleIPTracker() {
	it := NewIPTracker(5*time.Minute, 10*time.Minute, 3, nil)
	seen := netip.MustParseAddrPort("203.0.113.7:30303")
	for _, voter := range []string{"198.51.100.1", "192.0.2.9", "100.1.2.3", "100.1.2.4"} {
		it.AddStatement(netip.MustParseAddr(voter), seen)
	}
	fmt.Println(it.PredictEndpoint())
	// Output: 203.0.113.7:30303
}
