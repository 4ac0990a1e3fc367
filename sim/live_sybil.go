package sim

import (
	"crypto/ecdsa"
	"fmt"
	"math"
	"net"
	"net/netip"
	"slices"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// A live Sybil is an attacker identity: a devp2p.Server that only accepts
// connections (it never dials and runs no discovery of its own), and, on
// the same address, a hand-written discv4 responder built on
// discover/v4wire. The responder answers pings (and pings back, so that
// honest nodes may query it), answers every FINDNODE with the Sybils
// closest to the target and nothing else, and pings the bootnodes at the
// start and a random honest server every sybilPingEvery, which puts it into
// honest tables. The real engine and Server are left as they are: what
// keeps the honest share up is their own limits (the table's per-/24 and
// per-/16 caps, the dialer's subnet spread, the inbound caps).
type sybilHost struct {
	key   *ecdsa.PrivateKey
	id    enode.ID
	addr  netip.AddrPort
	wire  v4wire.Node
	srv   *devp2p.Server
	conn  devp2p.PacketConn
	clock *mclock.Simulated
	all   *[]*sybilHost // every Sybil, written before any responder starts
	done  chan struct{}

	mu      sync.Mutex
	closed  bool
	timer   mclock.Timer
	pinged  map[netip.AddrPort]mclock.AbsTime // when we last pinged an address
	targets func() []netip.AddrPort           // honest servers to ping; called on the clock's goroutine
}

const (
	sybilPingEvery = 30 * time.Second
	sybilRepingAge = 10 * time.Minute
	sybilAnswerLen = 16
)

// sybilCount is how many Sybils a config asks for: Fraction of all
// identities, honest ones being cfg.Nodes.
func sybilCount(cfg LiveConfig) int {
	f := cfg.Sybil.Fraction
	if f <= 0 {
		return 0
	}
	return int(math.Round(f / (1 - f) * float64(cfg.Nodes)))
}

// startSybils creates the Sybils in Sybil.Subnets /24 blocks of
// 185.200.0.0/16 (one provider's block, as a rented range would be) and
// starts them.
func (n *liveNet) startSybils() error {
	count := sybilCount(n.cfg)
	if count == 0 {
		return nil
	}
	var all []*sybilHost
	for i := range count {
		block := i % n.cfg.Sybil.Subnets
		var ip netip.Addr
		for {
			ip = netip.AddrFrom4([4]byte{185, 200, byte(block), byte(1 + n.rnd.IntN(254))})
			if !n.used[ip] {
				break
			}
		}
		n.used[ip] = true
		key, err := crypto.GenerateKey()
		if err != nil {
			return err
		}
		s := &sybilHost{
			key: key, id: enode.PubkeyToIDV4(&key.PublicKey), addr: netip.AddrPortFrom(ip, 30303),
			clock: n.clock, all: &all, done: make(chan struct{}),
			pinged: make(map[netip.AddrPort]mclock.AbsTime),
			targets: func() []netip.AddrPort {
				var ts []netip.AddrPort
				for _, h := range n.online() {
					ts = append(ts, netip.AddrPortFrom(h.ip, 30303))
				}
				return ts
			},
		}
		s.wire = v4wire.Node{IP: ip, UDP: 30303, TCP: 30303, ID: v4wire.EncodePubkey(&key.PublicKey)}
		srv := &devp2p.Server{Config: devp2p.Config{
			PrivateKey:  key,
			MaxPeers:    1000, // accept every dial the honest servers' limits let through
			NoDial:      true,
			NoDiscovery: true,
			ListenAddr:  net.JoinHostPort(ip.String(), "30303"),
			Protocols:   []devp2p.Protocol{idleProtocol},
			Listen:      n.fab.Listen,
			Clock:       n.clock,
			Logger:      n.cfg.Logger,
		}}
		if err := srv.Start(); err != nil {
			return fmt.Errorf("sim: start Sybil at %v: %w", ip, err)
		}
		s.srv = srv
		conn, err := n.fab.ListenUDP(s.addr)
		if err != nil {
			srv.Stop()
			return fmt.Errorf("sim: Sybil socket at %v: %w", ip, err)
		}
		s.conn = conn
		all = append(all, s)
		n.sybils = append(n.sybils, s)
		n.sybIDs[s.id] = true
	}
	var boot []netip.AddrPort
	for _, b := range n.boot {
		if ap, ok := b.UDPEndpoint(); ok {
			boot = append(boot, ap)
		}
	}
	for _, s := range all {
		go s.serve()
		for _, b := range boot {
			s.ping(b)
		}
		s.mu.Lock()
		s.timer = s.clock.AfterFunc(time.Duration(n.rnd.Int64N(int64(sybilPingEvery))), s.tick)
		s.mu.Unlock()
	}
	return nil
}

// tick pings one random honest server and schedules the next tick.
func (s *sybilHost) tick() {
	ts := s.targets()
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return
	}
	if len(ts) > 0 {
		// Pick by the clock: the clock's goroutine owns no generator of ours.
		t := ts[int(uint64(s.clock.Now())/uint64(time.Millisecond)+uint64(s.addr.Addr().As4()[3]))%len(ts)]
		s.pingLocked(t)
	}
	s.timer = s.clock.AfterFunc(sybilPingEvery, s.tick)
}

