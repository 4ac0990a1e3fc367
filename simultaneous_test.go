package devp2p

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// tcpPair returns the two ends of a loopback TCP connection: the dialing end
// and the accepted end. Real sockets give each end distinct addresses, so
// tests can tell which physical connection a peer runs on.
func tcpPair(t testing.TB) (dialed, accepted net.Conn) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	type res struct {
		fd  net.Conn
		err error
	}
	ac := make(chan res, 1)
	go func() { fd, err := l.Accept(); ac <- res{fd, err} }()
	dialed, err = net.Dial("tcp", l.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	r := <-ac
	if r.err != nil {
		dialed.Close()
		t.Fatal(r.err)
	}
	return dialed, r.fd
}

// startQuietServer starts a server that neither listens nor dials, logging
// nothing; the caller stops it.
func startQuietServer(t testing.TB, mod func(*Config)) *Server {
	t.Helper()
	cfg := Config{
		PrivateKey: newKey(t),
		MaxPeers:   10,
		NoDial:     true,
		Logger:     slog.New(slog.DiscardHandler),
		Clock:      new(mclock.Simulated),
		Protocols:  []Protocol{echoProto("test", 1, nil)},
	}
	if mod != nil {
		mod(&cfg)
	}
	srv := &Server{Config: cfg}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	return srv
}

// connectBothWays makes a and b dial each other at the same moment: two TCP
// connections, a→b and b→a, whose four setups start together. It returns
// when every setup has returned.
func connectBothWays(t testing.TB, a, b *Server) (ab, ba [2]net.Conn) {
	t.Helper()
	ab[0], ab[1] = tcpPair(t) // a's end dialed, b's end accepted
	ba[1], ba[0] = tcpPair(t) // b's end dialed, a's end accepted
	start := make(chan struct{})
	done := make(chan error, 4)
	run := func(srv *Server, fd net.Conn, dest *Server) {
		<-start
		if dest != nil {
			done <- srv.SetupConn(fd, dest.Self())
		} else {
			done <- srv.SetupConn(fd, nil)
		}
	}
	go run(a, ab[0], b)
	go run(b, ab[1], nil)
	go run(b, ba[1], a)
	go run(a, ba[0], nil)
	close(start)
	for range 4 {
		<-done
	}
	return ab, ba
}

// TestSimultaneousConnect (issue #5): when two servers dial each other at the
// same moment, both must end up with exactly one peer, running on the same
// physical connection: the one dialed by the node with the lower ID.
func TestSimultaneousConnect(t *testing.T) {
	iterations := 60
	if testing.Short() {
		iterations = 10
	}
	var replaced int
	for i := range iterations {
		a := startQuietServer(t, nil)
		b := startQuietServer(t, nil)
		evA, evB := make(chan *PeerEvent, 16), make(chan *PeerEvent, 16)
		subA, subB := a.SubscribeEvents(evA), b.SubscribeEvents(evB)

		ab, ba := connectBothWays(t, a, b)

		pa, pb := a.Peers(), b.Peers()
		if len(pa) != 1 || len(pb) != 1 {
			t.Fatalf("iteration %d: %d peers on a, %d on b; want 1 each", i, len(pa), len(pb))
		}
		// The kept connection is the one dialed by the lower ID.
		want := ab // a dialed it
		aID, bID := a.Self().ID(), b.Self().ID()
		if bytes.Compare(bID[:], aID[:]) < 0 {
			want = ba
		}
		if got := pa[0].LocalAddr().String(); got != want[0].LocalAddr().String() {
			t.Fatalf("iteration %d: a kept the connection at %s, want %s", i, got, want[0].LocalAddr())
		}
		if got := pb[0].LocalAddr().String(); got != want[1].LocalAddr().String() {
			t.Fatalf("iteration %d: b kept the connection at %s, want %s", i, got, want[1].LocalAddr())
		}
		if pa[0].LocalAddr().String() != pb[0].RemoteAddr().String() {
			t.Fatalf("iteration %d: a and b run different connections", i)
		}
		a.Stop()
		b.Stop()
		subA.Unsubscribe()
		subB.Unsubscribe()
		// Count loser sessions that became peers before the winner arrived.
		for _, ch := range []chan *PeerEvent{evA, evB} {
			adds := 0
			for len(ch) > 0 {
				if ev := <-ch; ev.Type == PeerEventTypeAdd {
					adds++
				}
			}
			replaced += adds - 1
		}
	}
	t.Logf("%d iterations, %d loser sessions were added and then replaced", iterations, replaced)
	checkNoGoroutines(t)
}

