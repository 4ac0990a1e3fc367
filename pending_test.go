package devp2p

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/rlpx"
)

// nopConn is a net.Conn that only records Close, for slot bookkeeping tests.
type nopConn struct {
	net.Conn
	closed bool
}

func (c *nopConn) Close() error { c.closed = true; return nil }

func TestPendingSlotsLimits(t *testing.T) {
	ip := netip.MustParseAddr
	p := newPendingSlots(50)
	for i := range pendingPerHost {
		if _, err := p.acquire(&nopConn{}, ip("45.33.1.7"), false); err != nil {
			t.Fatalf("host slot %d: %v", i, err)
		}
	}
	if _, err := p.acquire(&nopConn{}, ip("45.33.1.7"), false); !errors.Is(err, errPendingHost) {
		t.Fatalf("host over its limit: %v", err)
	}
	// IPv6: one /64 is one host, whatever address it picks.
	for i := range pendingPerHost {
		if _, err := p.acquire(&nopConn{}, ip(fmt.Sprintf("2a01:4f8:1:2::%x", i+1)), false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.acquire(&nopConn{}, ip("2a01:4f8:1:2:ffff::1"), false); !errors.Is(err, errPendingHost) {
		t.Fatalf("third address of one /64: %v", err)
	}
	for i := pendingPerHost; i < pendingPerSubnet; i++ {
		if _, err := p.acquire(&nopConn{}, ip(fmt.Sprintf("45.33.1.%d", 100+i)), false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.acquire(&nopConn{}, ip("45.33.1.200"), false); !errors.Is(err, errPendingSubnet) {
		t.Fatalf("/24 over its limit: %v", err)
	}
	// The /48 holds pendingPerSubnet as well.
	for i := pendingPerHost; i < pendingPerSubnet; i++ {
		if _, err := p.acquire(&nopConn{}, ip(fmt.Sprintf("2a01:4f8:1:%x::1", 0x100+i)), false); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := p.acquire(&nopConn{}, ip("2a01:4f8:1:ffff::1"), false); !errors.Is(err, errPendingSubnet) {
		t.Fatalf("/48 over its limit: %v", err)
	}
	// Exempt sources (LAN on a LAN node) skip both limits.
	for range pendingPerSubnet + 1 {
		if _, err := p.acquire(&nopConn{}, ip("10.0.0.1"), true); err != nil {
			t.Fatalf("exempt source: %v", err)
		}
	}
	if p.len() != 2*pendingPerSubnet+pendingPerSubnet+1 {
		t.Fatalf("%d slots taken", p.len())
	}
}

func TestPendingSlotsEviction(t *testing.T) {
	ip := netip.MustParseAddr
	p := newPendingSlots(4)
	var crowd []*nopConn
	var slots []*pendingSlot
	for i := range 3 {
		fd := &nopConn{}
		s, err := p.acquire(fd, ip(fmt.Sprintf("45.33.1.%d", i+1)), false)
		if err != nil {
			t.Fatal(err)
		}
		crowd, slots = append(crowd, fd), append(slots, s)
	}
	lone, err := p.acquire(&nopConn{}, ip("80.10.1.1"), false)
	if err != nil {
		t.Fatal(err)
	}
	// The oldest of the crowded /24 is secured: it is never evicted.
	if !p.secured(slots[0]) {
		t.Fatal("secured slot reported evicted")
	}
	// Full. A newcomer from a third subnet takes the slot of the oldest
	// unauthenticated connection of the most crowded subnet.
	newcomer := &nopConn{}
	if _, err := p.acquire(newcomer, ip("91.2.3.4"), false); err != nil {
		t.Fatalf("newcomer from another subnet: %v", err)
	}
	if crowd[0].closed || !crowd[1].closed || crowd[2].closed {
		t.Fatalf("closed %v %v %v, want only the second of the crowded subnet", crowd[0].closed, crowd[1].closed, crowd[2].closed)
	}
	if p.secured(slots[1]) || !p.release(slots[1]) {
		t.Fatal("evicted slot not reported as such")
	}
	if p.len() != 4 {
		t.Fatalf("%d slots taken after eviction", p.len())
	}
	// A newcomer from the crowded subnet evicts nobody: its subnet would be
	// as crowded as any other.
	if _, err := p.acquire(&nopConn{}, ip("45.33.1.99"), false); !errors.Is(err, errPendingFull) {
		t.Fatalf("newcomer from the crowded subnet: %v", err)
	}
	// Neither does one from the subnet of lone (1 there, 2 with it; the
	// crowded one holds 2 as well).
	if _, err := p.acquire(&nopConn{}, ip("80.10.1.2"), false); !errors.Is(err, errPendingFull) {
		t.Fatalf("newcomer as crowded as the rest: %v", err)
	}
	if p.release(lone) {
		t.Fatal("released slot reported evicted")
	}
	if p.release(lone) || p.len() != 3 {
		t.Fatalf("double release: %d slots", p.len())
	}
}

// memListener is a net.Listener fed by the test, whose connections may
// claim any remote address: one test process can then play a thousand
// attackers on the internet.
type memListener struct {
	conns  chan net.Conn
	closed chan struct{}
	once   sync.Once
}

func newMemListener() *memListener {
	return &memListener{conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *memListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *memListener) Close() error {
	l.once.Do(func() { close(l.closed) })
	return nil
}

func (l *memListener) Addr() net.Addr { return &net.TCPAddr{IP: net.IP{127, 0, 0, 1}, Port: 30303} }

// addrConn is one end of a pipe that claims a remote TCP address.
type addrConn struct {
	net.Conn
	remote *net.TCPAddr
}

func (c *addrConn) RemoteAddr() net.Addr { return c.remote }

// connect hands the listener a connection from ip and returns the client's
// end of it.
func (l *memListener) connect(ip netip.Addr) net.Conn {
	server, client := net.Pipe()
	l.conns <- &addrConn{Conn: server, remote: net.TCPAddrFromAddrPort(netip.AddrPortFrom(ip, 30303))}
	return client
}

// listenMem starts srv's listen loop on an in-memory listener. The cleanup
// closes the listener and every client end the test opened, and waits for
// the setups.
func listenMem(t *testing.T, srv *Server) (*memListener, *[]net.Conn) {
	l := newMemListener()
	srv.listener = l
	srv.listenWG.Add(1)
	go srv.listenLoop()
	var clients []net.Conn
	t.Cleanup(func() {
		l.Close()
		for _, c := range clients {
			c.Close()
		}
		srv.listenWG.Wait()
	})
	return l, &clients
}

// TestInboundStarvation: attackers keep up to a thousand idle connections
// open (they never send auth, and hold their slot as long as the server
// lets them), from one IP, one /24, one /16, or one private /24 next to a
// node with a public address. An honest peer from another subnet, trying
// again every 31 s, completes at least 95% of its handshakes (here: all).
func TestInboundStarvation(t *testing.T) {
	const (
		rounds   = 40
		perRound = 25 // 1,000 attacker connections in all
	)
	for _, tt := range []struct {
		name     string
		attacker func(i int) netip.Addr
		self     net.IP // our public address, when set
	}{
		{"one-ip", func(int) netip.Addr { return netip.MustParseAddr("45.33.1.7") }, nil},
		{"one-24", func(i int) netip.Addr { return netip.AddrFrom4([4]byte{45, 33, 1, byte(1 + i%250)}) }, nil},
		// 100 /24s of one /16 fill every slot: the honest peer takes one over.
		{"one-16", func(i int) netip.Addr { return netip.AddrFrom4([4]byte{45, 33, byte(i % 100), byte(1 + i/100)}) }, nil},
		{"lan-24", func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 0, 0, byte(1 + i%250)}) }, net.IP{80, 10, 0, 1}},
	} {
		t.Run(tt.name, func(t *testing.T) {
			clock := new(mclock.Simulated)
			srv := newTestServer(t, func(c *Config) {
				c.Clock = clock
				c.MaxPeers = 10
			}, withTimeouts(transportTimeouts{
				// The attackers hold their slots for the whole test:
				// only fairness can let the honest peer in.
				handshake: time.Hour, firstAuth: time.Hour,
				read: time.Hour, write: time.Hour, disc: time.Second,
			}))
			if tt.self != nil {
				srv.LocalNode().SetStaticIP(tt.self)
			}
			accepts := make(chan *Verdict, 4*perRound) // room for a round and the last honest setup
			sub := srv.SubscribeVerdicts(accepts)
			defer sub.Unsubscribe()
			l, clients := listenMem(t, srv)
			pub := &srv.cfg.PrivateKey.PublicKey

			completed, attackerSlots := 0, 0
			for round := range rounds {
				for i := range perRound {
					*clients = append(*clients, l.connect(tt.attacker(round*perRound+i)))
				}
				// Wait until the listen loop judged the batch.
				for range perRound {
					v := waitVerdict(t, accepts, StageAccept)
					if v.Allowed {
						attackerSlots++
					}
				}
				honest := netip.AddrFrom4([4]byte{91, 198, byte(round), 10})
				fd := l.connect(honest)
				*clients = append(*clients, fd)
				if v := waitVerdict(t, accepts, StageAccept); !v.Allowed {
					t.Logf("round %d: honest connection refused: %v", round, v.Err)
				} else if err := honestHandshake(fd, pub, newKey(t)); err != nil {
					t.Logf("round %d: honest handshake: %v", round, err)
				} else {
					completed++
				}
				fd.Close()
				clock.Run(inboundThrottleTime + time.Second)
			}
			t.Logf("honest peer completed %d of %d handshakes; attacker connections took %d slots", completed, rounds, attackerSlots)
			if completed < rounds*95/100 {
				t.Fatalf("honest peer completed %d of %d handshakes, want ≥ 95%%", completed, rounds)
			}
		})
	}
}

// waitVerdict returns the next verdict of the given stage.
func waitVerdict(t *testing.T, ch <-chan *Verdict, stage Stage) *Verdict {
	t.Helper()
	timeout := time.After(testWait)
	for {
		select {
		case v := <-ch:
			if v.Stage == stage {
				return v
			}
		case <-timeout:
			t.Fatalf("no %v verdict", stage)
		}
	}
}

// honestHandshake runs the RLPx handshake and the Hello exchange as a
// well-behaved peer.
func honestHandshake(fd net.Conn, pub *ecdsa.PublicKey, key *ecdsa.PrivateKey) error {
	conn := rlpx.NewConn(fd, pub)
	fd.SetDeadline(time.Now().Add(testWait))
	if _, err := conn.Handshake(key); err != nil {
		return err
	}
	enc, err := rawHello(key, "honest", Cap{"test", 1}).encode()
	if err != nil {
		return err
	}
	werr := make(chan error, 1)
	go func() { _, err := conn.Write(handshakeMsg, enc); werr <- err }()
	code, _, _, err := conn.Read()
	if werr := <-werr; err == nil {
		err = werr
	}
	if err == nil && code != handshakeMsg {
		err = fmt.Errorf("got message %d instead of Hello", code)
	}
	return err
}

// TestFirstAuthDeadline: an accepted connection that sends nothing is cut
// at the first-auth deadline, well before the handshake deadline, and the
// verdict says so.
func TestFirstAuthDeadline(t *testing.T) {
	srv := newTestServer(t, nil, withTimeouts(transportTimeouts{
		handshake: time.Hour, firstAuth: 50 * time.Millisecond,
		read: time.Hour, write: time.Hour, disc: time.Second,
	}))
	verdicts := subscribeVerdicts(t, srv)
	l, clients := listenMem(t, srv)
	start := time.Now()
	silent := l.connect(netip.MustParseAddr("45.33.1.7"))
	*clients = append(*clients, silent)
	v := waitRefusal(t, verdicts)
	if v.Stage != StageSecured || !errors.Is(v.Err, errSilent) || !errors.Is(v.Err, rlpx.ErrHandshakeTimeout) {
		t.Fatalf("verdict %+v, want a handshake timeout for silence at the secured stage", v)
	}
	// rlpx's own handshake deadline (5 s) would cut it too: the first-auth
	// deadline must have come first. The bound is loose, for loaded machines.
	if d := time.Since(start); d >= rlpx.HandshakeTimeout-time.Second {
		t.Fatalf("silent connection cut after %v, not at the first-auth deadline", d)
	}
	// A peer that sends its auth in time is not cut when the first-auth
	// deadline passes during the rest of its handshake.
	fd := l.connect(netip.MustParseAddr("80.10.1.1"))
	*clients = append(*clients, fd)
	if err := honestHandshake(fd, &srv.cfg.PrivateKey.PublicKey, newKey(t)); err != nil {
		t.Fatal(err)
	}
}
