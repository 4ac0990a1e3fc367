package discover

import (
	"net/netip"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
)

func ip4(a, b, c, d byte) netip.Addr { return netip.AddrFrom4([4]byte{a, b, c, d}) }

// admitN offers n datagrams from ip and returns how many were admitted.
func admitN(a *Admitter, ip netip.Addr, n int) int {
	ok := 0
	for range n {
		if a.Admit(ip, 100) {
			ok++
		}
	}
	return ok
}

func TestAdmitPerIP(t *testing.T) {
	var clock mclock.Simulated
	a := NewAdmitter(AdmitConfig{}, &clock)
	src := ip4(12, 34, 5, 6)
	if got := admitN(a, src, 1000); got != int(DefaultAdmitPerIP.Burst) {
		t.Fatalf("burst: admitted %d, want %v", got, DefaultAdmitPerIP.Burst)
	}
	clock.Run(time.Second)
	if got := admitN(a, src, 1000); got != int(DefaultAdmitPerIP.PerSecond) {
		t.Fatalf("after 1s: admitted %d, want %v", got, DefaultAdmitPerIP.PerSecond)
	}
	if s := a.Stats(); s.DroppedIP != 2000-s.Admitted {
		t.Fatalf("stats %+v", s)
	}
	// Another IP in another subnet is not affected.
	if got := admitN(a, ip4(13, 1, 1, 1), 1); got != 1 {
		t.Fatal("other source dropped")
	}
}

func TestAdmitSubnets(t *testing.T) {
	var clock mclock.Simulated
	a := NewAdmitter(AdmitConfig{}, &clock)
	// One IP per source: only the /24 and /16 limits can hold them.
	got := 0
	for i := range 1000 {
		got += admitN(a, ip4(12, 34, byte(i/4), byte(i%4+1)), 1)
	}
	if got != int(DefaultAdmitPerWide.Burst) {
		t.Fatalf("/16: admitted %d, want %v", got, DefaultAdmitPerWide.Burst)
	}
	got = 0
	for i := range 1000 {
		got += admitN(a, ip4(14, 0, 0, byte(i%250+1)), 1)
	}
	if got != int(DefaultAdmitPerSubnet.Burst) {
		t.Fatalf("/24: admitted %d, want %v", got, DefaultAdmitPerSubnet.Burst)
	}
	// IPv6: a /64 is one host.
	got = 0
	base := netip.MustParseAddr("2001:db8:1:2::").As16()
	for i := range 1000 {
		b := base
		b[14], b[15] = byte(i>>8), byte(i)
		got += admitN(a, netip.AddrFrom16(b), 1)
	}
	if got != int(DefaultAdmitPerIP.Burst) {
		t.Fatalf("/64: admitted %d, want %v", got, DefaultAdmitPerIP.Burst)
	}
	// IPv6 /48: one source in each of 1000 /64s; /32: one in each of 1000
	// /48s. (New admitters: the loops above used up the budget of all
	// unproven sources.)
	s := a.Stats()
	for _, c := range []struct {
		name  string
		base  string
		at    int // index of the two bytes that vary
		limit Rate
	}{
		{"/48", "2001:db8:9::1", 6, DefaultAdmitPerSubnet},
		{"/32", "2001:db8::1", 4, DefaultAdmitPerWide},
	} {
		a = NewAdmitter(AdmitConfig{}, &clock)
		got = 0
		base = netip.MustParseAddr(c.base).As16()
		for i := range 1000 {
			b := base
			b[c.at], b[c.at+1] = byte(i>>8), byte(i)
			got += admitN(a, netip.AddrFrom16(b), 1)
		}
		if got != int(c.limit.Burst) {
			t.Fatalf("%s: admitted %d, want %v", c.name, got, c.limit.Burst)
		}
		if c.name == "/32" && a.Stats().DroppedWide == 0 {
			t.Fatalf("/32 stats %+v", a.Stats())
		}
	}
	if s.DroppedIP == 0 || s.DroppedSubnet == 0 {
		t.Fatalf("stats %+v", s)
	}
}

func TestAdmitGlobal(t *testing.T) {
	var clock mclock.Simulated
	a := NewAdmitter(AdmitConfig{Unproven: Rate{PerSecond: 10, Burst: 10}}, &clock)
	got := 0
	for i := range 100 {
		got += admitN(a, ip4(20+byte(i), 1, 1, 1), 1)
	}
	if got != 10 {
		t.Fatalf("admitted %d, want 10", got)
	}
	if s := a.Stats(); s.DroppedGlobal != 90 {
		t.Fatalf("stats %+v", s)
	}
}

// TestAdmitReserved: a proven source and an expected reply pass while the
// unproven lanes are empty; an expectation opens only as many datagrams as
// it names.
func TestAdmitReserved(t *testing.T) {
	var clock mclock.Simulated
	a := NewAdmitter(AdmitConfig{Unproven: Rate{PerSecond: 1, Burst: 1}}, &clock)
	admitN(a, ip4(30, 0, 0, 1), 10) // empties the unproven lane
	proven, expected, stranger := ip4(40, 0, 0, 1), ip4(50, 0, 0, 1), ip4(60, 0, 0, 1)
	a.Prove(proven, time.Hour)
	a.Expect(expected, 2, time.Second)
	if admitN(a, stranger, 1) != 0 {
		t.Fatal("stranger admitted with an empty unproven lane")
	}
	if got := admitN(a, proven, 10); got != 10 {
		t.Fatalf("proven: %d of 10", got)
	}
	if got := admitN(a, expected, 10); got != 2 {
		t.Fatalf("expected: %d, want 2", got)
	}
	a.Expect(expected, 2, time.Second)
	clock.Run(2 * time.Second)
	if got := admitN(a, expected, 1); got != 1 { // the unproven lane refilled one token
		t.Fatalf("after expiry: %d", got)
	}
	if got := admitN(a, expected, 1); got != 0 {
		t.Fatal("expired expectation still open")
	}
	clock.Run(time.Hour)
	if a.IsProven(proven) {
		t.Fatal("proof did not expire")
	}
}

