package devp2p

import (
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/nat"
)

// recordIPs returns the "ip" and "ip6" entries of n's record (invalid when
// absent).
func recordIPs(n *enode.Node) (ip4, ip6 netip.Addr) {
	var e4 enr.IPv4
	var e6 enr.IPv6
	if n.Load(&e4) == nil {
		ip4 = e4.Addr()
	}
	if n.Load(&e6) == nil {
		ip6 = e6.Addr()
	}
	return ip4, ip6
}

// TestIPv6Self: a server listening on [::1] advertises ip6 ::1 and no IPv4
// address, its enode URL names [::1], and its discovery socket answers
// there. A dual-stack server ([::]) advertises both loopbacks.
func TestIPv6Self(t *testing.T) {
	v6 := startDiscServer(t, nil, func(c *Config) { c.ListenAddr = "[::1]:0" })
	dual := startDiscServer(t, nil, func(c *Config) { c.ListenAddr = "[::]:0" })
	v4 := startDiscServer(t, nil, nil)
	defer func() {
		v6.Stop()
		dual.Stop()
		v4.Stop()
		checkNoGoroutines(t)
	}()

	self := v6.Self()
	ip4, ip6 := recordIPs(self)
	if ip4.IsValid() || ip6 != netip.IPv6Loopback() {
		t.Errorf("[::1] record: ip %v, ip6 %v; want no ip, ip6 ::1", ip4, ip6)
	}
	port := tcpPort(t, v6)
	if self.TCP() != port || self.UDP() != port {
		t.Errorf("[::1] record ports tcp %d udp %d, want %d", self.TCP(), self.UDP(), port)
	}
	if u := self.URLv4(); !strings.Contains(u, "@[::1]:") {
		t.Errorf("[::1] enode URL %s does not name [::1]", u)
	}
	if err := self.ValidateComplete(); err != nil {
		t.Errorf("[::1] record not complete: %v", err)
	}

	ip4, ip6 = recordIPs(dual.Self())
	if ip4 != netip.MustParseAddr("127.0.0.1") || ip6 != netip.IPv6Loopback() {
		t.Errorf("[::] record: ip %v, ip6 %v; want 127.0.0.1 and ::1", ip4, ip6)
	}
	ip4, ip6 = recordIPs(v4.Self())
	if ip4 != netip.MustParseAddr("127.0.0.1") || ip6.IsValid() {
		t.Errorf("127.0.0.1 record: ip %v, ip6 %v; want 127.0.0.1 only", ip4, ip6)
	}

	// discv4 over IPv6 both ways, and into the dual-stack node over both
	// families.
	if err := dual.DiscV4().Ping(context.Background(), v6.Self()); err != nil {
		t.Errorf("ping [::] → [::1]: %v", err)
	}
	// The dual-stack record names 127.0.0.1 first; an IPv6-only socket
	// reaches it at ::1.
	if err := v6.DiscV4().Ping(context.Background(), dual.Self()); err != nil {
		t.Errorf("ping [::1] → [::]: %v", err)
	}
	if err := v4.DiscV4().Ping(context.Background(), dual.Self()); err != nil {
		t.Errorf("ping 127.0.0.1 → [::]: %v", err)
	}
	if err := v4.DiscV4().Ping(context.Background(), v6.Self()); err == nil {
		t.Errorf("ping 127.0.0.1 → [::1] succeeded; an IPv4 socket cannot reach it")
	}
}

// waitMesh waits until every server has n-1 peers.
func waitMesh(t *testing.T, servers []*Server, events chan *PeerEvent) {
	t.Helper()
	meshed := func() bool {
		for _, s := range servers {
			if s.PeerCount() != len(servers)-1 {
				return false
			}
		}
		return true
	}
	timeout := time.After(discTestWait)
	for !meshed() {
		select {
		case <-events:
		case <-timeout:
			for i, s := range servers {
				t.Logf("server %d (%v): %d peers, table %d", i, s.Self().URLv4(), s.PeerCount(), s.DiscoveryTableLen())
			}
			t.Fatal("servers did not find each other through discovery")
		}
	}
}

// TestIPv6DiscoveryV4Mesh: three servers on [::1] that know only the
// first one find each other through discv4 and peer.
func TestIPv6DiscoveryV4Mesh(t *testing.T) {
	testIPv6Mesh(t, false)
}

// TestIPv6DiscoveryV5Mesh: the same through discv5 alone (no discv4
// bootnodes).
func TestIPv6DiscoveryV5Mesh(t *testing.T) {
	testIPv6Mesh(t, true)
}

