package devp2p

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"testing"

	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/enode"
)

// pipeListener is an in-memory stream listener at a TCP address; dialing
// it hands one end of a net.Pipe to Accept.
type pipeListener struct {
	addr      *net.TCPAddr
	conns     chan net.Conn
	closed    chan struct{}
	closeOnce sync.Once
}

func newPipeListener(addr string) *pipeListener {
	return &pipeListener{addr: net.TCPAddrFromAddrPort(netip.MustParseAddrPort(addr)), conns: make(chan net.Conn), closed: make(chan struct{})}
}

func (l *pipeListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.conns:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *pipeListener) Close() error   { l.closeOnce.Do(func() { close(l.closed) }); return nil }
func (l *pipeListener) Addr() net.Addr { return l.addr }

// dial connects to l from addr.
func (l *pipeListener) dial(from string) (net.Conn, error) {
	a, b := net.Pipe()
	fromAddr := net.TCPAddrFromAddrPort(netip.MustParseAddrPort(from))
	select {
	case l.conns <- &pipeAddrConn{b, l.addr, fromAddr}:
		return &pipeAddrConn{a, fromAddr, l.addr}, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

type pipeAddrConn struct {
	net.Conn
	local, remote net.Addr
}

func (c *pipeAddrConn) LocalAddr() net.Addr  { return c.local }
func (c *pipeAddrConn) RemoteAddr() net.Addr { return c.remote }

type dialFunc func(ctx context.Context, n *enode.Node) (net.Conn, error)

func (f dialFunc) Dial(ctx context.Context, n *enode.Node) (net.Conn, error) { return f(ctx, n) }

// TestTransportHooks runs two servers on in-memory transports given through
// Config.Listen, Config.ListenUDP and Config.Dialer: the record announces
// the hooks' addresses, discovery reaches the other server over the
// datagram network, and the second server becomes the first one's peer.
func TestTransportHooks(t *testing.T) {
	udp := memnet.New()
	listeners := map[string]*pipeListener{}
	var mu sync.Mutex
	newServer := func(ip string, boot []*enode.Node) *Server {
		addr := ip + ":30303"
		return &Server{Config: Config{
			PrivateKey:     newKey(t),
			MaxPeers:       5,
			ListenAddr:     addr,
			BootstrapNodes: boot,
			Protocols:      []Protocol{echoProto("hook", 1, nil)},
			Logger:         slog.New(slog.NewTextHandler(io.Discard, nil)),
			Listen: func(a string) (net.Listener, error) {
				l := newPipeListener(a)
				mu.Lock()
				listeners[a] = l
				mu.Unlock()
				return l, nil
			},
			ListenUDP: func(a netip.AddrPort) (PacketConn, error) { return udp.Listen(a) },
			Dialer: dialFunc(func(ctx context.Context, n *enode.Node) (net.Conn, error) {
				ep, _ := n.TCPEndpoint()
				mu.Lock()
				l := listeners[ep.String()]
				mu.Unlock()
				if l == nil {
					return nil, net.ErrClosed
				}
				return l.dial(ip + ":40000")
			}),
		}}
	}
	a := newServer("10.1.0.1", nil)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	defer a.Stop()
	self := a.Self()
	if ep, ok := self.TCPEndpoint(); !ok || ep != netip.MustParseAddrPort("10.1.0.1:30303") {
		t.Fatalf("record TCP endpoint %v, want the hook's listener at 10.1.0.1:30303", ep)
	}
	if ep, ok := self.UDPEndpoint(); !ok || ep != netip.MustParseAddrPort("10.1.0.1:30303") {
		t.Fatalf("record UDP endpoint %v, want the hook's socket at 10.1.0.1:30303", ep)
	}
	events := make(chan *PeerEvent, 16)
	sub := a.SubscribeEvents(events)
	defer sub.Unsubscribe()

	b := newServer("10.1.0.2", []*enode.Node{self})
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	if err := b.DiscV4().Ping(ctx, self); err != nil {
		t.Fatalf("discv4 ping over the hook's datagram network: %v", err)
	}
	for {
		select {
		case ev := <-events:
			if ev.Type == PeerEventTypeAdd && ev.Peer == b.Self().ID() {
				return
			}
		case <-ctx.Done():
			t.Fatal("no peer over the hooks' stream transport")
		}
	}
}
