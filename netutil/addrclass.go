package netutil

import (
	"errors"
	"net/netip"
)

// lanNets are networks whose addresses are reachable only inside a site or
// link. IsLAN also counts loopback.
var lanNets = mustPrefixes(
	"10.0.0.0/8",     // RFC 1918 private
	"172.16.0.0/12",  // RFC 1918 private
	"192.168.0.0/16", // RFC 1918 private
	"100.64.0.0/10",  // RFC 6598 shared address space (carrier-grade NAT)
	"169.254.0.0/16", // RFC 3927 link-local
	"fc00::/7",       // RFC 4193 unique local
	"fe80::/10",      // RFC 4291 link-local unicast
)

// specialNets are the blocks of the IANA IPv4 and IPv6 Special-Purpose Address
// Registries (RFC 6890 and updates) that are neither globally reachable nor
// LAN: an address in them is never a useful endpoint for a peer, so it is
// never relayed. Blocks the registries mark globally reachable (e.g.
// 192.31.196.0/24 AS112, 64:ff9b::/96 NAT64) are left out on purpose.
var specialNets = mustPrefixes(
	"0.0.0.0/8",       // RFC 791 "this network"
	"192.0.0.0/24",    // RFC 6890 IETF protocol assignments
	"192.0.2.0/24",    // RFC 5737 TEST-NET-1
	"192.88.99.0/24",  // RFC 7526 deprecated 6to4 relay anycast
	"198.18.0.0/15",   // RFC 2544 benchmarking
	"198.51.100.0/24", // RFC 5737 TEST-NET-2
	"203.0.113.0/24",  // RFC 5737 TEST-NET-3
	"224.0.0.0/4",     // RFC 5771 multicast
	"240.0.0.0/4",     // RFC 1112 reserved (includes 255.255.255.255 broadcast)
	"::/128",          // RFC 4291 unspecified
	"64:ff9b:1::/48",  // RFC 8215 local-use IPv4/IPv6 translation
	"100::/64",        // RFC 6666 discard-only
	"2001::/23",       // RFC 2928 IETF protocol assignments (Teredo, benchmarking, ORCHID)
	"2001:db8::/32",   // RFC 3849 documentation
	"2002::/16",       // RFC 3056 6to4
	"3fff::/20",       // RFC 9637 documentation
	"5f00::/16",       // RFC 9602 SRv6 SIDs
	"fec0::/10",       // RFC 3879 deprecated site-local
	"ff00::/8",        // RFC 4291 multicast
)

func mustPrefixes(list ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(list))
	for i, s := range list {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

func inNets(ip netip.Addr, nets []netip.Prefix) bool {
	for _, p := range nets {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// norm unmaps IPv4-mapped IPv6 addresses and drops the zone, so that
// ::ffff:10.0.0.1 is classified as 10.0.0.1.
func norm(ip netip.Addr) netip.Addr { return ip.Unmap().WithZone("") }

// IsLAN reports whether ip is a loopback, private (RFC 1918, RFC 4193),
// shared (RFC 6598) or link-local address: one that only hosts on the same
// site can reach.
func IsLAN(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	ip = norm(ip)
	return ip.IsLoopback() || inNets(ip, lanNets)
}

// IsSpecialNetwork reports whether ip is in a special-purpose block that is
// neither globally reachable nor LAN (documentation, benchmarking, multicast,
// reserved, "this network", ...). The unspecified addresses count as special.
func IsSpecialNetwork(ip netip.Addr) bool {
	if !ip.IsValid() {
		return false
	}
	return inNets(norm(ip), specialNets)
}

// Errors returned by CheckRelayAddr.
var (
	ErrInvalidAddr = errors.New("invalid IP address")
	ErrUnspecified = errors.New("unspecified address")
	ErrSpecial     = errors.New("special-purpose network address")
	ErrLoopback    = errors.New("loopback address from non-loopback host")
	ErrLAN         = errors.New("LAN address from WAN host")
)

// CheckRelayAddr reports whether addr may be relayed to (or accepted as a
// relayed address from) sender: a discovery node must never tell an internet
// host about LAN or loopback addresses, and it never relays unspecified or
// special-purpose addresses to anyone.
func CheckRelayAddr(sender, addr netip.Addr) error {
	if !addr.IsValid() {
		return ErrInvalidAddr
	}
	sender, addr = norm(sender), norm(addr)
	switch {
	case addr.IsUnspecified():
		return ErrUnspecified
	case IsSpecialNetwork(addr):
		return ErrSpecial
	case addr.IsLoopback() && !sender.IsLoopback():
		return ErrLoopback
	case IsLAN(addr) && !IsLAN(sender):
		return ErrLAN
	}
	return nil
}
