package netutil

import (
	"net/netip"
	"testing"
)

func TestDistinctNetSet(t *testing.T) {
	ip := netip.MustParseAddr
	s := DistinctNetSet{Subnet: 24, Limit: 2}
	mustAdd := func(a string, want bool) {
		t.Helper()
		if got := s.Add(ip(a)); got != want {
			t.Fatalf("Add(%s) = %v, want %v (set %v)", a, got, want, s.String())
		}
	}
	mustAdd("127.0.0.1", true)
	mustAdd("127.0.0.2", true)
	mustAdd("127.0.0.3", false)
	mustAdd("::ffff:127.0.0.4", false) // mapped form counts as the same /24
	mustAdd("127.0.1.1", true)
	mustAdd("127.0.1.2", true)
	mustAdd("127.0.1.3", false)
	mustAdd("2001:db8:1:ff::1", true)
	mustAdd("2001:db8:1:ee::1", true) // same /48
	mustAdd("2001:db8:1:dd::1", false)
	mustAdd("2001:db8:2::1", true)
	if s.Len() != 7 {
		t.Fatalf("Len = %d, want 7", s.Len())
	}
	if !s.Contains(ip("127.0.0.99")) || s.Contains(ip("127.0.2.1")) {
		t.Fatal("Contains wrong")
	}
	s.Remove(ip("127.0.0.200"))
	mustAdd("127.0.0.3", true)
	s.Remove(ip("127.0.5.1")) // not present: no-op
	s.Remove(ip("127.0.1.1"))
	s.Remove(ip("127.0.1.1"))
	s.Remove(ip("127.0.1.1"))
	if s.Contains(ip("127.0.1.1")) {
		t.Fatal("subnet still present after removing all")
	}
	if s.Len() != 5 {
		t.Fatalf("Len = %d, want 5: %v", s.Len(), s.String())
	}
	if s.Add(netip.Addr{}) {
		t.Fatal("zero Addr added")
	}
	if want := "{127.0.0.0/24×2, 2001:db8:1::/48×2, 2001:db8:2::/48×1}"; s.String() != want {
		t.Fatalf("String = %s, want %s", s.String(), want)
	}
}

func TestDistinctNetSetSubnet6(t *testing.T) {
	s := DistinctNetSet{Subnet: 24, Subnet6: 64, Limit: 1}
	if !s.Add(netip.MustParseAddr("2001:db8:0:1::1")) || !s.Add(netip.MustParseAddr("2001:db8:0:2::1")) {
		t.Fatal("distinct /64s rejected")
	}
	if s.Add(netip.MustParseAddr("2001:db8:0:1::2")) {
		t.Fatal("same /64 admitted twice")
	}
	var zero DistinctNetSet
	if zero.Add(netip.MustParseAddr("1.2.3.4")) {
		t.Fatal("zero-limit set admitted an address")
	}
}

func BenchmarkDistinctNetSet(b *testing.B) {
	s := DistinctNetSet{Subnet: 24, Limit: 10}
	ip := netip.MustParseAddr("1.2.3.4")
	b.ReportAllocs()
	for b.Loop() {
		s.Add(ip)
		s.Remove(ip)
	}
}
