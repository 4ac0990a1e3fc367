package devp2p

import (
	"context"
	"net"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/nat"
	"github.com/devp2p-go/devp2p/nat/nattest"
)

// natFailsafe only ends a test that would otherwise hang on a bug.
const natFailsafe = 20 * time.Second

type natHookRecorder struct {
	updated   chan nat.Endpoints
	scheduled chan time.Duration
}

// newNATHooks lets the Server map its loopback listener on a fake gateway
// and reports the NAT part's progress. Pass r.opt() to newTestServer.
func newNATHooks() *natHookRecorder {
	return &natHookRecorder{updated: make(chan nat.Endpoints, 10), scheduled: make(chan time.Duration, 10)}
}

func (r *natHookRecorder) opt() testServerOpt {
	return func(s *Server) {
		s.natHooks = natHooks{
			mapLoopback: true,
			updated:     func(ep nat.Endpoints) { r.updated <- ep },
			scheduled:   func(d time.Duration) { r.scheduled <- d },
		}
	}
}

func natRecv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(natFailsafe):
		t.Fatal("timed out")
		panic("unreachable")
	}
}

func (r *natHookRecorder) expectNoUpdate(t *testing.T) {
	t.Helper()
	select {
	case ep := <-r.updated:
		t.Fatalf("unexpected endpoint update %+v", ep)
	default:
	}
}

// TestServerNATUPnP: a Server behind a (fake) UPnP gateway maps its TCP and
// UDP ports, shows the external endpoint in its ENR, renews without changing
// the record, follows a moved port once, ignores a silent gateway, and
// removes its mappings on Stop.
func TestServerNATUPnP(t *testing.T) {
	hooks := newNATHooks()
	g := nattest.StartIGD(2, nattest.WANIPConnection2, "5.6.7.8")
	defer g.Close()
	clock := new(mclock.Simulated)
	srv := newTestServer(t, func(c *Config) {
		c.ListenAddr = "127.0.0.1:0"
		c.Clock = clock
		c.NAT = nat.AnyOf("upnp", time.Minute, nat.DiscoverUPnPAt(g.RootURL()))
	}, hooks.opt())
	port := uint16(srv.ListenAddr().(*net.TCPAddr).Port)
	ext := net.ParseIP("5.6.7.8")

	ep := natRecv(t, hooks.updated)
	if !ep.IP.Equal(ext) || ep.TCP != port || ep.UDP != port {
		t.Fatalf("endpoint %+v, want %v tcp/udp %d", ep, ext, port)
	}
	if d := natRecv(t, hooks.scheduled); d != nat.DefaultMappingLifetime/2 {
		t.Fatalf("renewal in %v, want %v", d, nat.DefaultMappingLifetime/2)
	}
	self := srv.Self()
	if !self.IP().Equal(ext) || self.TCP() != int(port) || self.UDP() != int(port) {
		t.Fatalf("record shows %v tcp %d udp %d, want %v and port %d", self.IP(), self.TCP(), self.UDP(), ext, port)
	}
	if !strings.Contains(self.URLv4(), "@5.6.7.8:") {
		t.Fatalf("enode URL %s does not carry the external IP", self.URLv4())
	}
	if !g.Mapped("tcp", port) || !g.Mapped("udp", port) {
		t.Fatal("ports not mapped on the gateway")
	}
	seq := self.Seq()

	renew := func() {
		t.Helper()
		clock.Run(nat.DefaultMappingLifetime / 2)
		natRecv(t, hooks.scheduled)
	}
	// Renewals keep the port; the record is not re-signed.
	renew()
	renew()
	hooks.expectNoUpdate(t)
	if s := srv.Self().Seq(); s != seq {
		t.Fatalf("record seq %d -> %d on a renewal that kept the endpoint", seq, s)
	}

	// The gateway hands the TCP port to someone else: the record changes once.
	g.Take("tcp", port)
	g.SetAnyPort(40000)
	renew()
	if ep := natRecv(t, hooks.updated); ep.TCP != 40000 || ep.UDP != port {
		t.Fatalf("endpoint %+v after the port moved", ep)
	}
	self = srv.Self()
	if self.TCP() != 40000 || self.UDP() != int(port) || self.Seq() <= seq {
		t.Fatalf("record tcp %d udp %d seq %d after the port moved", self.TCP(), self.UDP(), self.Seq())
	}
	seq = self.Seq()
	renew()
	renew()
	hooks.expectNoUpdate(t)

	// A silent gateway does not make the record flap.
	g.SetDown(true)
	renew()
	clock.Run(time.Minute) // the retry
	natRecv(t, hooks.scheduled)
	hooks.expectNoUpdate(t)
	if s := srv.Self(); s.Seq() != seq || !s.IP().Equal(ext) || s.TCP() != 40000 {
		t.Fatalf("record changed while the gateway was silent: %v", s.URLv4())
	}
	g.SetDown(false)

	srv.Stop()
	if g.Mapped("tcp", 40000) || g.Mapped("udp", port) {
		t.Fatal("mappings left on the gateway after Stop")
	}
	checkNoGoroutines(t)
}

// TestServerNATExtIP: an explicit external IP is in the record at once and
// maps nothing, even for a loopback listener.
func TestServerNATExtIP(t *testing.T) {
	n, err := nat.Parse("extip:1.2.3.4")
	if err != nil {
		t.Fatal(err)
	}
	srv := newTestServer(t, func(c *Config) {
		c.ListenAddr = "127.0.0.1:0"
		c.NAT = n
	})
	port := srv.ListenAddr().(*net.TCPAddr).Port
	self := srv.Self()
	if !self.IP().Equal(net.ParseIP("1.2.3.4")) || self.TCP() != port || self.UDP() != port {
		t.Fatalf("record %v, want 1.2.3.4 port %d", self.URLv4(), port)
	}
	srv.Stop()
	checkNoGoroutines(t)
}

