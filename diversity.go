package devp2p

import (
	"net/netip"

	"github.com/devp2p-go/devp2p/netutil"
)

// Caps on established inbound peers per host and per subnet (docs/SECURITY.md,
// "Eclipse attacks"). MaxPeers and the inbound share alone let one host with
// many node IDs take every inbound slot: 60 identities from one IP got 34 of
// them. go-ethereum has no such cap. Trusted nodes and Config.StaticNodes
// are exempt, and dialed peers are governed by the dialer's own subnet
// spread instead.
const (
	// inboundPerHost is how many inbound peers one IPv4 address or IPv6 /64
	// may hold. Two leaves room for two nodes behind one NAT.
	inboundPerHost = 2
	// inboundPerSubnet is how many inbound peers one IPv4 /24 or IPv6 /48
	// may hold.
	inboundPerSubnet = 4
	// inboundPerWide is how many inbound peers one IPv4 /16 or IPv6 /32 may
	// hold: with the default 34 inbound slots, an attacker renting a whole
	// provider block gets fewer than a quarter of them.
	inboundPerWide = 8
)

// Refusals of the inbound caps, at StageSecured and StageHello.
var (
	errInboundHost   = newPeerError(DiscTooManyPeers, "too many inbound peers from this host")
	errInboundSubnet = newPeerError(DiscTooManyPeers, "too many inbound peers from this subnet")
	errInboundWide   = newPeerError(DiscTooManyPeers, "too many inbound peers from this network block")
)

// inboundSpread counts the inbound peers per host, subnet and wide block.
// Every inbound peer with an IP is counted, exempt or not, so that a change
// of the exemption (our own address became public) keeps the counts right.
// Owned by the admission, so by the run loop.
type inboundSpread struct {
	hosts, subnets, wide map[netip.Prefix]int
}

func newInboundSpread() inboundSpread {
	return inboundSpread{
		hosts:   make(map[netip.Prefix]int),
		subnets: make(map[netip.Prefix]int),
		wide:    make(map[netip.Prefix]int),
	}
}

func spreadKeys(ip netip.Addr) (host, subnet, wide netip.Prefix) {
	return netutil.HostKey(ip),
		netutil.Subnet(ip, netutil.SubnetBits4, netutil.SubnetBits6),
		netutil.Subnet(ip, netutil.WideSubnet4, netutil.WideSubnet6)
}

// check returns the cap one more inbound peer from ip would break, or nil.
func (s *inboundSpread) check(ip netip.Addr) error {
	if !ip.IsValid() {
		return nil // no IP (an in-memory connection): nothing to count by
	}
	host, subnet, wide := spreadKeys(ip)
	switch {
	case s.hosts[host] >= inboundPerHost:
		return errInboundHost
	case s.subnets[subnet] >= inboundPerSubnet:
		return errInboundSubnet
	case s.wide[wide] >= inboundPerWide:
		return errInboundWide
	}
	return nil
}

func (s *inboundSpread) add(ip netip.Addr) {
	if !ip.IsValid() {
		return
	}
	host, subnet, wide := spreadKeys(ip)
	s.hosts[host]++
	s.subnets[subnet]++
	s.wide[wide]++
}

func (s *inboundSpread) remove(ip netip.Addr) {
	if !ip.IsValid() {
		return
	}
	host, subnet, wide := spreadKeys(ip)
	decr(s.hosts, host)
	decr(s.subnets, subnet)
	decr(s.wide, wide)
}
