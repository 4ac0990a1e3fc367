package devp2p

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/netip"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/discover/v5"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/internal/dial"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/nodedb"
)

// Unless Config.NoDiscovery, a listening server runs discv4 on UDP at the
// IP and port number of its TCP listener, so that one port number serves
// both, as every client does (with ListenAddr port 0 the port the TCP
// listener got is used). With Config.DiscoveryV5, discv5 runs on the same
// socket. The engines share the server's LocalNode, node database, clock
// and logger, seed from the bootnodes and the database, and honour
// NetRestrict. Kademlia stays in package discover: the server only sees
// iterators, a resolver and a hook.

// unhandledQueue is how many datagrams discv4 may have handed to discv5
// that discv5 has not taken yet; more are dropped (discv4 never blocks).
const unhandledQueue = 128

// discovery runs the discovery engines of a server. It owns the UDP socket,
// discv4 and discv5; Close stops them all. Read-only after
// startDiscovery.
type discovery struct {
	v4        *v4.UDPv4
	v5        *v5.UDPv5 // nil unless Config.DiscoveryV5
	self      *enode.LocalNode
	bootnodes []*enode.Node
}

// startDiscovery starts discv4 (and discv5 with cfg.DiscoveryV5) on conn,
// which it owns from then on: on error it is closed and nothing runs.
//
// The engines share the socket in one hop: discv4 reads it and hands every
// datagram it cannot decode to the channel that discv5's dispatch loop reads
// (no goroutine copies packets in between).
func startDiscovery(conn discover.UDPConn, ln *enode.LocalNode, db *nodedb.DB, cfg *Config, clock mclock.Clock, log *slog.Logger, m *serverMetrics) (*discovery, error) {
	var shared chan discover.ReadPacket
	if cfg.DiscoveryV5 {
		shared = make(chan discover.ReadPacket, unhandledQueue)
	}
	d := &discovery{self: ln, bootnodes: cfg.BootstrapNodes}
	// One admitter for the shared socket, so a datagram is admitted once.
	// It exempts LAN sources as the table and the Server do.
	admit := discover.NewAdmitter(discover.AdmitConfig{
		LANExempt: cfg.LANExempt,
		Self:      func() netip.Addr { return ln.Node().IPAddr() },
	}, clock)
	var err error
	d.v4, err = v4.ListenV4(conn, ln, v4.Config{
		Admitter:   admit,
		PrivateKey: cfg.PrivateKey,
		TableConfig: discover.TableConfig{
			DB:          db,
			Bootnodes:   cfg.BootstrapNodes,
			NetRestrict: cfg.NetRestrict,
			LANExempt:   cfg.LANExempt,
			LookupDone:  m.lookupObserver(discV4),
		},
		Unhandled: shared, // nil unless DiscoveryV5
		Clock:     clock,
		Logger:    log,
	})
	if err != nil {
		conn.Close()
		return nil, fmt.Errorf("devp2p: discovery: %w", err)
	}
	log.Debug("Discovery v4 started", "addr", conn.LocalAddr(), "bootnodes", len(cfg.BootstrapNodes))
	if shared == nil {
		return d, nil
	}
	d.v5, err = v5.ListenV5(conn, ln, v5.Config{
		Admitter:   admit,
		PrivateKey: cfg.PrivateKey,
		TableConfig: discover.TableConfig{
			DB:          db,
			Bootnodes:   cfg.BootstrapNodesV5,
			NetRestrict: cfg.NetRestrict,
			LANExempt:   cfg.LANExempt,
			LookupDone:  m.lookupObserver(discV5),
		},
		Unhandled: shared,
		Clock:     clock,
		Logger:    log,
	})
	if err != nil {
		d.v4.Close() // closes conn
		return nil, fmt.Errorf("devp2p: discovery v5: %w", err)
	}
	log.Debug("Discovery v5 started", "addr", conn.LocalAddr(), "bootnodes", len(cfg.BootstrapNodesV5))
	return d, nil
}

// iterators returns new lookup iterators of the engines, labelled for the
// dialer's candidate mix, which owns them from then on.
func (d *discovery) iterators() []dialSource {
	its := []dialSource{{SourceDiscv4, d.v4.RandomNodes()}}
	if d.v5 != nil {
		its = append(its, dialSource{SourceDiscv5, d.v5.RandomNodes()})
	}
	return its
}

// counts returns the engines' packet counters and table fill, for the
// metrics at scrape time (metrics_scrape.go).
func (d *discovery) counts() []discoveryCounts {
	cs := []discoveryCounts{engineCounts(discV4, d.v4.PacketStats(), d.v4.Table(), v4.PacketTypeName)}
	if d.v5 != nil {
		cs = append(cs, engineCounts(discV5, d.v5.PacketStats(), d.v5.Table(), v5.PacketTypeName))
	}
	return cs
}

