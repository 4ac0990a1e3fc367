package devp2p

import (
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// discTestWait bounds the waits of the discovery tests, which run real
// lookups with real reply timeouts on a shared, busy machine. Reaching it is
// a failure, never a delay the tests rely on. The mesh usually forms in 2-4 s;
// it is this long because two servers that dial each other at the same moment
// may each refuse the other's connection as "already connected" (both drop),
// and then the dial history keeps them apart for 35 s.
const discTestWait = 90 * time.Second

// infoLogger writes Info and above to t.Log: the discovery engines are
// chatty at Debug.
func infoLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelInfo}))
}

// startDiscServer starts a server on 127.0.0.1:0 with the real clock (the
// engines' reply timeouts must fire by themselves) and the echo protocol.
// Peer events go to events (if not nil) from the start.
func startDiscServer(t *testing.T, events chan *PeerEvent, mod func(*Config)) *Server {
	t.Helper()
	cfg := Config{
		PrivateKey: newKey(t),
		MaxPeers:   12,
		ListenAddr: "127.0.0.1:0",
		Protocols:  []Protocol{echoProto("test", 1, nil)},
		Logger:     infoLogger(t),
	}
	if mod != nil {
		mod(&cfg)
	}
	srv := &Server{Config: cfg}
	if events != nil {
		srv.SubscribeEvents(events)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	return srv
}

func tcpPort(t *testing.T, srv *Server) int {
	t.Helper()
	a, ok := srv.ListenAddr().(*net.TCPAddr)
	if !ok {
		t.Fatalf("listen address %v", srv.ListenAddr())
	}
	return a.Port
}

// udpPortFree reports whether 127.0.0.1:port can be bound for UDP.
func udpPortFree(t *testing.T, port int) bool {
	t.Helper()
	c, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IP{127, 0, 0, 1}, Port: port})
	if err != nil {
		if !errors.Is(err, syscall.EADDRINUSE) {
			t.Fatalf("unexpected bind error: %v", err)
		}
		return false
	}
	c.Close()
	return true
}

// TestDiscoveryMesh: five servers that know only the first one's record
// (BootstrapNodes), and no static peers, find each other through discv4
// and connect to all the others. Servers 1-4 learn of each other only
// through discovery, so the full mesh shows the whole path: table, lookup
// iterator, FairMix, dial scheduler.
func TestDiscoveryMesh(t *testing.T) {
	const n = 5
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
			if i > 0 {
				c.BootstrapNodes = []*enode.Node{servers[0].Self()}
			}
		})
		servers = append(servers, srv)
	}

	meshed := func() bool {
		for _, s := range servers {
			if s.PeerCount() != n-1 {
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
				t.Logf("server %d: %d peers, table %d", i, s.PeerCount(), s.DiscoveryTableLen())
			}
			t.Fatal("servers did not find each other through discovery")
		}
	}
	for i, s := range servers {
		if s.DiscoveryTableLen() == 0 {
			t.Errorf("server %d: empty discovery table", i)
		}
		if s.DiscV4() == nil {
			t.Errorf("server %d: DiscV4() is nil", i)
		}
	}
}

