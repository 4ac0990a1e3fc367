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
