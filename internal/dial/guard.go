package dial

import (
	"net/netip"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
)

// Guards on dynamic dials, beyond go-ethereum (docs/SECURITY.md: eclipse
// attacks, dial amplification). Static nodes are exempt (the operator chose
// them), and so are the addresses Config.LANExempt names: by default LAN
// addresses, since devnets put many nodes on one private address.
const (
	// dynSubnetLimit is how many dynamic dials and peers may share one
	// subnet (an IPv4 /24, an IPv6 /48) before no candidate in it is
	// dialed. An attacker holding one /24 then takes at most two outbound
	// slots, however many node IDs it makes up; the discovery table keeps 2
	// per /24 per bucket for the same reason.
	dynSubnetLimit = 2
	// dynWideLimit is the same for one provider's block (an IPv4 /16, an
	// IPv6 /32): an attacker renting a /16 has 256 /24s, and without this
	// limit could still fill every outbound slot.
	dynWideLimit = 4
)

// Every peer counts in the subnet guard, inbound, static and trusted ones
// too: an inbound peer from a subnet is as much "one of our peers there" as
// a dialed one, and it is the dynamic dials we keep from crowding in.
// Besides the per-node dial history, each non-exempt IP is dialed
// dynamically at most once per HistoryExpiration. Otherwise made-up
// discovery records (many IDs, one victim address) turn us into a
// connection flood against that address: dial amplification.

// spreadKeys is what one dial or peer books in the subnet guard.
type spreadKeys struct {
	subnet, wide netip.Prefix
	ok           bool // booked (the node has an endpoint)
}

// guardKey returns the IP of n's endpoint and its subnet keys; ok is false
// without an endpoint.
func guardKey(n *enode.Node) (netip.Addr, spreadKeys) {
	ep, ok := n.TCPEndpoint()
	if !ok {
		return netip.Addr{}, spreadKeys{}
	}
	ip := ep.Addr().Unmap()
	sub := netutil.Subnet(ip, netutil.SubnetBits4, netutil.SubnetBits6)
	wide := netutil.Subnet(ip, netutil.WideSubnet4, netutil.WideSubnet6)
	return ip, spreadKeys{sub, wide, sub.IsValid()}
}

// exempt reports whether the guards skip ip (Config.LANExempt).
func (s *Scheduler) exempt(ip netip.Addr) bool {
	if s.cfg.LANExempt == nil {
		return netutil.IsLAN(ip)
	}
	return s.cfg.LANExempt(ip)
}

// checkGuards returns why a dynamic candidate fails the guards, or "".
func (s *Scheduler) checkGuards(n *enode.Node, now mclock.AbsTime) string {
	ip, k := guardKey(n)
	if !k.ok || s.exempt(ip) {
		return ""
	}
	if _, recent := s.ipHistory.until(ip, now); recent {
		return SkipRecentIP
	}
	if s.subnets[k.subnet] >= dynSubnetLimit {
		return SkipSubnet
	}
	if s.subnets[k.wide] >= dynWideLimit {
		return SkipWideSubnet
	}
	return ""
}

// guardDial books a dynamic dial in the guards. It returns what to release
// when the dial ends.
func (s *Scheduler) guardDial(n *enode.Node) spreadKeys {
	ip, k := s.guardPeer(n)
	if k.ok && !s.exempt(ip) {
		s.ipHistory.add(ip, s.clock.Now().Add(s.cfg.HistoryExpiration))
	}
	return k
}

// guardPeer books a dial or peer in its subnets. Exempt addresses are
// counted too, so that the counts stay right when the exemption changes.
func (s *Scheduler) guardPeer(n *enode.Node) (netip.Addr, spreadKeys) {
	ip, k := guardKey(n)
	if k.ok {
		s.subnets[k.subnet]++
		s.subnets[k.wide]++
	}
	return ip, k
}

// releaseSubnet undoes guardDial or guardPeer.
func (s *Scheduler) releaseSubnet(k spreadKeys) {
	if !k.ok {
		return
	}
	for _, p := range []netip.Prefix{k.subnet, k.wide} {
		if s.subnets[p] <= 1 {
			delete(s.subnets, p)
		} else {
			s.subnets[p]--
		}
	}
}
