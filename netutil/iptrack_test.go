package netutil

import (
	"fmt"
	"net/netip"
	"testing"
	"time"
)

// fakeClock is a manual clock for IPTracker.
type fakeClock struct{ t time.Time }

func (c *fakeClock) now() time.Time      { return c.t }
func (c *fakeClock) run(d time.Duration) { c.t = c.t.Add(d) }

const (
	testWindow        = 10 * time.Second
	testContactWindow = 20 * time.Second
	testMinStatements = 3
)

func TestIPTrackerPredictEndpoint(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	it := NewIPTracker(testWindow, testContactWindow, testMinStatements, clock.now)
	ep1 := netip.MustParseAddrPort("1.2.3.4:30303")
	ep2 := netip.MustParseAddrPort("5.6.7.8:30303")

	check := func(want netip.AddrPort) {
		t.Helper()
		if got := it.PredictEndpoint(); got != want {
			t.Fatalf("PredictEndpoint = %v, want %v", got, want)
		}
	}
	check(netip.AddrPort{})
	it.AddStatement("a", ep1)
	it.AddStatement("b", ep1)
	check(netip.AddrPort{}) // below minStatements
	it.AddStatement("c", ep1)
	check(ep1)
	// The same host repeating itself does not add votes.
	for range 10 {
		it.AddStatement("x", ep2)
	}
	check(ep1)
	it.AddStatement("y", ep2)
	it.AddStatement("z", ep2)
	clock.run(time.Second)
	it.AddStatement("w", ep2) // ep2 now has 4 votes vs 3
	check(ep2)
	// Statements expire after the window.
	clock.run(testWindow - time.Second)
	check(netip.AddrPort{}) // only w's vote for ep2 is left
	clock.run(time.Second)
	check(netip.AddrPort{})
}

func TestIPTrackerTieBreak(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	it := NewIPTracker(testWindow, testContactWindow, 1, clock.now)
	ep1 := netip.MustParseAddrPort("1.2.3.4:1")
	ep2 := netip.MustParseAddrPort("1.2.3.4:2")
	it.AddStatement("a", ep2)
	it.AddStatement("b", ep1)
	// Same count, same time: the smaller endpoint wins, deterministically.
	for range 20 {
		if got := it.PredictEndpoint(); got != ep1 {
			t.Fatalf("tie: got %v", got)
		}
	}
	clock.run(time.Millisecond)
	it.AddStatement("a", ep2)
	if got := it.PredictEndpoint(); got != ep2 {
		t.Fatalf("tie broken by recency: got %v", got)
	}
}

func TestIPTrackerFullCone(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	it := NewIPTracker(testWindow, testContactWindow, testMinStatements, clock.now)
	ep := netip.MustParseAddrPort("1.2.3.4:30303")
	if it.PredictFullConeNAT() {
		t.Fatal("full cone with no data")
	}
	it.AddContact("a")
	clock.run(time.Second)
	it.AddStatement("a", ep)
	if it.PredictFullConeNAT() {
		t.Fatal("full cone after a solicited statement")
	}
	it.AddStatement("b", ep) // never contacted
	if !it.PredictFullConeNAT() {
		t.Fatal("no full cone after an unsolicited statement")
	}
	// b's statement expires.
	clock.run(testWindow)
	it.AddContact("a")
	clock.run(time.Second)
	it.AddStatement("a", ep)
	if it.PredictFullConeNAT() {
		t.Fatal("full cone after expiry")
	}
	// The contact expires before a's next statement.
	clock.run(testContactWindow)
	it.AddStatement("a", ep)
	if !it.PredictFullConeNAT() {
		t.Fatal("statement after contact expiry counts as unsolicited")
	}
}

func TestIPTrackerMemoryBounded(t *testing.T) {
	clock := &fakeClock{t: time.Unix(1000, 0)}
	it := NewIPTracker(testWindow, testContactWindow, testMinStatements, clock.now)
	ep := netip.MustParseAddrPort("1.2.3.4:30303")
	for i := range 10000 {
		it.AddStatement(fmt.Sprint(i), ep)
		it.AddContact(fmt.Sprint(i))
		clock.run(10 * time.Millisecond)
	}
	// 10 s window at 100 statements/s: about 1000 left (+ one GC interval).
	if n := len(it.statements); n > 1100 {
		t.Fatalf("%d statements kept", n)
	}
	if n := len(it.contact); n > 2100 {
		t.Fatalf("%d contacts kept", n)
	}
}

func BenchmarkIPTrackerPredict(b *testing.B) {
	it := NewIPTracker(time.Hour, time.Hour, 10, nil)
	for i := range 100 {
		it.AddStatement(fmt.Sprint(i), netip.AddrPortFrom(netip.MustParseAddr("1.2.3.4"), uint16(i%3)))
	}
	b.ReportAllocs()
	for b.Loop() {
		it.PredictEndpoint()
	}
}
