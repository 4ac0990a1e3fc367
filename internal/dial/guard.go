package dial

import (
	"net/netip"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
)

// Guards on dynamic dials, beyond go-ethereum (docs/SECURITY.md: eclipse
// attacks, dial amplification). Static nodes and LAN addresses are exempt: the operator
// chose the former, and devnets put many nodes on one private address.
const (
	// dynSubnetLimit is how many dynamic dials and dynamically dialed peers
	// may share one subnet. An attacker holding one /24 then takes at most
	// two outbound slots, however many node IDs it makes up; the discovery
	// table keeps 2 per /24 per bucket for the same reason.
	dynSubnetLimit = 2
	// subnetBits4 and subnetBits6 define "one subnet": an IPv4 /24 (as the
	// discovery table) and an IPv6 /48 (netutil.DefaultSubnet6, one
	// operator's allocation).
	subnetBits4 = 24
	subnetBits6 = netutil.DefaultSubnet6
)

// Besides the per-node dial history, each non-LAN IP is dialed dynamically
// at most once per HistoryExpiration. Otherwise made-up discovery records
// (many IDs, one victim address) turn us into a connection flood against
// that address: dial amplification.

// guardKey returns the IP and subnet of n's endpoint, and false when the
// guards do not apply (no endpoint, or a LAN address).
func guardKey(n *enode.Node) (netip.Addr, netip.Prefix, bool) {
	ep, ok := n.TCPEndpoint()
	if !ok {
		return netip.Addr{}, netip.Prefix{}, false
	}
	ip := ep.Addr().Unmap()
	if netutil.IsLAN(ip) {
		return netip.Addr{}, netip.Prefix{}, false
	}
	bits := subnetBits4
	if ip.Is6() {
		bits = subnetBits6
	}
	pfx, err := ip.Prefix(bits)
	if err != nil {
		return netip.Addr{}, netip.Prefix{}, false
	}
	return ip, pfx, true
}

// checkGuards returns why a dynamic candidate fails the guards, or "".
func (s *Scheduler) checkGuards(n *enode.Node, now mclock.AbsTime) string {
	ip, pfx, ok := guardKey(n)
	if !ok {
		return ""
	}
	if _, recent := s.ipHistory.until(ip, now); recent {
		return SkipRecentIP
	}
	if s.subnets[pfx] >= dynSubnetLimit {
		return SkipSubnet
	}
	return ""
}

// guardDial books a dynamic dial in the guards. It returns the subnet to
// release when the dial ends, and whether one was booked.
func (s *Scheduler) guardDial(n *enode.Node) (netip.Prefix, bool) {
	ip, pfx, ok := guardKey(n)
	if !ok {
		return netip.Prefix{}, false
	}
	s.ipHistory.add(ip, s.clock.Now().Add(s.cfg.HistoryExpiration))
	s.subnets[pfx]++
	return pfx, true
}

// guardPeer books a dynamically dialed peer in its subnet.
func (s *Scheduler) guardPeer(n *enode.Node) (netip.Prefix, bool) {
	_, pfx, ok := guardKey(n)
	if ok {
		s.subnets[pfx]++
	}
	return pfx, ok
}

// releaseSubnet undoes guardDial or guardPeer.
func (s *Scheduler) releaseSubnet(pfx netip.Prefix) {
	if s.subnets[pfx] <= 1 {
		delete(s.subnets, pfx)
	} else {
		s.subnets[pfx]--
	}
}
