package devp2p

import (
	"context"
	"errors"
	"net"
	"runtime"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/dnsdisc"
	"github.com/devp2p-go/devp2p/dnsdisc/dnstest"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// startListedServers starts n servers on 127.0.0.1 that only accept (no
// discovery, no dialing): the nodes a DNS list names.
func startListedServers(t *testing.T, n int) []*Server {
	t.Helper()
	servers := make([]*Server, n)
	for i := range servers {
		servers[i] = &Server{Config: Config{
			PrivateKey: newKey(t), MaxPeers: 10, ListenAddr: "127.0.0.1:0",
			NoDiscovery: true, NoDial: true, Logger: testLogger(t),
			Protocols: []Protocol{echoProto("test", 1, nil)},
		}}
		if err := servers[i].Start(); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(servers[i].Stop)
	}
	return servers
}

// serveTree signs a tree of nodes at domain and serves it from a real DNS
// server on 127.0.0.1 until the test ends. It returns the tree's URL.
func serveTree(t *testing.T, domain string, nodes []*enode.Node) (*dnstest.Server, string) {
	t.Helper()
	tree, err := dnsdisc.MakeTree(1, nodes, nil)
	if err != nil {
		t.Fatal(err)
	}
	url, err := tree.Sign(newKey(t), domain)
	if err != nil {
		t.Fatal(err)
	}
	txt, err := tree.ToTXT(domain)
	if err != nil {
		t.Fatal(err)
	}
	srv, err := dnstest.Start(txt)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return srv, url
}

// TestDNSDiscoveryDials: a server whose only candidate source is a DNS list
// served over UDP or TCP by a real DNS server dials and peers with every
// listed node, and DialStats counts them under "dns".
func TestDNSDiscoveryDials(t *testing.T) {
	listed := startListedServers(t, 3)
	nodes := make([]*enode.Node, len(listed))
	for i, s := range listed {
		nodes[i] = s.Self()
	}
	dnsSrv, url := serveTree(t, "nodes.example.org", nodes)

	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			srv := &Server{Config: Config{
				PrivateKey: newKey(t), MaxPeers: 10, DialRatio: 1,
				NoDiscovery: true, Logger: testLogger(t),
				Protocols:    []Protocol{echoProto("test", 1, nil)},
				DNSDiscovery: []string{url},
				DNSResolver:  dnsSrv.Resolver(network),
			}}
			events := make(chan *PeerEvent, 16)
			sub := srv.SubscribeEvents(events)
			defer sub.Unsubscribe()
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			want := make(map[enode.ID]bool)
			for _, n := range nodes {
				want[n.ID()] = true
			}
			for len(want) > 0 {
				ev := waitEvent(t, events, PeerEventTypeAdd)
				if !want[ev.Peer] {
					t.Fatalf("peer %v is not in the list", ev.Peer)
				}
				delete(want, ev.Peer)
			}
			// The run loop tells the dialer of a peer right after the add
			// event; a round trip through the run loop orders that before
			// the stats.
			if n := srv.PeerCount(); n != len(nodes) {
				t.Fatalf("%d peers, want %d", n, len(nodes))
			}
			st := srv.DialStats()
			dns := st.Sources[SourceDNS]
			if dns.Peers != len(nodes) || dns.Dials != len(nodes) || dns.Candidates < len(nodes) {
				t.Errorf("DialStats.Sources[%q] = %+v, want %d peers from %d dials", SourceDNS, dns, len(nodes), len(nodes))
			}
			if len(st.Sources) != 1 {
				t.Errorf("sources other than DNS: %v", st.Sources)
			}
			srv.Stop()
			checkNoDNSGoroutines(t)
		})
	}
	for _, s := range listed {
		s.Stop()
	}
	checkNoGoroutines(t)
}