// stepTransport is a transport whose handshakes complete only when the test
// says so, so a test can put connections through the run loop's checks in
// any order it likes.
type stepTransport struct {
	remote *ecdsa.PublicKey
	hello  *protoHandshake
	enc    chan struct{} // closed by the test: the RLPx handshake completes
	proto  chan struct{} // closed by the test: the Hello exchange completes
	atHello,
	interrupted,
	closed chan struct{}
	interruptOnce,
	closeOnce sync.Once
	closeErr error
}

func newStepTransport(remote *ecdsa.PrivateKey) *stepTransport {
	return &stepTransport{
		remote:      &remote.PublicKey,
		hello:       &protoHandshake{Version: baseProtocolVersion, Name: "step", Caps: []Cap{{"test", 1}}, ID: pubkeyID(&remote.PublicKey)},
		enc:         make(chan struct{}),
		proto:       make(chan struct{}),
		atHello:     make(chan struct{}),
		interrupted: make(chan struct{}),
		closed:      make(chan struct{}),
	}
}

func (t *stepTransport) doEncHandshake(*ecdsa.PrivateKey) (*ecdsa.PublicKey, error) {
	select {
	case <-t.enc:
		return t.remote, nil
	case <-t.closed:
		return nil, net.ErrClosed
	}
}

func (t *stepTransport) doProtoHandshake(*protoHandshake) (*protoHandshake, error) {
	close(t.atHello)
	select {
	case <-t.proto:
		return t.hello, nil
	case <-t.closed:
		return nil, net.ErrClosed
	}
}

func (t *stepTransport) ReadMsg(admitFunc) (Msg, error) {
	select {
	case <-t.closed:
	case <-t.interrupted:
	}
	return Msg{}, io.EOF
}

func (t *stepTransport) interruptRead() { t.interruptOnce.Do(func() { close(t.interrupted) }) }

func (t *stepTransport) WriteMsg(Msg) error {
	select {
	case <-t.closed:
		return net.ErrClosed
	default:
		return nil
	}
}

func (t *stepTransport) close(err error) {
	t.closeOnce.Do(func() { t.closeErr = err; close(t.closed) })
}

// stepFD is the net.Conn under a stepTransport: nothing goes through it, it
// only has addresses, and closing it (Server.Stop) closes the transport.
type stepFD struct {
	t             *stepTransport
	local, remote net.Addr
}

func (f *stepFD) Read([]byte) (int, error)         { <-f.t.closed; return 0, io.EOF }
func (f *stepFD) Write(b []byte) (int, error)      { return len(b), nil }
func (f *stepFD) Close() error                     { f.t.close(net.ErrClosed); return nil }
func (f *stepFD) LocalAddr() net.Addr              { return f.local }
func (f *stepFD) RemoteAddr() net.Addr             { return f.remote }
func (f *stepFD) SetDeadline(time.Time) error      { return nil }
func (f *stepFD) SetReadDeadline(time.Time) error  { return nil }
func (f *stepFD) SetWriteDeadline(time.Time) error { return nil }

// withStepTransports makes the server use the stepTransport of each stepFD.
func withStepTransports() testServerOpt {
	return func(s *Server) {
		s.newTransport = func(fd net.Conn, _ *ecdsa.PublicKey) transport {
			return fd.(*meteredConn).Conn.(*stepFD).t
		}
	}
}

// stepConn is one connection driven through the setup steps by the test.
type stepConn struct {
	name string
	t    *stepTransport
	fd   *stepFD
	done chan error // SetupConn's result
}

func startStepConn(srv *Server, name string, remote *ecdsa.PrivateKey, port int, dialed bool) *stepConn {
	t := newStepTransport(remote)
	local := &net.TCPAddr{IP: net.IP{127, 0, 0, 1}, Port: port}
	rem := &net.TCPAddr{IP: net.IP{127, 0, 0, 2}, Port: port + 1}
	sc := &stepConn{name: name, t: t, fd: &stepFD{t: t, local: local, remote: rem}, done: make(chan error, 1)}
	var dest *enode.Node
	if dialed {
		dest = enode.NewV4(&remote.PublicKey, rem.IP, rem.Port, 0)
	}
	go func() { sc.done <- srv.SetupConn(sc.fd, dest) }()
	return sc
}

