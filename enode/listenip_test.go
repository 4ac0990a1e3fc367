package enode

import (
	"fmt"
	"net"
	"net/netip"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
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
				for i := range iptrackMinSubnets {
					var from netip.AddrPort
					if pred.Addr().Is4() {
						from = netip.AddrPortFrom(netip.AddrFrom4([4]byte{10, 9, byte(i), 1}), 1)
					} else {
						from = netip.AddrPortFrom(netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 5: byte(i + 1), 15: 1}), 1)
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
		ip   string
		want Families
	}{
		{"127.0.0.1", FamilyV4},
		{"0.0.0.0", FamilyV4},
		{"::ffff:127.0.0.1", FamilyV4},
		{"::1", FamilyV6},
		{"fd00::2", FamilyV6},
		{"::", BothFamilies},
	}
	for _, tt := range tests {
		if got := ListenFamilies(netip.MustParseAddr(tt.ip)); got != tt.want {
			t.Errorf("ListenFamilies(%s) = %v, want %v", tt.ip, got, tt.want)
		}
	}
	if f := ListenFamilies(netip.Addr{}); f != 0 {
		t.Errorf("invalid address serves %v", f)
	}
	if f := AddrFamilies(&net.UDPAddr{IP: net.IPv6loopback}); f != FamilyV6 {
		t.Errorf("AddrFamilies([::1]) = %v", f)
	}
	if f := AddrFamilies(&net.UnixAddr{Name: "x"}); f != BothFamilies {
		t.Errorf("AddrFamilies(unix) = %v", f)
	}
}

// TestForFamilies checks how a node's endpoint is chosen for a socket of
// each family: a dual-stack record serves both, a single-family record
// only its own; udp6/tcp6 apply to the IPv6 endpoint.
func TestForFamilies(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	mk := func(entries ...enr.Entry) *Node {
		var r enr.Record
		for _, e := range entries {
			r.Set(e)
		}
		if err := SignV4(&r, key); err != nil {
			t.Fatal(err)
		}
		n, err := New(ValidSchemes, &r)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	v4 := enr.IPv4(netip.MustParseAddr("10.0.0.1"))
	v6 := enr.IPv6(netip.MustParseAddr("fd00::1"))
	dual := mk(v4, v6, enr.TCP(1), enr.UDP(2), enr.TCP6(3), enr.UDP6(4))
	only4 := mk(v4, enr.TCP(1), enr.UDP(2))
	only6 := mk(v6, enr.TCP(1), enr.UDP(2))
	tests := []struct {
		name string
		n    *Node
		f    Families
		want string // TCP endpoint, then UDP port; "" for nil
	}{
		{"dual for both", dual, BothFamilies, "10.0.0.1:1/2"},
		{"dual for v4", dual, FamilyV4, "10.0.0.1:1/2"},
		{"dual for v6", dual, FamilyV6, "[fd00::1]:3/4"},
		{"v4 for v6", only4, FamilyV6, ""},
		{"v4 for v4", only4, FamilyV4, "10.0.0.1:1/2"},
		{"v6 for v4", only6, FamilyV4, ""},
		{"v6 for v6", only6, FamilyV6, "[fd00::1]:1/2"},
		{"v6 for none", only6, 0, ""},
	}
	for _, tt := range tests {
		got := ""
		if n := tt.n.ForFamilies(tt.f); n != nil {
			ep, _ := n.TCPEndpoint()
			got = fmt.Sprintf("%v/%d", ep, n.UDP())
			if n.ID() != tt.n.ID() || n.Seq() != tt.n.Seq() {
				t.Errorf("%s: identity changed", tt.name)
			}
		}
		if got != tt.want {
			t.Errorf("%s: got %q, want %q", tt.name, got, tt.want)
		}
	}
	if dual.ForFamilies(FamilyV4) != dual {
		t.Error("a node already in the family is copied")
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