// TestDNSDiscoveryBadURL: a bad list URL fails Start and says which entry
// of which field it is.
func TestDNSDiscoveryBadURL(t *testing.T) {
	key := newKey(t)
	good := dnsdisc.FormatURL(&key.PublicKey, "nodes.example.org")
	for _, tc := range []struct{ url, want string }{
		{"enode://nodes.example.org", `invalid Config.DNSDiscovery[1]: invalid enrtree URL "enode://nodes.example.org": scheme must be "enrtree://"`},
		{"enrtree://AAAA@nodes.example.org", "invalid Config.DNSDiscovery[1]: invalid link entry: "},
		{"enrtree://" + strings.TrimPrefix(good, "enrtree://")[:10] + "@", "invalid Config.DNSDiscovery[1]: "},
		{" " + good, `invalid Config.DNSDiscovery[1] " enrtree://`},
	} {
		srv := &Server{Config: Config{
			PrivateKey: newKey(t), MaxPeers: 10, Logger: testLogger(t),
			DNSDiscovery: []string{good, tc.url},
		}}
		err := srv.Start()
		if err == nil {
			srv.Stop()
			t.Fatalf("%q: Start succeeded", tc.url)
		}
		if !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: error %q, want it to contain %q", tc.url, err, tc.want)
		}
	}
	checkNoGoroutines(t)
}

// silentResolver asks a DNS server that never answers and reports when a
// query starts and how it ended.
type silentResolver struct {
	r       *net.Resolver
	started chan struct{}
	once    sync.Once
	ended   chan error
}

func (s *silentResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	s.once.Do(func() { close(s.started) })
	txt, err := s.r.LookupTXT(ctx, name)
	select {
	case s.ended <- err:
	default:
	}
	return txt, err
}

// TestDNSDiscoverySilentServer: a DNS server that never answers blocks
// neither Start nor Stop: Stop cancels the query in flight. The server's
// clock is simulated, so the list client's own query timeout never fires;
// only Stop can end the query before the system resolver gives up.
func TestDNSDiscoverySilentServer(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	res := &silentResolver{
		r:       dnstest.ResolverFor("udp", silent.LocalAddr().String()),
		started: make(chan struct{}),
		ended:   make(chan error, 1),
	}
	srv := &Server{Config: Config{
		PrivateKey: newKey(t), MaxPeers: 10, Logger: testLogger(t),
		Clock:        new(mclock.Simulated),
		DNSDiscovery: []string{dnsdisc.FormatURL(&newKey(t).PublicKey, "nodes.example.org")},
		DNSResolver:  res,
	}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	// The query reaches the DNS server, which keeps it.
	buf := make([]byte, 512)
	silent.SetReadDeadline(time.Now().Add(testWait))
	if _, _, err := silent.ReadFrom(buf); err != nil {
		t.Fatalf("no query reached the DNS server: %v", err)
	}
	<-res.started
	stopped := make(chan struct{})
	go func() {
		srv.Stop()
		close(stopped)
	}()
	select {
	case <-stopped:
	case <-time.After(testWait):
		t.Fatal("Stop blocked on a DNS query")
	}
	select {
	case err := <-res.ended:
		if !errors.Is(err, context.Canceled) {
			t.Errorf("query ended with %v, want it cancelled by Stop", err)
		}
	default:
		t.Error("query still running after Stop")
	}
	checkNoDNSGoroutines(t)
	checkNoGoroutines(t)
}

// checkNoDNSGoroutines fails if a goroutine of the list client or of the
// candidate mix is left (checkNoGoroutines looks only at this package).
func checkNoDNSGoroutines(t *testing.T) {
	t.Helper()
	var left string
	for range 1000 {
		if left = dnsGoroutines(); left == "" {
			return
		}
		runtime.Gosched() // one past its last wg.Done may still be exiting
	}
	t.Fatalf("goroutines left:\n%s", left)
}

func dnsGoroutines() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for _, g := range strings.Split(string(buf), "\n\n") {
		if strings.Contains(g, "devp2p/dnsdisc.") || strings.Contains(g, "enode.(*FairMix)") {
			out = append(out, g)
		}
	}
	return strings.Join(out, "\n\n")
}