// step runs one step of sc: "secured" completes its RLPx handshake and waits for
// the post-handshake check's verdict, "add" completes Hello and waits for
// the add-peer check's (including a replacement's wait for the loser).
// A connection that was refused already takes no further step.
func (sc *stepConn) step(tb testing.TB, what string, ended map[*stepConn]error) {
	tb.Helper()
	if _, ok := ended[sc]; ok {
		return
	}
	timeout := time.After(testWait)
	switch what {
	case "secured":
		close(sc.t.enc)
		select {
		case <-sc.t.atHello:
		case err := <-sc.done:
			ended[sc] = err
		case <-timeout:
			tb.Fatalf("%s stuck after the RLPx handshake", sc.name)
		}
	case "add":
		close(sc.t.proto)
		select {
		case err := <-sc.done:
			ended[sc] = err
		case <-timeout:
			tb.Fatalf("%s stuck after Hello", sc.name)
		}
	}
}

// TestTieBreakOrders puts the two connections of a simultaneous dial — the
// winner W (dialed by the lower ID) and the loser L — through one server's
// checks in every possible order, for both ID orders. The server must end
// with W as its only peer and L closed every time; since the remote node
// decides the same way in whatever order its own checks run, both keep W.
// L must show up as a peer (add and drop events) only when it became a peer
// before W even finished its RLPx handshake.
func TestTieBreakOrders(t *testing.T) {
	for _, selfLower := range []bool{true, false} {
		for _, order := range tieBreakOrders {
			name := fmt.Sprintf("selfLower=%v/%s", selfLower, strings.Join(order[:], ","))
			t.Run(name, func(t *testing.T) {
				srv := newTestServer(t, nil, withStepTransports())
				remote := newKey(t)
				self := srv.Self().ID()
				rid := enode.PubkeyToIDV4(&remote.PublicKey)
				for keepOutbound(self, rid) != selfLower {
					remote = newKey(t)
					rid = enode.PubkeyToIDV4(&remote.PublicKey)
				}
				events := make(chan *PeerEvent, 16)
				sub := srv.SubscribeEvents(events)
				defer sub.Unsubscribe()

				// W is the connection the lower ID dialed: ours when we
				// are lower, the remote's (inbound here) otherwise.
				w := startStepConn(srv, "W", remote, 1000, selfLower)
				l := startStepConn(srv, "L", remote, 2000, !selfLower)
				conns := map[byte]*stepConn{'W': w, 'L': l}
				ended := make(map[*stepConn]error)
				for _, s := range order {
					conns[s[0]].step(t, s[1:], ended)
				}

				if err := ended[w]; err != nil {
					t.Fatalf("W refused: %v", err)
				}
				if err, ok := ended[l]; !ok {
					t.Fatal("L still in setup")
				} else if err != nil && !errors.Is(err, DiscAlreadyConnected) {
					t.Fatalf("L refused with %v, want %v", err, DiscAlreadyConnected)
				}
				<-l.t.closed
				if !errors.Is(l.t.closeErr, DiscAlreadyConnected) {
					t.Errorf("L closed with %v, want %v", l.t.closeErr, DiscAlreadyConnected)
				}
				peers := srv.Peers()
				if len(peers) != 1 || peers[0].rw.transport != w.t {
					t.Fatalf("peers %v, want W only", peers)
				}
				if peers[0].Inbound() == selfLower {
					t.Errorf("kept peer inbound=%v, want the connection dialed by the lower ID", peers[0].Inbound())
				}
				// Events: L is seen only when it was added before W's
				// RLPx handshake completed.
				lAdded := order == loserAddedFirst
				var want []string
				if lAdded {
					want = append(want, "add L", "drop L")
				}
				want = append(want, "add W")
				var got []string
				for len(events) > 0 {
					ev := <-events
					who := "W"
					if ev.LocalAddress == l.fd.local.String() {
						who = "L"
					}
					got = append(got, string(ev.Type)+" "+who)
				}
				if !slices.Equal(got, want) {
					t.Errorf("events %q, want %q", got, want)
				}
			})
		}
	}
}

// barrierDialer opens TCP connections and holds each until both servers of
// TestSimultaneousStaticDial have connected, so the two handshakes always
// overlap.
type barrierDialer struct {
	mu      sync.Mutex
	waiting int
	both    chan struct{}
	local   map[enode.ID]string // dial destination -> local address of the connection
}

