package enode

import (
	"net"
	"net/netip"
	"testing"
)

// TestLocalNodeEndpointVotes: statements from one /24, however many, neither
// change the advertised IP nor sign a new record; statements from enough
// subnets do (the way a node behind a NAT learns its address); a static IP
// never moves.
func TestLocalNodeEndpointVotes(t *testing.T) {
	ln, _ := newTestLocalNode(t, new(memLocalDB))
	ln.SetFallbackIP(net.IP{127, 0, 0, 1})
	ln.SetFallbackUDP(30303)
	honest := netip.MustParseAddrPort("1.2.3.4:30303")
	fake := netip.MustParseAddrPort("9.9.9.9:30303")
	vote := func(ep netip.AddrPort, from ...netip.AddrPort) {
		for _, f := range from {
			ln.UDPEndpointStatement(f, ep)
		}
	}
	subnets := func(first, n int) (out []netip.AddrPort) {
		for i := range n {
			out = append(out, netip.AddrPortFrom(netip.AddrFrom4([4]byte{20, 0, byte(first + i), 1}), 30303))
		}
		return out
	}
	oneSubnet := func(n int) (out []netip.AddrPort) {
		for i := range n {
			out = append(out, netip.AddrPortFrom(netip.AddrFrom4([4]byte{30, 0, 0, byte(i)}), uint16(1000+i)))
		}
		return out
	}

	vote(honest, subnets(0, iptrackMinSubnets)...)
	before := ln.Node()
	if before.IPAddr() != honest.Addr() {
		t.Fatalf("honest votes of %d subnets: record IP %v, want %v", iptrackMinSubnets, before.IPAddr(), honest.Addr())
	}
	vote(fake, oneSubnet(120)...)
	if n := ln.Node(); n.IPAddr() != honest.Addr() || n.Seq() != before.Seq() {
		t.Fatalf("one /24 moved the record: IP %v seq %d (was %v, %d)", n.IPAddr(), n.Seq(), honest.Addr(), before.Seq())
	}
	// A majority of subnets moves it (the node's address really changed).
	vote(fake, subnets(100, iptrackMinSubnets+1)...)
	if n := ln.Node(); n.IPAddr() != fake.Addr() {
		t.Fatalf("majority of subnets: record IP %v, want %v", n.IPAddr(), fake.Addr())
	}

	// An explicit IP wins over any vote.
	static := net.IP{5, 6, 7, 8}
	ln.SetStaticIP(static)
	pinned := ln.Node()
	vote(honest, subnets(0, 50)...)
	vote(fake, oneSubnet(100)...)
	if n := ln.Node(); !n.IP().Equal(static) || n.Seq() != pinned.Seq() {
		t.Fatalf("votes moved a static IP: IP %v seq %d", n.IP(), n.Seq())
	}
}