// TestDiscoveryDisabled: with NoDiscovery (or without a listener) the
// server opens no UDP socket and its record has ip and tcp but no udp.
func TestDiscoveryDisabled(t *testing.T) {
	srv := startDiscServer(t, nil, func(c *Config) { c.NoDiscovery = true })
	port := tcpPort(t, srv)
	if srv.DiscV4() != nil || srv.DiscoveryTableLen() != 0 {
		t.Error("discovery engine running with NoDiscovery")
	}
	if !udpPortFree(t, port) {
		t.Errorf("UDP port %d in use with NoDiscovery", port)
	}
	self := srv.Self()
	want := netip.AddrPortFrom(netip.MustParseAddr("127.0.0.1"), uint16(port))
	if ep, ok := self.TCPEndpoint(); !ok || ep != want {
		t.Errorf("record TCP endpoint %v (%v), want %v", ep, ok, want)
	}
	if self.UDP() != 0 || self.Record().Get("udp") != nil {
		t.Errorf("record has udp %d without discovery", self.UDP())
	}
	if info := srv.NodeInfo(); info.Ports.Discovery != 0 || info.Ports.Listener != port {
		t.Errorf("NodeInfo ports %+v", info.Ports)
	}
	srv.Stop()

	// Not listening: no discovery either (and no socket on any port).
	srv = startDiscServer(t, nil, func(c *Config) { c.ListenAddr = "" })
	if srv.DiscV4() != nil {
		t.Error("discovery running without ListenAddr")
	}
	if n := srv.Self(); n.UDP() != 0 || n.TCP() != 0 {
		t.Errorf("record of a non-listening server: %v", n.URLv4())
	}
	srv.Stop()
	checkNoGoroutines(t)
}

// TestDiscoverySelf: with discovery the record carries the listener's IP,
// and the same port for tcp and udp; the UDP socket is really there and
// answers pings from another node.
func TestDiscoverySelf(t *testing.T) {
	a := startDiscServer(t, nil, nil)
	b := startDiscServer(t, nil, nil)
	defer func() {
		a.Stop()
		b.Stop()
		checkNoGoroutines(t)
	}()
	port := tcpPort(t, a)
	self := a.Self()
	if err := self.ValidateComplete(); err != nil {
		t.Fatalf("record not complete: %v (%v)", err, self)
	}
	if self.IPAddr() != netip.MustParseAddr("127.0.0.1") || self.TCP() != port || self.UDP() != port {
		t.Fatalf("record %v, want 127.0.0.1 tcp=udp=%d", self.URLv4(), port)
	}
	if udpPortFree(t, port) {
		t.Fatalf("nothing bound to UDP port %d", port)
	}
	if info := a.NodeInfo(); info.Ports.Discovery != port || info.Ports.Listener != port {
		t.Errorf("NodeInfo ports %+v", info.Ports)
	}
	if a.DiscV4().Self().Seq() != a.Self().Seq() {
		t.Error("discovery and server announce different records")
	}
	if err := b.DiscV4().Ping(t.Context(), a.Self()); err != nil {
		t.Fatalf("ping to the record's UDP endpoint: %v", err)
	}
}