func newBarrierDialer() *barrierDialer {
	return &barrierDialer{both: make(chan struct{}), local: make(map[enode.ID]string)}
}

func (d *barrierDialer) Dial(ctx context.Context, n *enode.Node) (net.Conn, error) {
	ep, _ := n.TCPEndpoint()
	fd, err := new(net.Dialer).DialContext(ctx, "tcp", ep.String())
	d.mu.Lock()
	if fd != nil {
		d.local[n.ID()] = fd.LocalAddr().String()
	}
	if d.waiting++; d.waiting == 2 {
		close(d.both)
	}
	d.mu.Unlock()
	select {
	case <-d.both:
	case <-ctx.Done():
		if fd != nil {
			fd.Close()
		}
		return nil, ctx.Err()
	}
	return fd, err
}

// TestSimultaneousStaticDial: two listening servers add each other as static
// nodes at the same moment, and their dials overlap. Each must end with one
// peer on the connection the lower ID dialed, without redialing.
func TestSimultaneousStaticDial(t *testing.T) {
	iterations := 20
	if testing.Short() {
		iterations = 4
	}
	for i := range iterations {
		d := newBarrierDialer()
		mk := func() (*Server, chan *PeerEvent) {
			srv := startQuietServer(t, func(c *Config) {
				c.ListenAddr = "127.0.0.1:0"
				c.NoDial = false
				c.NoDiscovery = true
				c.Dialer = d
				c.Clock = nil // the system clock: dial timeouts must not hang
			})
			ev := make(chan *PeerEvent, 16)
			srv.SubscribeEvents(ev)
			return srv, ev
		}
		a, evA := mk()
		b, evB := mk()
		go a.AddPeer(b.Self())
		go b.AddPeer(a.Self())

		// W is the connection the lower ID dialed.
		lower, higher := a, b
		if aID, bID := a.Self().ID(), b.Self().ID(); !keepOutbound(aID, bID) {
			lower, higher = b, a
		}
		<-d.both
		d.mu.Lock()
		wAddr := d.local[higher.Self().ID()]
		d.mu.Unlock()
		type side struct {
			srv *Server
			ev  chan *PeerEvent
		}
		sides := []side{{a, evA}, {b, evB}}
		onW := func(s side, ev *PeerEvent) bool {
			return s.srv == lower && ev.LocalAddress == wAddr || s.srv == higher && ev.RemoteAddress == wAddr
		}
		// Until W's add, each side may only see a loser come and go.
		for _, s := range sides {
			timeout := time.After(testWait)
			for done := false; !done; {
				select {
				case ev := <-s.ev:
					switch {
					case ev.Type == PeerEventTypeDrop && !strings.Contains(ev.Error, DiscAlreadyConnected.Error()):
						t.Fatalf("iteration %d: unexpected drop: %s", i, ev.Error)
					case ev.Type == PeerEventTypeAdd && onW(s, ev):
						done = true
					}
				case <-timeout:
					t.Fatalf("iteration %d: no peer on the connection the lower ID dialed", i)
				}
			}
		}
		if na, nb := a.PeerCount(), b.PeerCount(); na != 1 || nb != 1 {
			t.Fatalf("iteration %d: %d peers on a, %d on b; want 1 each", i, na, nb)
		}
		a.Stop()
		b.Stop()
		// Stop disconnects W with DiscQuitting, on both sides. The loser
		// may still be in setup then, slowed down on a busy machine: once
		// W has left b because a stops, b may take the loser as a peer (a
		// valid connection to a static node), and a, which still had it in
		// setup, cuts it without a Disconnect, so b sees EOF. Such events
		// may only come after W's drop on that side.
		for _, s := range sides {
			wGone := false
			for len(s.ev) > 0 {
				ev := <-s.ev
				switch {
				case onW(s, ev) && ev.Type == PeerEventTypeDrop:
					if !strings.Contains(ev.Error, DiscQuitting.Error()) {
						t.Errorf("iteration %d: W dropped with %q, want %q", i, ev.Error, DiscQuitting)
					}
					wGone = true
				case !onW(s, ev) && !wGone:
					t.Errorf("iteration %d: %s of another connection (%s, %s) while W runs", i, ev.Type, ev.LocalAddress, ev.Error)
				}
			}
			if !wGone {
				t.Errorf("iteration %d: no drop of W after Stop", i)
			}
		}
	}
	checkNoGoroutines(t)
}
