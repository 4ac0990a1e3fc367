package enode

import (
	"net"
	"net/netip"
	"testing"

	"github.com/devp2p-go/devp2p/enr"
)

// recordEndpoints lists the endpoint entries of n's record, "-" for absent.
type recordEndpoints struct {
	ip, ip6   string
	udp, udp6 int
	url       string // host:port part of the enode URL
}

func endpointsOf(n *Node) recordEndpoints {
	var (
		ip4  enr.IPv4
		ip6  enr.IPv6
		udp  enr.UDP
		udp6 enr.UDP6
	)
	e := recordEndpoints{ip: "-", ip6: "-"}
	if n.Load(&ip4) == nil {
		e.ip = ip4.Addr().String()
	}
	if n.Load(&ip6) == nil {
		e.ip6 = ip6.Addr().String()
	}
	if n.Load(&udp) == nil {
		e.udp = int(udp)
	}
	if n.Load(&udp6) == nil {
		e.udp6 = int(udp6)
	}
	if ep, ok := n.TCPEndpoint(); ok {
		e.url = ep.String()
	}
	return e
}

// TestSetListenIP checks the advertised-address decision: which families
// and addresses the record names for a listener address, with and without
// an external IP (a static IP, as extip and a public NAT answer set it) and
// with endpoint predictions of either family.
func TestSetListenIP(t *testing.T) {
	const port = 30303
	tests := []struct {
		name   string
		listen string
		static string // external IP, "" for none
		pred   string // predicted UDP endpoint, "" for none
		want   recordEndpoints
	}{
		{name: "v4 loopback", listen: "127.0.0.1",
			want: recordEndpoints{ip: "127.0.0.1", ip6: "-", udp: port, url: "127.0.0.1:30303"}},
		{name: "v4 specific", listen: "10.1.2.3",
			want: recordEndpoints{ip: "10.1.2.3", ip6: "-", udp: port, url: "10.1.2.3:30303"}},
		{name: "v4-mapped is v4", listen: "::ffff:10.1.2.3",
			want: recordEndpoints{ip: "10.1.2.3", ip6: "-", udp: port, url: "10.1.2.3:30303"}},
		{name: "v6 loopback", listen: "::1",
			want: recordEndpoints{ip: "-", ip6: "::1", udp: port, url: "[::1]:30303"}},
		{name: "v6 specific", listen: "fd00::2",
			want: recordEndpoints{ip: "-", ip6: "fd00::2", udp: port, url: "[fd00::2]:30303"}},
		{name: "v6 link-local drops zone", listen: "fe80::1%eth0",
			want: recordEndpoints{ip: "-", ip6: "fe80::1", udp: port, url: "[fe80::1]:30303"}},
		{name: "v4 wildcard", listen: "0.0.0.0",
			want: recordEndpoints{ip: "127.0.0.1", ip6: "-", udp: port, url: "127.0.0.1:30303"}},
		{name: "dual-stack wildcard", listen: "::",
			want: recordEndpoints{ip: "127.0.0.1", ip6: "::1", udp: port, url: "127.0.0.1:30303"}},

		// An external IP of a served family wins; one of another family is
		// not advertised, since nobody could reach the node there.
		{name: "v4 with v4 extip", listen: "10.1.2.3", static: "1.2.3.4",
			want: recordEndpoints{ip: "1.2.3.4", ip6: "-", udp: port, url: "1.2.3.4:30303"}},
		{name: "v6 with v4 extip", listen: "::1", static: "1.2.3.4",
			want: recordEndpoints{ip: "-", ip6: "::1", udp: port, url: "[::1]:30303"}},
		{name: "v4 with v6 extip", listen: "127.0.0.1", static: "2001:db8::1",
			want: recordEndpoints{ip: "127.0.0.1", ip6: "-", udp: port, url: "127.0.0.1:30303"}},
		{name: "v6 with v6 extip", listen: "fd00::2", static: "2001:db8::1",
			want: recordEndpoints{ip: "-", ip6: "2001:db8::1", udp: port, url: "[2001:db8::1]:30303"}},
		{name: "dual with v4 extip", listen: "::", static: "1.2.3.4",
			want: recordEndpoints{ip: "1.2.3.4", ip6: "::1", udp: port, url: "1.2.3.4:30303"}},
		{name: "dual with v6 extip", listen: "::", static: "2001:db8::1",
			want: recordEndpoints{ip: "127.0.0.1", ip6: "2001:db8::1", udp: port, url: "[2001:db8::1]:30303"}},

		// Predictions (discovery votes) follow the same rule; a predicted
		// port different from the v4 one goes into udp6.
		{name: "v6 with v6 prediction", listen: "::1", pred: "[2a00::7]:40404",
			want: recordEndpoints{ip: "-", ip6: "2a00::7", udp: 40404, url: "[2a00::7]:30303"}},
		{name: "v6 ignores v4 prediction", listen: "::1", pred: "1.2.3.4:40404",
			want: recordEndpoints{ip: "-", ip6: "::1", udp: port, url: "[::1]:30303"}},
		{name: "dual with v6 prediction", listen: "::", pred: "[2a00::7]:40404",
			want: recordEndpoints{ip: "127.0.0.1", ip6: "2a00::7", udp: port, udp6: 40404, url: "[2a00::7]:30303"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			ln, _ := newTestLocalNode(t, new(memLocalDB))
			// What Server does: a loopback default before it listens, then
			// the listener's address.
			ln.SetFallbackIP(net.IP{127, 0, 0, 1})
			ln.Set(enr.TCP(port))
			ln.SetFallbackUDP(port)
			ln.SetListenIP(netip.MustParseAddr(tt.listen))
			if tt.static != "" {
				ln.SetStaticIP(net.ParseIP(tt.static))
			}
			if tt.pred != "" {
				pred := netip.MustParseAddrPort(tt.pred)
				for i := range iptrackMinStatements {
					var from netip.AddrPort
					if pred.Addr().Is4() {
						from = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 9, byte(i), 1}), 1)
					} else {
						from = netip.AddrPortFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i + 1)}), 1)
					}
					ln.UDPEndpointStatement(from, pred)
				}
			}
			if got := endpointsOf(ln.Node()); got != tt.want {
				t.Errorf("record endpoints\n got %+v\nwant %+v", got, tt.want)
			}
		})
	}
}

func TestListenFamilies(t *testing.T) {
	tests := []struct {
		ip     string
		v4, v6 bool
	}{
		{"127.0.0.1", true, false},
		{"0.0.0.0", true, false},
		{"::ffff:127.0.0.1", true, false},
		{"::1", false, true},
		{"fd00::2", false, true},
		{"::", true, true},
	}
	for _, tt := range tests {
		v4, v6 := ListenFamilies(netip.MustParseAddr(tt.ip))
		if v4 != tt.v4 || v6 != tt.v6 {
			t.Errorf("ListenFamilies(%s) = %v, %v; want %v, %v", tt.ip, v4, v6, tt.v4, tt.v6)
		}
	}
	if v4, v6 := ListenFamilies(netip.Addr{}); v4 || v6 {
		t.Error("invalid address serves a family")
	}
}

// TestSetListenIPInvalid checks that an invalid address leaves the record
// as it was.
func TestSetListenIPInvalid(t *testing.T) {
	ln, _ := newTestLocalNode(t, new(memLocalDB))
	ln.SetFallbackIP(net.IP{127, 0, 0, 1})
	before := endpointsOf(ln.Node())
	ln.SetListenIP(netip.Addr{})
	if got := endpointsOf(ln.Node()); got != before {
		t.Fatalf("record changed: %+v, was %+v", got, before)
	}
}
