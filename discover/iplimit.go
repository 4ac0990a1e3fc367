package discover

import (
	"net/netip"

	"github.com/devp2p-go/devp2p/netutil"
)

// ipLimit admits at most limit addresses per IPv4 /24 or IPv6 /48
// (netutil.DefaultSubnet6). LAN addresses are exempt: a private network
// cannot be used to eclipse nodes on the internet, and test networks on one
// host must not hit the limit.
type ipLimit struct {
	set netutil.DistinctNetSet
}

func newIPLimit(limit uint) ipLimit {
	return ipLimit{set: netutil.DistinctNetSet{Subnet: ipv4Subnet, Limit: limit}}
}

func (l *ipLimit) add(ip netip.Addr) bool {
	if netutil.IsLAN(ip) {
		return true
	}
	return l.set.Add(ip)
}

func (l *ipLimit) remove(ip netip.Addr) {
	if !netutil.IsLAN(ip) {
		l.set.Remove(ip)
	}
}
