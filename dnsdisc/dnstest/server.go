// Package dnstest runs a real DNS server on 127.0.0.1 that serves TXT
// records from a map, over UDP and TCP, for tests of DNS discovery (EIP-1459
// node lists) and for private networks tried out on one machine.
//
//	txt, _ := tree.ToTXT("nodes.example.org") // a signed dnsdisc.Tree
//	srv, err := dnstest.Start(txt)
//	if err != nil { ... }
//	defer srv.Close()
//	client, _ := dnsdisc.NewClient(dnsdisc.Config{Resolver: srv.Resolver("udp")})
//
// Records longer than 255 bytes are split into several character-strings,
// as in any zone; resolvers join them again. Names are matched without
// regard to case. A name that is not in the map gets NXDOMAIN.
package dnstest

import (
	"context"
	"errors"
	"net"
	"strings"
	"sync"

	"github.com/miekg/dns"
)

// txtTTL is the TTL of the records served. Resolvers in tests do not cache,
// so its value only has to be valid.
const txtTTL = 60

// maxCharString is the longest character-string of a TXT record (RFC 1035,
// section 3.3).
const maxCharString = 255

// Server is a DNS server on 127.0.0.1 serving TXT records. It is safe for
// concurrent use.
type Server struct {
	udp, tcp *dns.Server
	done     chan error // one result per listener's serve loop

	mu      sync.Mutex
	records map[string]string // fully qualified lower-case name → text
}

// Start serves records (name → TXT text) on a free UDP port and a free TCP
// port of 127.0.0.1. It returns once both listeners answer queries.
func Start(records map[string]string) (*Server, error) {
	s := &Server{records: make(map[string]string), done: make(chan error, 2)}
	s.Set(records)
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		pc.Close()
		return nil, err
	}
	s.udp = &dns.Server{PacketConn: pc, Handler: s}
	s.tcp = &dns.Server{Listener: ln, Handler: s}
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		started := make(chan struct{})
		srv.NotifyStartedFunc = func() { close(started) }
		go func() { s.done <- srv.ActivateAndServe() }()
		select {
		case <-started:
		case err := <-s.done:
			// It failed before it started; stop the one that may run.
			s.Close()
			return nil, err
		}
	}
	return s, nil
}

// Set adds records (name → TXT text) or replaces those of the same names.
func (s *Server) Set(records map[string]string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for name, txt := range records {
		s.records[dns.Fqdn(strings.ToLower(name))] = txt
	}
}

// UDPAddr is the address of the UDP listener.
func (s *Server) UDPAddr() string { return s.udp.PacketConn.LocalAddr().String() }

// TCPAddr is the address of the TCP listener.
func (s *Server) TCPAddr() string { return s.tcp.Listener.Addr().String() }

// Resolver returns a resolver that sends every query to this server over
// network ("udp" or "tcp"), whatever the system's configuration says.
func (s *Server) Resolver(network string) *net.Resolver {
	addr := s.UDPAddr()
	if network == "tcp" {
		addr = s.TCPAddr()
	}
	return ResolverFor(network, addr)
}

// ResolverFor returns a resolver that sends every query to the DNS server
// at addr over network ("udp" or "tcp"). A query ends as soon as its
// context does: the connection is closed then (net.Resolver by itself would
// wait for its own timeout when the server does not answer).
func ResolverFor(network, addr string) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			c, err := d.DialContext(ctx, network, addr)
			if err != nil {
				return nil, err
			}
			context.AfterFunc(ctx, func() { c.Close() })
			return c, nil
		},
	}
}

// Close stops both listeners and waits until they are gone.
func (s *Server) Close() error {
	var errs []error
	running := 0
	for _, srv := range []*dns.Server{s.udp, s.tcp} {
		if err := srv.Shutdown(); err == nil {
			running++
		} else {
			// Never started: close its socket directly.
			if srv.PacketConn != nil {
				srv.PacketConn.Close()
			}
			if srv.Listener != nil {
				srv.Listener.Close()
			}
		}
	}
	for range running {
		if err := <-s.done; err != nil && !errors.Is(err, net.ErrClosed) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// ServeDNS answers a query from the records (dns.Handler).
func (s *Server) ServeDNS(w dns.ResponseWriter, req *dns.Msg) {
	resp := new(dns.Msg)
	resp.SetReply(req)
	if len(req.Question) != 1 {
		resp.Rcode = dns.RcodeFormatError
		w.WriteMsg(resp)
		return
	}
	q := req.Question[0]
	s.mu.Lock()
	txt, ok := s.records[strings.ToLower(q.Name)]
	s.mu.Unlock()
	switch {
	case !ok:
		resp.Rcode = dns.RcodeNameError
	case q.Qtype == dns.TypeTXT:
		resp.Answer = append(resp.Answer, &dns.TXT{
			Hdr: dns.RR_Header{Name: q.Name, Rrtype: dns.TypeTXT, Class: dns.ClassINET, Ttl: txtTTL},
			Txt: SplitTXT(txt),
		})
	}
	w.WriteMsg(resp)
}

// SplitTXT cuts a record into character-strings of at most 255 bytes.
func SplitTXT(s string) []string {
	var parts []string
	for len(s) > maxCharString {
		parts = append(parts, s[:maxCharString])
		s = s[maxCharString:]
	}
	return append(parts, s)
}
