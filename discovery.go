package devp2p

import (
	"context"
	"fmt"
	"net"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/internal/dial"
)

// Discovery wiring (issue 7). Unless Config.NoDiscovery, a listening server
// runs discv4 on UDP at the IP and port number of its TCP listener, so that
// one port number serves both, as every client does (with ListenAddr port 0
// the port the TCP listener got is used). The engine shares the server's
// LocalNode, node database, clock and logger; it seeds from
// Config.BootstrapNodes and the database, and honours NetRestrict.
//
// What the rest of the server gets from it:
//   - the record's "udp" entry (announceDiscoveryPort),
//   - RandomNodes, a lookup iterator, as one source of srv.mix (the dialer's
//     candidates),
//   - the dial scheduler's Resolver (a static node that cannot be reached is
//     looked up by its key) and its OnPeerless hook (re-seed and refresh).
//
// The Server only sees an enode.Iterator and two functions; Kademlia stays
// in package discover (DESIGN.md).

// discoveryEnabled reports whether Start runs discovery. A server that does
// not listen (empty ListenAddr) has no address to run it on, and opens no
// UDP socket either.
func (srv *Server) discoveryEnabled() bool {
	return !srv.cfg.NoDiscovery && srv.cfg.ListenAddr != ""
}

// discoveryState is the Server's discovery part. Set by Start, read-only
// afterwards.
type discoveryState struct {
	v4 *v4.UDPv4 // nil without discovery
	// udp is the socket setupListening bound beside a TCP listener on a
	// port the kernel picked; setupDiscovery hands it to discv4.
	udp *net.UDPConn
	v5  discV5State // discovery_v5.go
}

// announceDiscoveryPort puts discovery's UDP port into the record.
// setupListening calls it for the new TCP listener, before NAT starts, so
// that a port the gateway maps later (natEndpointChanged) wins over it.
// Without discovery the record has ip and tcp but no udp.
func (srv *Server) announceDiscoveryPort(tcp *net.TCPAddr) {
	if srv.discoveryEnabled() {
		srv.localnode.SetFallbackUDP(tcp.Port) // setupDiscovery binds this port or fails Start
	}
}

// setupDiscovery starts discv4 on the TCP listener's address. It runs after
// setupListening. On error nothing is left open.
func (srv *Server) setupDiscovery() error {
	if !srv.discoveryEnabled() || srv.listener == nil {
		return nil
	}
	tcp, ok := srv.listener.Addr().(*net.TCPAddr)
	if !ok {
		return fmt.Errorf("devp2p: discovery needs a TCP listener, have %v", srv.listener.Addr())
	}
	conn := srv.disc.udp
	srv.disc.udp = nil
	if conn == nil {
		laddr := &net.UDPAddr{IP: tcp.IP, Port: tcp.Port, Zone: tcp.Zone}
		var err error
		if conn, err = net.ListenUDP("udp", laddr); err != nil {
			return fmt.Errorf("devp2p: discovery: can't listen on UDP %v (the port of the TCP listener): %w", laddr, err)
		}
	}
	disc, err := v4.ListenV4(conn, srv.localnode, v4.Config{
		PrivateKey: srv.cfg.PrivateKey,
		TableConfig: discover.TableConfig{
			DB:          srv.nodedb,
			Bootnodes:   srv.cfg.BootstrapNodes,
			NetRestrict: srv.cfg.NetRestrict,
		},
		Unhandled: srv.discV5Unhandled(), // nil unless DiscoveryV5
		Clock:     srv.clock,
		Logger:    srv.log,
	})
	if err != nil {
		conn.Close()
		return fmt.Errorf("devp2p: discovery: %w", err)
	}
	srv.disc.v4 = disc
	if err := srv.setupDiscoveryV5(conn); err != nil { // discovery_v5.go
		disc.Close()
		srv.disc.v4 = nil
		return err
	}
	if !srv.cfg.NoDial {
		srv.mix.AddSource(disc.RandomNodes())
	}
	srv.log.Debug("Discovery v4 started", "addr", conn.LocalAddr(), "bootnodes", len(srv.cfg.BootstrapNodes))
	return nil
}