// TestDiscoveryPortTaken: when the UDP port of the listener is taken, Start
// fails with an error that says so, and leaves nothing behind.
func TestDiscoveryPortTaken(t *testing.T) {
	udp, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IP{127, 0, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()
	port := udp.LocalAddr().(*net.UDPAddr).Port
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	if l, err := net.Listen("tcp", addr); err != nil {
		t.Skipf("TCP port %d is taken too: %v", port, err)
	} else {
		l.Close()
	}

	srv := &Server{Config: Config{
		PrivateKey: newKey(t), MaxPeers: 1, ListenAddr: addr, Logger: infoLogger(t),
	}}
	err = srv.Start()
	if err == nil {
		srv.Stop()
		t.Fatal("Start succeeded although the UDP port is taken")
	}
	if !strings.Contains(err.Error(), "UDP") || !errors.Is(err, syscall.EADDRINUSE) {
		t.Errorf("unclear error: %v", err)
	}
	// The TCP listener was closed again.
	l, err := net.Listen("tcp", addr)
	if err != nil {
		t.Fatalf("TCP port not released after failed Start: %v", err)
	}
	l.Close()
	srv.Stop() // no-op on a server that did not start
	checkNoGoroutines(t)
}

// TestDiscoveryResolvesStatic: a static node whose TCP port is stale (its
// record still has the right UDP endpoint) cannot be dialed; the dial
// scheduler asks discovery, which fetches the node's current record, and the
// dial to the new endpoint succeeds. Nothing else could tell a where b
// listens: b dials nobody, and a has no bootnodes.
func TestDiscoveryResolvesStatic(t *testing.T) {
	b := startDiscServer(t, nil, func(c *Config) { c.NoDial = true })
	dead, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	deadPort := dead.Addr().(*net.TCPAddr).Port
	dead.Close() // nothing listens there now: the dial is refused
	stale := enode.NewV4(&b.cfg.PrivateKey.PublicKey, net.IP{127, 0, 0, 1}, deadPort, b.Self().UDP())

	events := make(chan *PeerEvent, 100)
	a := startDiscServer(t, events, func(c *Config) { c.StaticNodes = []*enode.Node{stale} })
	defer func() {
		a.Stop()
		b.Stop()
		checkNoGoroutines(t)
	}()
	timeout := time.After(discTestWait)
	for {
		select {
		case ev := <-events:
			if ev.Type != PeerEventTypeAdd || ev.Peer != b.Self().ID() {
				continue
			}
			for _, p := range a.PeersInfo() {
				if p.ID == b.Self().ID().String() && (p.Network.Inbound || !p.Network.Static) {
					t.Fatalf("peer b connected, but not as a dialed static peer: %+v", p.Network)
				}
			}
			return
		case <-timeout:
			t.Fatal("static node with a stale TCP port was never reached")
		}
	}
}

// TestDiscoveryStopDuringLookup: Stop returns while discovery requests are
// in flight, even on a simulated clock whose reply timeouts never fire by
// themselves. The bootnode is a UDP socket that never answers, so the
// table's refresh and the dialer's lookup iterator both sit waiting for its
// pong when Stop is called. This is why Stop closes discovery before the
// dial scheduler, whose Stop waits for the lookup iterator.
func TestDiscoveryStopDuringLookup(t *testing.T) {
	silent, err := net.ListenUDP("udp", &net.UDPAddr{IP: net.IP{127, 0, 0, 1}})
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	port := silent.LocalAddr().(*net.UDPAddr).Port
	boot := enode.NewV4(&newKey(t).PublicKey, net.IP{127, 0, 0, 1}, port, port)

	srv := startDiscServer(t, nil, func(c *Config) {
		c.Clock = new(mclock.Simulated)
		c.BootstrapNodes = []*enode.Node{boot}
	})
	// Two pings: the refresh's lookup and the iterator's lookup are both
	// waiting for the bootnode.
	buf := make([]byte, 1280)
	silent.SetReadDeadline(time.Now().Add(testWait))
	for range 2 {
		if _, _, err := silent.ReadFromUDP(buf); err != nil {
			t.Fatalf("no ping to the bootnode: %v", err)
		}
	}
	stopped := make(chan struct{})
	go func() {
		srv.Stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(testWait):
		t.Fatal("Stop hangs on pending discovery requests")
	}
	checkNoGoroutines(t)
}

// TestDiscoveryPeerlessHook: the dial scheduler's OnPeerless hook puts the
// bootnodes back into the table and refreshes it with a lookup, so a node
// whose table emptied while its network was down finds its way back without
// waiting for the next scheduled refresh.
func TestDiscoveryPeerlessHook(t *testing.T) {
	b := startDiscServer(t, nil, func(c *Config) { c.NoDial = true })
	a := startDiscServer(t, nil, func(c *Config) { c.NoDial = true })
	defer func() {
		a.Stop()
		b.Stop()
		checkNoGoroutines(t)
	}()
	if n := a.DiscoveryTableLen(); n != 0 {
		t.Fatalf("table of a server without bootnodes has %d nodes", n)
	}
	// As if b had been a bootnode all along, lost from the table. The hook
	// runs on the scheduler's goroutine in a server; here it is called
	// directly (a dials nobody, so the scheduler never runs it).
	a.disc.bootnodes = []*enode.Node{b.Self()}
	a.disc.peerless()
	if a.DiscV4().Table().Node(b.Self().ID()) == nil {
		t.Fatal("bootnode not back in the table after the peerless hook")
	}
}
