package sim

import (
	"context"
	"errors"
	"io"
	"net"
	"net/netip"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// TestFabricPartitionCutsStreams checks that a partition closes the
// connections across it and refuses new ones until it heals.
func TestFabricPartitionCutsStreams(t *testing.T) {
	clock := new(mclock.Simulated)
	f := NewFabric(clock, 1, 10*time.Millisecond, 10*time.Millisecond, 0)
	l, err := f.Listen("20.0.0.2:30303")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	key, _ := crypto.GenerateKey()
	to := enode.NewV4(&key.PublicKey, net.IPv4(20, 0, 0, 2), 30303, 30303)
	d := f.Dialer(netip.MustParseAddr("20.0.0.1"))
	c, err := d.Dial(context.Background(), to)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	s, err := l.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	f.SetPartition(func(a, b netip.Addr) bool { return a != b })
	if _, err := s.Read(make([]byte, 1)); !errors.Is(err, io.EOF) && !errors.Is(err, io.ErrClosedPipe) {
		t.Errorf("read across the cut: %v, want the connection closed", err)
	}
	if _, err := d.Dial(context.Background(), to); !errors.Is(err, errRefused) {
		t.Errorf("dial across the cut: %v, want refused", err)
	}
	f.SetPartition(nil)
	c2, err := d.Dial(context.Background(), to)
	if err != nil {
		t.Fatalf("dial after the heal: %v", err)
	}
	c2.Close()
}

// TestFabricUnhandled checks the driver's sign that servers are busy: a
// delivered datagram counts until its reader asks for the next one.
func TestFabricUnhandled(t *testing.T) {
	clock := new(mclock.Simulated)
	f := NewFabric(clock, 1, 10*time.Millisecond, 10*time.Millisecond, 0)
	a, _ := f.ListenUDP(netip.MustParseAddrPort("20.0.0.1:30303"))
	defer a.Close()
	bAddr := netip.MustParseAddrPort("20.0.0.2:30303")
	b, _ := f.ListenUDP(bAddr)
	a.WriteToUDPAddrPort([]byte("x"), bAddr)
	if at, ok := f.NextDelivery(); !ok || at != mclock.AbsTime(10*time.Millisecond) || f.InFlight() != 1 {
		t.Fatalf("next delivery %v %v, in flight %d; want 10ms, 1", at, ok, f.InFlight())
	}
	clock.Run(10 * time.Millisecond)
	if f.InFlight() != 0 || f.Unhandled() != 1 || f.Delivered() != 1 {
		t.Fatalf("after delivery: in flight %d, unhandled %d, delivered %d; want 0, 1, 1", f.InFlight(), f.Unhandled(), f.Delivered())
	}
	if _, ok := f.NextDelivery(); ok {
		t.Error("a delivery is still due")
	}
	buf := make([]byte, 8)
	if _, _, err := b.ReadFromUDPAddrPort(buf); err != nil {
		t.Fatal(err)
	}
	if f.Unhandled() != 1 {
		t.Errorf("unhandled %d while the reader holds the datagram, want 1", f.Unhandled())
	}
	done := make(chan struct{})
	go func() {
		b.ReadFromUDPAddrPort(buf) // done with the first; waits until Close
		close(done)
	}()
	b.Close()
	<-done
	if f.Unhandled() != 0 {
		t.Errorf("unhandled %d after the reader moved on, want 0", f.Unhandled())
	}
}
