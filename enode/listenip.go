package enode

import (
	"net"
	"net/netip"
)

// Families is a set of IP address families.
type Families uint8

const (
	FamilyV4     Families = 1 << iota // IPv4, including IPv4-mapped IPv6 addresses
	FamilyV6                          // IPv6
	BothFamilies = FamilyV4 | FamilyV6
)

// Has reports whether f includes all of g.
func (f Families) Has(g Families) bool { return f&g == g }

// Contains reports whether ip belongs to a family in f.
func (f Families) Contains(ip netip.Addr) bool {
	switch {
	case !ip.IsValid():
		return false
	case ip.Is4() || ip.Is4In6():
		return f.Has(FamilyV4)
	default:
		return f.Has(FamilyV6)
	}
}

func (f Families) String() string {
	switch f {
	case FamilyV4:
		return "ipv4"
	case FamilyV6:
		return "ipv6"
	case BothFamilies:
		return "ipv4+ipv6"
	default:
		return "none"
	}
}

// ListenFamilies reports which address families a socket bound at ip
// serves. A specific address serves its own family only (an IPv4-mapped
// IPv6 address counts as IPv4). The IPv6 wildcard "::" serves both: Go binds
// it dual-stack, and reports a listener on "0.0.0.0" or on an empty host as
// "::" on hosts that support that. The IPv4 wildcard "0.0.0.0" as reported by
// a bound socket means the host has no dual-stack sockets: IPv4 only.
func ListenFamilies(ip netip.Addr) Families {
	switch {
	case !ip.IsValid():
		return 0
	case ip.Is4() || ip.Is4In6():
		return FamilyV4
	case ip.IsUnspecified():
		return BothFamilies
	default:
		return FamilyV6
	}
}

// AddrFamilies is ListenFamilies for a socket's local address (a
// *net.UDPAddr or *net.TCPAddr). Any other address, such as that of an
// in-memory test transport, serves both families.
func AddrFamilies(a net.Addr) Families {
	switch a := a.(type) {
	case *net.UDPAddr:
		return ListenFamilies(a.AddrPort().Addr())
	case *net.TCPAddr:
		return ListenFamilies(a.AddrPort().Addr())
	default:
		return BothFamilies
	}
}

// listenFallbacks returns the IPs to advertise, per family, for a socket
// bound at ip until something better is known (a static IP, NAT, or
// discovery's endpoint prediction): the bound address itself, or loopback
// for a wildcard, which is what reaches the node from its own host. An
// invalid result means the family is not served.
func listenFallbacks(ip netip.Addr) (fb4, fb6 netip.Addr) {
	f := ListenFamilies(ip)
	ip = ip.Unmap().WithZone("") // a record has no place for a zone
	if f.Has(FamilyV4) {
		fb4 = ip
		if ip.IsUnspecified() {
			fb4 = netip.AddrFrom4([4]byte{127, 0, 0, 1})
		}
	}
	if f.Has(FamilyV6) {
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