// TestServerNATUnreachable: no gateway answers; "any" gives up within its
// bound and the node runs without NAT.
func TestServerNATUnreachable(t *testing.T) {
	hooks := newNATHooks()
	silent := func(ctx context.Context) (nat.Interface, error) {
		<-ctx.Done()
		return nil, ctx.Err()
	}
	srv := newTestServer(t, func(c *Config) {
		c.ListenAddr = "127.0.0.1:0"
		c.NAT = nat.AnyOf("any", 50*time.Millisecond, silent, silent)
	}, hooks.opt())
	natRecv(t, hooks.scheduled) // the first round is over (and failed)
	hooks.expectNoUpdate(t)
	if ip := srv.Self().IP(); !ip.Equal(net.IPv4(127, 0, 0, 1)) {
		t.Fatalf("record IP %v without a gateway", ip)
	}
	srv.Stop()
	checkNoGoroutines(t)
}

// TestServerNATLoopbackNotMapped: a loopback listener is not mapped on a
// real gateway (without the test hook, the NAT is never even asked).
func TestServerNATLoopbackNotMapped(t *testing.T) {
	g := nattest.StartIGD(2, nattest.WANIPConnection2, "5.6.7.8")
	defer g.Close()
	srv := newTestServer(t, func(c *Config) {
		c.ListenAddr = "127.0.0.1:0"
		c.NAT = nat.AnyOf("upnp", time.Minute, nat.DiscoverUPnPAt(g.RootURL()))
	})
	srv.Stop()
	select {
	case r := <-g.Requests:
		t.Fatalf("gateway asked %q for a loopback listener", r)
	default:
	}
}

func TestConfigNAT(t *testing.T) {
	cfg, err := ParseConfigTOML([]byte(`NAT = "extip:1.2.3.4"`))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.NAT == nil || cfg.NAT.String() != "extip:1.2.3.4" {
		t.Fatalf("NAT = %v", cfg.NAT)
	}
	for _, spec := range []string{"none", ""} {
		cfg, err := ParseConfigJSON([]byte(`{"NAT": "` + spec + `"}`))
		if err != nil || cfg.NAT != nil {
			t.Fatalf("NAT %q: %v, %v; want no NAT", spec, cfg.NAT, err)
		}
	}
	for _, spec := range []string{"foo", "extip:notanip"} {
		_, err := ParseConfigJSON([]byte(`{"NAT": "` + spec + `"}`))
		if err == nil || !strings.Contains(err.Error(), "NAT:") || !strings.Contains(err.Error(), spec) {
			t.Fatalf("NAT %q: error %v should name the field and the spec", spec, err)
		}
	}
}

// TestServerNATNoDiscovery: without discovery nothing listens on UDP, so
// only the TCP port is mapped.
func TestServerNATNoDiscovery(t *testing.T) {
	hooks := newNATHooks()
	g := nattest.StartIGD(1, nattest.WANPPPConnection1, "5.6.7.8")
	defer g.Close()
	srv := newTestServer(t, func(c *Config) {
		c.ListenAddr = "127.0.0.1:0"
		c.NoDiscovery = true
		c.NAT = nat.AnyOf("upnp", time.Minute, nat.DiscoverUPnPAt(g.RootURL()))
	}, hooks.opt())
	port := uint16(srv.ListenAddr().(*net.TCPAddr).Port)
	if ep := natRecv(t, hooks.updated); ep.TCP != port || ep.UDP != 0 {
		t.Fatalf("endpoint %+v, want tcp %d and no udp", ep, port)
	}
	if !g.Mapped("tcp", port) || g.Mapped("udp", port) {
		t.Fatal("want the TCP port mapped and the UDP port not")
	}
	srv.Stop()
	if g.Mappings() != 0 {
		t.Fatal("mapping left after Stop")
	}
	checkNoGoroutines(t)
}

// TestNATAndEndpointVotes: the gateway's public answer wins over
// discovery's endpoint votes; a private answer (double NAT) is only a
// fallback, so the votes of peers that see the real address win over it.
func TestNATAndEndpointVotes(t *testing.T) {
	vote := func(ln *enode.LocalNode, ip string) {
		for i := range 12 { // more than the tracker's minimum of agreeing hosts
			from := netip.AddrPortFrom(netip.AddrFrom4([4]byte{20, 0, byte(i), 1}), 30303)
			ln.UDPEndpointStatement(from, netip.MustParseAddrPort(ip+":30303"))
		}
	}
	for _, tt := range []struct {
		name, natIP, want string
	}{
		{"public gateway IP wins", "5.6.7.8", "5.6.7.8"},
		{"private gateway IP loses to votes", "10.0.0.5", "9.9.9.9"},
		{"shared (CGN) gateway IP loses to votes", "100.64.1.2", "9.9.9.9"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			srv := &Server{localnode: enode.NewLocalNode(nil, newKey(t)), log: testLogger(t)}
			srv.localnode.SetFallbackIP(net.IPv4(127, 0, 0, 1))
			srv.localnode.SetFallbackUDP(30303)
			srv.natEndpointChanged(nat.Endpoints{IP: net.ParseIP(tt.natIP), TCP: 30303, UDP: 30303})
			if ip := srv.localnode.Node().IP(); !ip.Equal(net.ParseIP(tt.natIP)) {
				t.Fatalf("before votes: record IP %v, want the gateway's %s", ip, tt.natIP)
			}
			vote(srv.localnode, "9.9.9.9")
			if ip := srv.localnode.Node().IP(); !ip.Equal(net.ParseIP(tt.want)) {
				t.Fatalf("after votes: record IP %v, want %s", ip, tt.want)
			}
		})
	}
}
