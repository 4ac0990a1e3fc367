package sim

import (
	"net/netip"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

// TestFabricDatagrams checks delivery after the latency on the simulated
// clock, the NAT rule and the partition.
func TestFabricDatagrams(t *testing.T) {
	clock := new(mclock.Simulated)
	f := NewFabric(clock, 1, 50*time.Millisecond, 50*time.Millisecond, 0)
	a := netip.MustParseAddrPort("20.0.0.1:30303")
	b := netip.MustParseAddrPort("20.0.0.2:30303")
	ca, err := f.ListenUDP(a)
	if err != nil {
		t.Fatal(err)
	}
	defer ca.Close()
	cb, err := f.ListenUDP(b)
	if err != nil {
		t.Fatal(err)
	}
	defer cb.Close()
	got := make(chan string, 4)
	go func() {
		buf := make([]byte, 64)
		for {
			n, from, err := cb.ReadFromUDPAddrPort(buf)
			if err != nil {
				close(got)
				return
			}
			if from != a {
				t.Errorf("datagram from %v, want %v", from, a)
			}
			got <- string(buf[:n])
		}
	}()
	send := func(c interface {
		WriteToUDPAddrPort([]byte, netip.AddrPort) (int, error)
	}, to netip.AddrPort, msg string) {
		if _, err := c.WriteToUDPAddrPort([]byte(msg), to); err != nil {
			t.Fatal(err)
		}
	}
	expect := func(want string) {
		t.Helper()
		clock.Run(49 * time.Millisecond)
		select {
		case m := <-got:
			t.Fatalf("%q arrived before the latency", m)
		default:
		}
		clock.Run(time.Millisecond)
		if want == "" {
			return
		}
		if m := <-got; m != want {
			t.Fatalf("got %q, want %q", m, want)
		}
	}
	send(ca, b, "one")
	expect("one")

	f.SetUnreachable(b.Addr())
	send(ca, b, "nat") // b never sent to a: dropped
	expect("")
	send(cb, a, "hole") // b opens its NAT towards a
	clock.Run(50 * time.Millisecond)
	send(ca, b, "two")
	expect("two")

	f.SetPartition(func(x, y netip.Addr) bool { return true })
	send(ca, b, "cut")
	expect("")
	f.SetPartition(nil)
	send(ca, b, "three")
	expect("three")
	cb.Close()
	if _, ok := <-got; ok {
		t.Fatal("datagram after the ones expected")
	}
}

// TestFabricStateStaysSmall: the fabric's bookkeeping follows what is in
// flight and what is recent, not everything ever sent: delivery times are
// dropped once due even when nobody asks NextDelivery (a discovery run
// does not), NAT mappings are kept for hosts behind a NAT only and dropped
// after the NAT window.
func TestFabricStateStaysSmall(t *testing.T) {
	clock := new(mclock.Simulated)
	f := NewFabric(clock, 1, 10*time.Millisecond, 10*time.Millisecond, 0)
	a := netip.MustParseAddrPort("20.0.0.1:30303")
	inside := netip.MustParseAddrPort("20.0.0.2:30303")
	f.SetUnreachable(inside.Addr())
	ca, _ := f.ListenUDP(a)
	defer ca.Close()
	ci, _ := f.ListenUDP(inside)
	defer ci.Close()
	for i := range 1000 {
		to := netip.AddrPortFrom(netip.AddrFrom4([4]byte{30, 0, byte(i >> 8), byte(i)}), 30303)
		ca.WriteToUDPAddrPort([]byte("x"), to)
		ci.WriteToUDPAddrPort([]byte("x"), to)
		clock.Run(10 * time.Millisecond)
	}
	f.mu.Lock()
	due, holes := len(f.due), len(f.natHoles)
	f.mu.Unlock()
	if due > 2 {
		t.Errorf("%d delivery times kept after 1000 rounds of 2 datagrams, want at most the 2 in flight", due)
	}
	// 10 s of sends from the host inside, all within the window.
	if holes != 1000 {
		t.Errorf("%d NAT mappings, want 1000 (one per destination of the host inside)", holes)
	}
	clock.Run(f.natWindow + time.Second)
	ci.WriteToUDPAddrPort([]byte("x"), a)
	f.mu.Lock()
	holes = len(f.natHoles)
	f.mu.Unlock()
	if holes != 1 {
		t.Errorf("%d NAT mappings after the window, want 1 (the newest)", holes)
	}
}

// TestLinkLatency: a link's latency is the same both ways and for every
// datagram, within bounds, and differs between links.
func TestLinkLatency(t *testing.T) {
	lat := linkLatency(7, 10*time.Millisecond, 100*time.Millisecond)
	seen := make(map[time.Duration]bool)
	for i := range 200 {
		a := netip.AddrFrom4([4]byte{20, 0, 0, byte(i)})
		b := netip.AddrFrom4([4]byte{30, 1, byte(i), 7})
		d := lat(a, b)
		if d < 10*time.Millisecond || d > 100*time.Millisecond {
			t.Fatalf("latency %v out of [10ms, 100ms]", d)
		}
		if lat(b, a) != d || lat(a, b) != d {
			t.Fatalf("latency of %v–%v differs by direction or call", a, b)
		}
		seen[d] = true
	}
	if len(seen) < 150 {
		t.Errorf("200 links share %d latencies: the hash spreads poorly", len(seen))
	}
	if linkLatency(8, 10*time.Millisecond, 100*time.Millisecond)(netip.MustParseAddr("20.0.0.1"), netip.MustParseAddr("20.0.0.2")) ==
		lat(netip.MustParseAddr("20.0.0.1"), netip.MustParseAddr("20.0.0.2")) &&
		linkLatency(9, 10*time.Millisecond, 100*time.Millisecond)(netip.MustParseAddr("20.0.0.1"), netip.MustParseAddr("20.0.0.2")) ==
			lat(netip.MustParseAddr("20.0.0.1"), netip.MustParseAddr("20.0.0.2")) {
		t.Error("the seed does not change the latencies")
	}
}