// TestAdmitExpectedPassesBuckets: replies we asked for pass even when the
// source's own bucket and the reserved lane are empty (a crawler receives
// more replies a second than any rate), but no more than we asked for.
func TestAdmitExpectedPassesBuckets(t *testing.T) {
	var clock mclock.Simulated
	tiny := Rate{PerSecond: 1, Burst: 1}
	a := NewAdmitter(AdmitConfig{PerIP: tiny, Reserved: tiny, Unproven: tiny}, &clock)
	peer := ip4(40, 0, 0, 1)
	a.Prove(peer, time.Hour)
	admitN(a, peer, 10) // empties its bucket and the reserved lane
	if admitN(a, peer, 1) != 0 {
		t.Fatal("proven source admitted beyond its rate")
	}
	a.Expect(peer, 20, time.Second)
	if got := admitN(a, peer, 30); got != 20 {
		t.Fatalf("expected replies: %d admitted, want 20", got)
	}
}

// TestAdmitBoundedMemory: 100,000 spoofed sources (200 times the cap; a
// million behave the same, only slower) leave every table at its cap.
func TestAdmitBoundedMemory(t *testing.T) {
	var clock mclock.Simulated
	const limit = 512
	a := NewAdmitter(AdmitConfig{MaxSources: limit}, &clock)
	for i := range 100_000 {
		a.Admit(netip.AddrFrom4([4]byte{byte(i >> 24), byte(i >> 16), byte(i >> 8), byte(i)}).Next(), 100)
	}
	ips, subnets, wides, trusted := a.sources()
	if ips > limit || subnets > limit || wides > limit || trusted != 0 {
		t.Fatalf("tables: ips %d, subnets %d, wides %d, trusted %d (cap %d)", ips, subnets, wides, trusted, limit)
	}
}

// TestMayReply: an unproven source gets at most its own bytes back, plus
// the allowance; a proven one gets what it asks for.
func TestMayReply(t *testing.T) {
	var clock mclock.Simulated
	a := NewAdmitter(AdmitConfig{ReplyAllowance: 50}, &clock)
	src := ip4(12, 0, 0, 1)
	a.Admit(src, 100)
	if !a.MayReply(src, 150) {
		t.Fatal("reply within request bytes + allowance refused")
	}
	if a.MayReply(src, 1) {
		t.Fatal("reply beyond credit allowed")
	}
	a.Admit(src, 100)
	if a.MayReply(src, 101) || !a.MayReply(src, 100) {
		t.Fatal("credit not exact")
	}
	if s := a.Stats(); s.RepliesDenied != 2 {
		t.Fatalf("stats %+v", s)
	}
	a.Prove(src, time.Hour)
	if !a.MayReply(src, 1280) {
		t.Fatal("proven source refused")
	}
}

func TestAdmitLAN(t *testing.T) {
	var clock mclock.Simulated
	lan := ip4(192, 168, 1, 1)
	if got := admitN(NewAdmitter(AdmitConfig{}, &clock), lan, 1000); got != 1000 {
		t.Fatalf("LAN exempt by default: %d of 1000", got)
	}
	if got := admitN(NewAdmitter(AdmitConfig{LANExempt: netutil.LANExemptNever}, &clock), lan, 1000); got != int(DefaultAdmitPerIP.Burst) {
		t.Fatalf("LANExemptNever: %d", got)
	}
	// Under "auto", a node with a public address limits its LAN too; one on
	// a LAN address does not.
	public := func() netip.Addr { return netip.MustParseAddr("8.8.8.8") }
	if got := admitN(NewAdmitter(AdmitConfig{Self: public}, &clock), lan, 1000); got != int(DefaultAdmitPerIP.Burst) {
		t.Fatalf("auto, public self: %d", got)
	}
	private := func() netip.Addr { return netip.MustParseAddr("192.168.1.2") }
	if got := admitN(NewAdmitter(AdmitConfig{Self: private}, &clock), lan, 1000); got != 1000 {
		t.Fatalf("auto, LAN self: %d of 1000", got)
	}
	if got := admitN(NewAdmitter(AdmitConfig{Self: public, LANExempt: netutil.LANExemptAlways}, &clock), lan, 1000); got != 1000 {
		t.Fatalf("always, public self: %d of 1000", got)
	}
}

// BenchmarkAdmit: the cost of admission per datagram, from many sources
// (the tables full, entries evicted): small against the ~100 µs of a
// signature recovery it saves.
func BenchmarkAdmit(b *testing.B) {
	a := NewAdmitter(AdmitConfig{}, nil)
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		a.Admit(netip.AddrFrom4([4]byte{12, byte(i >> 16), byte(i >> 8), byte(i)}), 100)
		i++
	}
}
