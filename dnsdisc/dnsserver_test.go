package dnsdisc

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/miekg/dns"
)

// testDNSServer serves TXT records from a real DNS server on 127.0.0.1 over
// UDP and TCP, splitting long records into 255-byte character-strings as any
// zone must.
type testDNSServer struct {
	records map[string]string // fully qualified lower-case name → text
	udp     *dns.Server
	tcp     *dns.Server
}

func startDNSServer(t *testing.T, records map[string]string) *testDNSServer {
	t.Helper()
	s := &testDNSServer{records: make(map[string]string)}
	for name, txt := range records {
		s.records[dns.Fqdn(strings.ToLower(name))] = txt
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s.udp = &dns.Server{PacketConn: pc, Handler: s}
	s.tcp = &dns.Server{Listener: ln, Handler: s}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		errc := make(chan error, 1)
		go func() { errc <- srv.ActivateAndServe() }()
		t.Cleanup(func() {
			if err := srv.Shutdown(); err != nil {
				t.Error(err)
			}
			<-errc
		})
		<-started
	}
	return s
}

func (s *testDNSServer) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	resp := new(dns.Msg)
	resp.SetReply(req)
	q := req.Question[0]
	txt, ok := s.records[strings.ToLower(q.Name)]
	switch {
	case !ok:
		resp.Rcode = dns.RcodeNameError
	case q.Qtype == dns.TypeTXT:
		resp.Answer = append(resp.Answer, &dns.TXT{
			Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: 60},
			Txt: splitTXT(txt),
		})
	}
	w.WriteMsg(resp)
}

// splitTXT cuts a record into character-strings of at most 255 bytes.
func splitTXT(s string) []string {
	var parts []string
	for len(s) > 255 {
		parts = append(parts, s[:255])
		s = s[255:]
	}
	return append(parts, s)
}

// resolverFor returns a *net.Resolver that sends every query to addr over
// network, whatever the system configuration says.
func resolverFor(network, addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, network, addr)
		},
	}
}

func TestRealDNSServer(t *testing.T) {
	nodes := testNodes(t, 30)
	linked := FormatURL(&newKey(t).PublicKey, "other.example.org")
	_, url, txt := signedTree(t, testKey(t), "nodes.example.org", 3, nodes, []string{linked})
	long := 0
	for _, rec := range txt {
		if len(rec) > 255 {
			long++
		}
	}
	if long == 0 {
		t.Fatal("no record needs splitting; the test would not cover joining")
	}
	srv := startDNSServer(t, txt)

	for _, tc := range []struct{ network, addr string }{
		{"udp", srv.udp.PacketConn.LocalAddr().String()},
		{"tcp", srv.tcp.Listener.Addr().String()},
	} {
		t.Run(tc.network, func(t *testing.T) {
			cfg := fastConfig(t, resolverFor(tc.network, tc.addr))
			c := newTestClient(t, cfg)
			tree, err := c.SyncTree(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			sameNodes(t, tree.Nodes(), nodes)
			if l := tree.Links(); len(l) != 1 || l[0] != linked {
				t.Fatalf("links %v", l)
			}

			it, err := newTestClient(t, cfg).NewIterator(url)
			if err != nil {
				t.Fatal(err)
			}
			defer it.Close()
			readUntil(t, it, nodes, nodeIDs(nodes), 2000)
		})
	}
}
