package enode

import (
	"net/netip"
)

// ListenFamilies reports which address families a socket bound at ip
// serves. A specific address serves its own family only (an IPv4-mapped
// IPv6 address counts as IPv4). The IPv6 wildcard "::" serves both: Go binds
// it dual-stack, and reports a listener on "0.0.0.0" or on an empty host as
// "::" on hosts that support that. The IPv4 wildcard "0.0.0.0" as reported by
// a bound socket means the host has no dual-stack sockets: IPv4 only.
func ListenFamilies(ip netip.Addr) (v4, v6 bool) {
	switch {
	case !ip.IsValid():
		return false, false
	case ip.Is4() || ip.Is4In6():
		return true, false
	case ip.IsUnspecified():
		return true, true
	default:
		return false, true
	}
}

// listenFallbacks returns the IPs to advertise, per family, for a socket
// bound at ip until something better is known (a static IP, NAT, or
// discovery's endpoint prediction): the bound address itself, or loopback
// for a wildcard, which is what reaches the node from its own host. An
// invalid result means the family is not served.
func listenFallbacks(ip netip.Addr) (fb4, fb6 netip.Addr) {
	v4, v6 := ListenFamilies(ip)
	ip = ip.Unmap().WithZone("") // a record has no place for a zone
	if v4 {
		fb4 = ip
		if ip.IsUnspecified() {
			fb4 = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
	}
	if v6 {
		fb6 = ip
		if ip.IsUnspecified() {
			fb6 = netip.IPv6Loopback()
		}
	}
	return fb4, fb6
}

// SetListenIP tells the LocalNode the address its sockets (TCP listener and
// discovery) are bound to. From then on the record names only the families
// those sockets serve: an IPv6-only node gets "ip6" and never an IPv4
// fallback, a dual-stack node (wildcard "::") gets both, and an IPv4-only
// node gets "ip" only. Static IPs, NAT results and endpoint predictions of a
// family the node does not serve are kept out of the record, since no peer
// could reach the node there. The listener's address becomes the fallback IP
// (loopback for a wildcard). An invalid ip changes nothing.
func (ln *LocalNode) SetListenIP(ip netip.Addr) {
	if !ip.IsValid() {
		return
	}
	ln.mu.Lock()
	defer ln.mu.Unlock()
	fb4, fb6 := listenFallbacks(ip)
	ln.endpoint4.unreachable = !fb4.IsValid()
	ln.endpoint6.unreachable = !fb6.IsValid()
	if fb4.IsValid() {
		ln.endpoint4.fallbackIP = fb4
	}
	if fb6.IsValid() {
		ln.endpoint6.fallbackIP = fb6
	}
	ln.updateEndpoints()
}
