package discover

import (
	"net/netip"

	"github.com/devp2p-go/devp2p/netutil"
)

// ipLimit admits at most perSubnet addresses per IPv4 /24 (IPv6 /48) and
// perWide per IPv4 /16 (IPv6 /32). Addresses the exemption names (by
// TableConfig.LANExempt, LAN addresses while our own address is a LAN
// address too) pass without a check, but are counted like the rest, so
// that the counts stay right if the exemption changes while they are in.
type ipLimit struct {
	perSubnet, perWide int
	exempt             func(netip.Addr) bool
	counts             map[netip.Prefix]int // per /24 and per /16 (IPv6 /48, /32)
}

func newIPLimit(perSubnet, perWide int, exempt func(netip.Addr) bool) ipLimit {
	return ipLimit{perSubnet: perSubnet, perWide: perWide, exempt: exempt, counts: make(map[netip.Prefix]int)}
}

func ipLimitKeys(ip netip.Addr) (subnet, wide netip.Prefix) {
	return netutil.Subnet(ip, netutil.SubnetBits4, netutil.SubnetBits6),
		netutil.Subnet(ip, netutil.WideSubnet4, netutil.WideSubnet6)
}

func (l *ipLimit) add(ip netip.Addr) bool {
	sub, wide := ipLimitKeys(ip)
	if !sub.IsValid() {
		return false
	}
	if !l.exempt(ip) && (l.counts[sub] >= l.perSubnet || l.counts[wide] >= l.perWide) {
		return false
	}
	l.counts[sub]++
	l.counts[wide]++
	return true
}

func (l *ipLimit) remove(ip netip.Addr) {
	sub, wide := ipLimitKeys(ip)
	if !sub.IsValid() {
		return
	}
	for _, k := range []netip.Prefix{sub, wide} {
		if l.counts[k] <= 1 {
			delete(l.counts, k)
		} else {
			l.counts[k]--
		}
	}
}

// lanExempt reports whether the IP limits skip ip: TableConfig.LANExempt
// applied with our own address.
func (t *Table) lanExempt(ip netip.Addr) bool {
	if !netutil.IsLAN(ip) {
		return false
	}
	var self netip.Addr
	if n := t.tr.Self(); n != nil {
		self = n.IPAddr()
	}
	return t.cfg.LANExempt.Exempt(ip, self)
}