func (s *sybilHost) expiration() uint64 {
	return uint64(s.clock.Wall().Add(20 * time.Second).Unix())
}

func (s *sybilHost) ping(to netip.AddrPort) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pingLocked(to)
}

func (s *sybilHost) pingLocked(to netip.AddrPort) {
	if s.closed {
		return
	}
	s.pinged[to] = s.clock.Now()
	s.send(to, &v4wire.Ping{
		Version: 4, From: v4wire.NewEndpoint(s.addr, s.addr.Port()), To: v4wire.NewEndpoint(to, 0),
		Expiration: s.expiration(),
	})
}

func (s *sybilHost) send(to netip.AddrPort, p v4wire.Packet) {
	b, _, err := v4wire.Encode(s.key, p)
	if err == nil {
		s.conn.WriteToUDPAddrPort(b, to)
	}
}

// serve answers datagrams until the socket closes.
func (s *sybilHost) serve() {
	defer close(s.done)
	buf := make([]byte, v4wire.MaxPacketSize)
	for {
		nb, from, err := s.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		p, _, hash, err := v4wire.Decode(buf[:nb])
		if err != nil {
			continue
		}
		switch p := p.(type) {
		case *v4wire.Ping:
			s.send(from, &v4wire.Pong{To: v4wire.NewEndpoint(from, p.From.TCP), ReplyTok: hash, Expiration: s.expiration()})
			s.mu.Lock()
			last, ok := s.pinged[from]
			if !ok || s.clock.Now().Sub(last) > sybilRepingAge {
				s.pingLocked(from)
			}
			s.mu.Unlock()
		case *v4wire.Findnode:
			s.answer(from, p.Target.ID())
		}
	}
}

// answer is the lie: the Sybils closest to target, in packets of at most
// twelve nodes as real nodes send them.
func (s *sybilHost) answer(to netip.AddrPort, target enode.ID) {
	all := slices.Clone(*s.all)
	slices.SortFunc(all, func(a, b *sybilHost) int { return enode.DistCmp(target, a.id, b.id) })
	var nodes []v4wire.Node
	for _, o := range all[:min(len(all), sybilAnswerLen)] {
		nodes = append(nodes, o.wire)
	}
	for len(nodes) > 0 {
		k := min(len(nodes), 12)
		s.send(to, &v4wire.Neighbors{Nodes: nodes[:k], Expiration: s.expiration()})
		nodes = nodes[k:]
	}
}

// close stops the responder, its pings and its server.
func (s *sybilHost) close() {
	s.mu.Lock()
	s.closed = true
	if s.timer != nil {
		s.timer.Stop()
	}
	s.mu.Unlock()
	s.conn.Close()
	<-s.done
	s.srv.Stop()
}