// stopDiscovery closes the engine and its socket; it is idempotent.
//
// Stop calls it before stopping the dial scheduler, not after: the
// scheduler's Stop waits for the candidate mix, whose discv4 source may be
// inside a lookup, and for dial tasks that may be inside Resolve. Only
// closing the engine ends the requests those wait on at once (their reply
// timeouts run on the server clock, which under mclock.Simulated would never
// fire by itself). Resolve and lookups on a closed engine return at once, so
// the dialer winds down cleanly. The node database is closed after both.
func (srv *Server) stopDiscovery() {
	if srv.disc.udp != nil { // bound, but Start failed before discovery ran
		srv.disc.udp.Close()
		srv.disc.udp = nil
	}
	srv.stopDiscoveryV5() // discovery_v5.go: before discv4, which owns the socket
	if srv.disc.v4 != nil {
		srv.disc.v4.Close()
	}
}

// configureDialDiscovery gives the dial scheduler discovery's hooks.
// startDialer calls it while building the scheduler's config.
//
// There is no cfg.Filter: Protocol has no dial filter (yet); applications
// filter their Protocol.DialCandidates themselves (enode.Filter).
func (srv *Server) configureDialDiscovery(cfg *dial.Config) {
	if srv.disc.v4 == nil {
		return
	}
	cfg.Resolver = srv.disc.v4
	cfg.OnPeerless = srv.discoveryPeerless
}

// discoveryPeerless is the scheduler's OnPeerless hook: after a while
// without any peer, put the bootnodes back into the table (revalidation may
// have dropped them while the network was down) and run a lookup for our own
// ID, as a table refresh does; if the table is empty the lookup waits for a
// refresh, which also reloads the database seeds. The scheduler runs it on
// its own goroutine, never twice at once.
func (srv *Server) discoveryPeerless() {
	disc := srv.disc.v4
	boot := srv.cfg.BootstrapNodes
	for _, n := range boot {
		disc.Table().AddFoundNode(n)
	}
	if len(boot) > 0 {
		// The table's loop takes additions in order and applies each before
		// taking the next, so once this repeat (a no-op) is taken, the
		// bootnodes are in. Without it the lookup could find the table still
		// empty and wait for the rate-limited refresh instead.
		disc.Table().AddFoundNode(boot[0])
	}
	disc.Lookup(context.Background(), srv.localnode.Node()) // ended by the engine's Close
}

// DiscV4 returns the discv4 engine, or nil when the server runs without
// discovery (NoDiscovery, no ListenAddr, or not started). It is for status
// displays and tools (ping, lookups); the server itself owns its lifetime.
func (srv *Server) DiscV4() *v4.UDPv4 { return srv.disc.v4 }

// DiscoveryTableLen returns the number of live nodes in the discv4 table,
// 0 without discovery. For status lines.
func (srv *Server) DiscoveryTableLen() int {
	if srv.disc.v4 == nil {
		return 0
	}
	return srv.disc.v4.Table().Len()
}

// The engine is the dial scheduler's Resolver as it is.
var _ dial.Resolver = (*v4.UDPv4)(nil)

// maxPortPicks bounds how often listenPair asks the kernel for another port
// when the UDP twin of a picked TCP port is taken.
const maxPortPicks = 16

// listenPair opens the TCP listener. When discovery runs and the configured
// port is 0, the TCP and UDP ports must match (clients announce one port), so
// it binds UDP on the port the kernel gave TCP and, if another socket holds
// that UDP port, tries a fresh pick instead of failing Start.
func (srv *Server) listenPair() (net.Listener, error) {
	_, port, _ := net.SplitHostPort(srv.cfg.ListenAddr)
	if !srv.discoveryEnabled() || port != "0" {
		return net.Listen("tcp", srv.cfg.ListenAddr)
	}
	var lastErr error
	for range maxPortPicks {
		l, err := net.Listen("tcp", srv.cfg.ListenAddr)
		if err != nil {
			return nil, err
		}
		tcp := l.Addr().(*net.TCPAddr)
		conn, err := net.ListenUDP("udp", &net.UDPAddr{IP: tcp.IP, Port: tcp.Port, Zone: tcp.Zone})
		if err == nil {
			srv.disc.udp = conn
			return l, nil
		}
		l.Close()
		lastErr = err
	}
	return nil, fmt.Errorf("devp2p: discovery: no port free for both TCP and UDP after %d tries: %w", maxPortPicks, lastErr)
}
