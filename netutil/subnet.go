package netutil

import "net/netip"

// Prefix lengths that mark "one operator" and "one provider" in the
// diversity limits of the table, the dialer and the Server. An IPv4 /24 is
// the smallest block routed on the internet; a /16 is a typical provider's
// block, and one attacker renting a /16 must not count as 256 strangers.
// IPv6 is cheaper: one customer gets a /64 at least and often a /48
// (RIPE-690), and a provider holds a /32, the smallest allocation of the
// regional registries.
const (
	SubnetBits4  = 24 // IPv4 "one operator"
	SubnetBits6  = DefaultSubnet6
	WideSubnet4  = 16 // IPv4 "one provider"
	WideSubnet6  = 32 // IPv6 "one provider"
	HostSubnetV6 = 64 // IPv6 "one host": a single machine may use its whole /64
)

// Subnet returns the prefix of ip with bits4 bits for IPv4 (IPv4-mapped
// addresses included) and bits6 bits for IPv6. It returns the zero Prefix
// for an invalid address.
func Subnet(ip netip.Addr, bits4, bits6 int) netip.Prefix {
	if !ip.IsValid() {
		return netip.Prefix{}
	}
	ip = norm(ip)
	bits := bits4
	if ip.Is6() {
		bits = bits6
	}
	p, err := ip.Prefix(min(bits, ip.BitLen()))
	if err != nil {
		return netip.Prefix{}
	}
	return p
}

// HostKey returns the address that stands for one host: the IPv4 address
// itself, or the /64 of an IPv6 address, since every host gets a /64 and
// picks addresses in it at will (RFC 4941 temporary addresses).
func HostKey(ip netip.Addr) netip.Prefix {
	return Subnet(ip, 32, HostSubnetV6)
}