func testIPv6Mesh(t *testing.T, v5 bool) {
	const n = 3
	events := make(chan *PeerEvent, 10_000)
	servers := make([]*Server, 0, n)
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
		checkNoGoroutines(t)
	}()
	for i := range n {
		srv := startDiscServer(t, events, func(c *Config) {
			c.Logger = infoLogger(t).With("srv", i)
			c.ListenAddr = "[::1]:0"
			c.DiscoveryV5 = v5
			if i > 0 && v5 {
				c.BootstrapNodesV5 = []*enode.Node{servers[0].Self()}
			} else if i > 0 {
				c.BootstrapNodes = []*enode.Node{servers[0].Self()}
			}
		})
		servers = append(servers, srv)
	}
	waitMesh(t, servers, events)
	for i, s := range servers {
		for _, p := range s.Peers() {
			if ip := p.Node().IPAddr(); ip != netip.IPv6Loopback() {
				t.Errorf("server %d: peer at %v, want ::1", i, ip)
			}
		}
	}
}

// TestMixedFamilyMesh: IPv4-only (127.0.0.1), IPv6-only ([::1]) and
// dual-stack ([::]) servers bootstrapped from a dual-stack one form a
// network in which every server peers with every server it can reach: the
// single-family servers with those of their family and the dual-stack
// ones, the dual-stack ones with everybody. Nobody dials an address family
// it does not listen on.
func TestMixedFamilyMesh(t *testing.T) {
	listen := []string{"[::]:0", "127.0.0.1:0", "127.0.0.1:0", "[::1]:0", "[::1]:0", "[::]:0"}
	events := make(chan *PeerEvent, 10_000)
	servers := make([]*Server, 0, len(listen))
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
		checkNoGoroutines(t)
	}()
	for i, addr := range listen {
		srv := startDiscServer(t, events, func(c *Config) {
			c.Logger = infoLogger(t).With("srv", i)
			c.ListenAddr = addr
			if i > 0 {
				c.BootstrapNodes = []*enode.Node{servers[0].Self()}
			}
		})
		servers = append(servers, srv)
	}
	families := make([]enode.Families, len(servers))
	for i, s := range servers {
		families[i] = enode.AddrFamilies(s.ListenAddr())
	}
	// want[i] is how many servers i shares a family with.
	want := make([]int, len(servers))
	for i := range servers {
		for j := range servers {
			if i != j && families[i]&families[j] != 0 {
				want[i]++
			}
		}
	}
	formed := func() bool {
		for i, s := range servers {
			if s.PeerCount() != want[i] {
				return false
			}
		}
		return true
	}
	timeout := time.After(discTestWait)
	for !formed() {
		select {
		case <-events:
		case <-timeout:
			for i, s := range servers {
				t.Logf("server %d (%v): %d peers (want %d), table %d", i, families[i], s.PeerCount(), want[i], s.DiscoveryTableLen())
			}
			t.Fatal("the mixed network did not form")
		}
	}
	for i, s := range servers {
		for _, p := range s.Peers() {
			if ip := p.Node().IPAddr(); !families[i].Contains(ip) {
				t.Errorf("server %d (%v) has a peer at %v", i, families[i], ip)
			}
		}
	}
}

// TestIPv6ExtIP: an explicit external IP goes into the record only in a
// family the listener serves.
func TestIPv6ExtIP(t *testing.T) {
	tests := []struct {
		listen, extip string
		want4, want6  string // "" for absent
	}{
		{"[::1]:0", "1.2.3.4", "", "::1"},
		{"[::1]:0", "2a00::1", "", "2a00::1"},
		{"127.0.0.1:0", "2a00::1", "127.0.0.1", ""},
		{"[::]:0", "2a00::1", "127.0.0.1", "2a00::1"},
	}
	for _, tt := range tests {
		n, err := nat.Parse("extip:" + tt.extip)
		if err != nil {
			t.Fatal(err)
		}
		srv := newTestServer(t, func(c *Config) {
			c.ListenAddr = tt.listen
			c.NAT = n
		})
		ip4, ip6 := recordIPs(srv.Self())
		srv.Stop()
		if addrOrEmpty(ip4) != tt.want4 || addrOrEmpty(ip6) != tt.want6 {
			t.Errorf("listen %s extip %s: ip %q ip6 %q, want %q %q", tt.listen, tt.extip, addrOrEmpty(ip4), addrOrEmpty(ip6), tt.want4, tt.want6)
		}
	}
	checkNoGoroutines(t)
}

func addrOrEmpty(ip netip.Addr) string {
	if !ip.IsValid() {
		return ""
	}
	return ip.String()
}