// admission returns the counts of the socket's Admitter (shared by both
// engines), for the metrics at scrape time.
func (d *discovery) admission() (results []namedCount, repliesDenied uint64) {
	st := d.v4.AdmitStats()
	return []namedCount{
		{"admitted", uint64(st.Admitted)}, {"admitted_trusted", uint64(st.AdmittedTrusted)},
		{"admitted_lan", uint64(st.AdmittedLAN)}, {"dropped_ip", uint64(st.DroppedIP)},
		{"dropped_subnet", uint64(st.DroppedSubnet)}, {"dropped_wide", uint64(st.DroppedWide)},
		{"dropped_global", uint64(st.DroppedGlobal)},
	}, uint64(st.RepliesDenied)
}

func engineCounts(version string, st *discover.PacketStats, tab *discover.Table, typeName func(int) string) discoveryCounts {
	dc := discoveryCounts{version: version, buckets: tab.BucketLens()}
	for kind := range discover.KindSlots {
		if name := typeName(kind); name != "" {
			dc.in = append(dc.in, namedCount{name, st.Received(kind)})
			dc.out = append(dc.out, namedCount{name, st.Sent(kind)})
		}
	}
	for r := range discover.NumDropReasons {
		reason := discover.DropReason(r)
		dc.dropped = append(dc.dropped, namedCount{reason.String(), st.Dropped(reason)})
	}
	return dc
}

// resolver is the dial scheduler's Resolver: a static node that cannot be
// reached is looked up by its key.
func (d *discovery) resolver() dial.Resolver { return d.v4 }

// peerless is the dial scheduler's OnPeerless hook: after a while without
// any peer, put the bootnodes back into the table (revalidation may have
// dropped them while the network was down) and run a lookup for our own
// ID, as a table refresh does. If the table is empty the lookup waits for a
// refresh, which the table's loop runs after the additions it took, and
// which also reloads the database seeds. The scheduler runs it on its own
// goroutine, never twice at once.
func (d *discovery) peerless() {
	for _, n := range d.bootnodes {
		d.v4.Table().AddFoundNode(n)
	}
	d.v4.Lookup(context.Background(), d.self.Node()) // ended by the engine's Close
}

// Close stops discv5, then discv4, which closes the socket. Lookups and
// Resolve calls in progress return at once, so the Server closes discovery
// before it waits for the dialer (whose candidate mix may be inside a
// lookup, and whose dial tasks may be inside Resolve; their reply timeouts
// run on the server clock, which under mclock.Simulated would never fire
// by itself).
func (d *discovery) Close() {
	if d.v5 != nil {
		d.v5.Close() // does not close the shared socket
	}
	d.v4.Close()
}

// discoveryEnabled reports whether Start runs discovery. A server that does
// not listen (empty ListenAddr) has no address to run it on, and opens no
// UDP socket either.
func (srv *Server) discoveryEnabled() bool {
	return !srv.cfg.NoDiscovery && srv.cfg.ListenAddr != ""
}

// DiscV4 returns the discv4 engine, or nil when the server runs without
// discovery (NoDiscovery, no ListenAddr, or not started). It is for status
// displays and tools (ping, lookups); the server itself owns its lifetime.
func (srv *Server) DiscV4() *v4.UDPv4 {
	if srv.disc == nil {
		return nil
	}
	return srv.disc.v4
}

// DiscV5 returns the discv5 engine, or nil when it does not run. For status
// displays, tools and TALKREQ handlers (RegisterTalkHandler).
func (srv *Server) DiscV5() *v5.UDPv5 {
	if srv.disc == nil {
		return nil
	}
	return srv.disc.v5
}

// DiscoveryTableLen returns the number of live nodes in the discv4 table,
// 0 without discovery. For status lines.
func (srv *Server) DiscoveryTableLen() int {
	if srv.disc == nil {
		return 0
	}
	return srv.disc.v4.Table().Len()
}

// maxPortPicks bounds how often listenPair asks the kernel for another port
// when the UDP twin of a picked TCP port is taken.
const maxPortPicks = 16

// listenPair opens the TCP listener and, when discovery runs, the UDP
// socket on the same IP and port number (clients announce one port). With
// port 0 it binds UDP on the port the kernel gave TCP and, if another socket
// holds that UDP port, tries a fresh pick instead of failing Start. udp is
// nil without discovery.
func (srv *Server) listenPair() (tcp net.Listener, udp PacketConn, err error) {
	_, port, _ := net.SplitHostPort(srv.cfg.ListenAddr)
	picks := 1
	if port == "0" {
		picks = maxPortPicks
	}
	for range picks {
		if tcp, err = srv.listenTCP(srv.cfg.ListenAddr); err != nil || !srv.discoveryEnabled() {
			return tcp, nil, err
		}
		addr, ok := tcp.Addr().(*net.TCPAddr)
		if !ok {
			tcp.Close()
			return nil, nil, fmt.Errorf("devp2p: discovery needs a TCP listener, have %v", tcp.Addr())
		}
		laddr := &net.UDPAddr{IP: addr.IP, Port: addr.Port, Zone: addr.Zone}
		if udp, err = srv.listenUDP(laddr); err == nil {
			return tcp, udp, nil
		}
		tcp.Close()
		err = fmt.Errorf("devp2p: discovery: can't listen on UDP %v (the port of the TCP listener): %w", laddr, err)
	}
	if picks > 1 {
		err = fmt.Errorf("devp2p: discovery: no port free for both TCP and UDP after %d tries: %w", picks, err)
	}
	return nil, nil, err
}
