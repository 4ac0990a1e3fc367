package netutil

import (
	"fmt"
	"maps"
	"net/netip"
	"slices"
	"strings"
)

// DefaultSubnet6 is the IPv6 prefix length DistinctNetSet uses when Subnet6
// is zero. IPv6 addresses are cheap: one residential line gets a /56 and free
// tunnel brokers hand anyone a /48 (RIPE-690 recommends /48 for business
// customers). Counting by /64 or /56 would let one person fill a table from a
// single free allocation, so /48 is the unit of "one operator", the rough
// analogue of an IPv4 /24.
const DefaultSubnet6 = 48

// DistinctNetSet tracks IP addresses and admits at most Limit of them per
// subnet. IPv4 addresses are grouped by their first Subnet bits (24 in the
// discovery table), IPv6 addresses by their first Subnet6 bits
// (DefaultSubnet6 when zero). IPv4-mapped IPv6 addresses count as IPv4.
//
// The zero value (Limit 0) admits nothing. A DistinctNetSet is not safe for
// concurrent use; its owner (the table's loop) serializes access.
type DistinctNetSet struct {
	Subnet  uint // IPv4 prefix length
	Subnet6 uint // IPv6 prefix length; 0 means DefaultSubnet6
	Limit   uint // maximum addresses per subnet

	members map[netip.Prefix]uint
}

// Add adds ip to the set, or returns false (and adds nothing) if its subnet is
// already full or ip is invalid.
func (s *DistinctNetSet) Add(ip netip.Addr) bool {
	key, ok := s.key(ip)
	if !ok {
		return false
	}
	n := s.members[key]
	if n >= s.Limit {
		return false
	}
	if s.members == nil {
		s.members = make(map[netip.Prefix]uint)
	}
	s.members[key] = n + 1
	return true
}

// Remove removes one occurrence of ip's subnet from the set.
func (s *DistinctNetSet) Remove(ip netip.Addr) {
	key, ok := s.key(ip)
	if !ok {
		return
	}
	switch n := s.members[key]; n {
	case 0:
	case 1:
		delete(s.members, key)
	default:
		s.members[key] = n - 1
	}
}

// Contains reports whether the subnet of ip has at least one member.
func (s *DistinctNetSet) Contains(ip netip.Addr) bool {
	key, ok := s.key(ip)
	return ok && s.members[key] > 0
}

// Len returns the number of addresses in the set.
func (s *DistinctNetSet) Len() int {
	var n uint
	for _, c := range s.members {
		n += c
	}
	return int(n)
}

func (s *DistinctNetSet) key(ip netip.Addr) (netip.Prefix, bool) {
	if !ip.IsValid() {
		return netip.Prefix{}, false
	}
	ip = norm(ip)
	bits := s.Subnet
	if ip.Is6() {
		bits = s.Subnet6
		if bits == 0 {
			bits = DefaultSubnet6
		}
	}
	p, err := ip.Prefix(int(min(bits, uint(ip.BitLen()))))
	return p, err == nil
}

// String lists the subnets and their counts, for debugging.
func (s *DistinctNetSet) String() string {
	keys := slices.SortedFunc(maps.Keys(s.members), func(a, b netip.Prefix) int {
		return a.Addr().Compare(b.Addr())
	})
	var b strings.Builder
	b.WriteString("{")
	for i, k := range keys {
		if i > 0 {
			b.WriteString(", ")
		}
		fmt.Fprintf(&b, "%v×%d", k, s.members[k])
	}
	b.WriteString("}")
	return b.String()
}
