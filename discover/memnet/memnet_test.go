package memnet

import (
	"bytes"
	"net/netip"
	"testing"
)

func TestDeliver(t *testing.T) {
	nw := New()
	a, err := nw.Listen(netip.MustParseAddrPort("11.0.0.1:30303"))
	if err != nil {
		t.Fatal(err)
	}
	b, _ := nw.Listen(netip.MustParseAddrPort("11.0.1.1:0"))
	defer a.Close()
	defer b.Close()
	if _, err := nw.Listen(a.AddrPort()); err != ErrAddrInUse {
		t.Fatalf("second listen: %v", err)
	}
	msg := []byte("hello")
	if _, err := a.WriteToUDPAddrPort(msg, b.AddrPort()); err != nil {
		t.Fatal(err)
	}
	msg[0] = 'j' // the network keeps its own copy
	buf := make([]byte, 100)
	n, from, err := b.ReadFromUDPAddrPort(buf)
	if err != nil || from != a.AddrPort() || !bytes.Equal(buf[:n], []byte("hello")) {
		t.Fatalf("got %q from %v, %v", buf[:n], from, err)
	}
	// Unknown destination: silently dropped.
	a.WriteToUDPAddrPort(msg, netip.MustParseAddrPort("11.9.9.9:1"))
	if s, d, dr := nw.Stats(); s != 2 || d != 1 || dr != 1 {
		t.Fatalf("stats %d %d %d", s, d, dr)
	}
}

func TestQueueFullDrops(t *testing.T) {
	nw, a, b := connPair(t)
	for range QueueLen + 10 {
		a.WriteToUDPAddrPort([]byte{1}, b.AddrPort())
	}
	if _, _, dr := nw.Stats(); dr != 10 {
		t.Fatalf("dropped %d, want 10", dr)
	}
}

func TestCloseUnblocksRead(t *testing.T) {
	nw := New()
	a, _ := nw.Listen(netip.MustParseAddrPort("11.0.0.1:1"))
	done := make(chan error)
	go func() {
		_, _, err := a.ReadFromUDPAddrPort(make([]byte, 10))
		done <- err
	}()
	a.Close()
	if err := <-done; err != ErrClosed {
		t.Fatalf("read after close: %v", err)
	}
	if _, err := a.WriteToUDPAddrPort([]byte{1}, a.AddrPort()); err != ErrClosed {
		t.Fatalf("write after close: %v", err)
	}
	// The address is free again.
	c, err := nw.Listen(a.AddrPort())
	if err != nil {
		t.Fatal(err)
	}
	c.Close()
}

func TestFilter(t *testing.T) {
	nw, a, b := connPair(t)
	nw.SetFilter(func(from, to netip.AddrPort, p []byte) bool { return p[0] != 0 })
	a.WriteToUDPAddrPort([]byte{0}, b.AddrPort())
	a.WriteToUDPAddrPort([]byte{1}, b.AddrPort())
	buf := make([]byte, 1)
	b.ReadFromUDPAddrPort(buf)
	if buf[0] != 1 {
		t.Fatal("filtered packet delivered")
	}
}

func TestTap(t *testing.T) {
	nw := New()
	a, _ := nw.Listen(netip.MustParseAddrPort("10.0.0.1:1"))
	defer a.Close()
	var n int
	nw.SetTap(func(from, to netip.AddrPort, b []byte) { n += len(b) })
	a.WriteToUDPAddrPort(make([]byte, 7), netip.MustParseAddrPort("10.0.0.2:1")) // nobody listens
	a.WriteToUDPAddrPort(make([]byte, 5), a.AddrPort())
	if n != 12 {
		t.Fatalf("tap saw %d bytes, want 12", n)
	}
}
