package sim

import (
	"container/heap"
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// Fabric is the in-memory network of a live simulation: datagrams over
// discover/memnet, delivered after the link's latency on the simulated
// clock (or lost), and stream connections over net.Pipe between listeners
// and dialers that carry TCP addresses. Hosts behind a NAT get datagrams
// only from addresses they sent to within the NAT window, and no inbound
// connections. Its methods are safe for concurrent use.
type Fabric struct {
	clock *mclock.Simulated
	udp   *memnet.Network
	// latency is the one-way latency of a link, fixed per pair of hosts
	// (linkLatency): datagrams between two hosts arrive in the order sent,
	// as they mostly do on a real path. Drawn anew for each datagram they
	// overtook each other, and a FINDNODE that overtook the pong sent just
	// before it was refused for want of an endpoint proof.
	latency    func(a, b netip.Addr) time.Duration
	loss       float64
	natWindow  time.Duration
	activity   atomic.Int64 // datagrams and connections so far: the driver's sign of life
	inFlight   atomic.Int64 // datagrams sent and not yet delivered or dropped
	delivered  atomic.Int64 // datagrams handed to a socket so far
	unhandled  atomic.Int64 // delivered datagrams whose reader has not asked for the next one yet
	datagrams  atomic.Int64
	bytes      atomic.Int64
	mu         sync.Mutex
	rand       *rand.Rand
	conns      map[netip.AddrPort]*fabricUDP
	listeners  map[netip.AddrPort]*streamListener
	streams    map[*addrConn]struct{} // dialer ends of open connections
	unreach    map[netip.Addr]bool
	natHoles   map[[2]netip.Addr]mclock.AbsTime // (inside, outside) → last send, for hosts behind a NAT
	holesSwept mclock.AbsTime                   // when timed-out mappings were last dropped
	due        deliveryHeap                     // delivery times of datagrams, some already past
	partition  func(a, b netip.Addr) bool
}

// NewFabric creates an empty fabric on clock. Each link gets a one-way
// latency in [latMin, latMax], fixed per pair of hosts and drawn from seed;
// loss is the share of datagrams dropped.
func NewFabric(clock *mclock.Simulated, seed int64, latMin, latMax time.Duration, loss float64) *Fabric {
	return &Fabric{
		clock: clock, udp: memnet.New(), latency: linkLatency(seed, latMin, latMax), loss: loss,
		natWindow: 30 * time.Second,
		rand:      rand.New(rand.NewPCG(uint64(seed), 1)),
		conns:     make(map[netip.AddrPort]*fabricUDP),
		listeners: make(map[netip.AddrPort]*streamListener),
		streams:   make(map[*addrConn]struct{}),
		unreach:   make(map[netip.Addr]bool),
		natHoles:  make(map[[2]netip.Addr]mclock.AbsTime),
	}
}

// SetUnreachable puts ip behind a NAT (see Fabric).
func (f *Fabric) SetUnreachable(ip netip.Addr) {
	f.mu.Lock()
	f.unreach[ip] = true
	f.mu.Unlock()
}

// SetPartition installs cut, which says whether traffic between two hosts
// is cut (nil heals every cut). Established connections between hosts that
// cut separates are closed, as a real network split ends them by timeouts.
func (f *Fabric) SetPartition(cut func(a, b netip.Addr) bool) {
	var doomed []*addrConn
	f.mu.Lock()
	f.partition = cut
	if cut != nil {
		for c := range f.streams {
			if cut(c.local.AddrPort().Addr(), c.remote.AddrPort().Addr()) {
				doomed = append(doomed, c)
			}
		}
	}
	f.mu.Unlock()
	for _, c := range doomed { // closing a pipe end ends the other side's reads too
		c.Close()
	}
}

// Activity counts datagrams sent and connections opened so far.
func (f *Fabric) Activity() int64 { return f.activity.Load() }

// InFlight counts datagrams sent and not yet delivered or dropped.
func (f *Fabric) InFlight() int64 { return f.inFlight.Load() }

// Delivered counts the datagrams handed to sockets so far.
func (f *Fabric) Delivered() int64 { return f.delivered.Load() }

// Unhandled counts delivered datagrams whose socket's reader has not yet
// asked for the next one: work the servers still have to do.
func (f *Fabric) Unhandled() int64 { return f.unhandled.Load() }

// NextDelivery returns when the next datagram in flight is due; ok is
// false when none is.
func (f *Fabric) NextDelivery() (at mclock.AbsTime, ok bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.dropDeliveredLocked(f.clock.Now())
	if len(f.due) == 0 {
		return 0, false
	}
	return f.due[0], true
}

// dropDeliveredLocked forgets the delivery times that have passed: Run has
// fired every timer due by now. Senders call it too, so that the heap stays
// the size of what is in flight when nobody asks NextDelivery.
func (f *Fabric) dropDeliveredLocked(now mclock.AbsTime) {
	for len(f.due) > 0 && f.due[0] <= now {
		heap.Pop(&f.due)
	}
}

// closeHolesLocked forgets, once per NAT window, the NAT mappings that have
// timed out, so that the map holds the recent ones only.
func (f *Fabric) closeHolesLocked(now mclock.AbsTime) {
	if now.Sub(f.holesSwept) < f.natWindow {
		return
	}
	f.holesSwept = now
	for k, at := range f.natHoles {
		if now.Sub(at) > f.natWindow {
			delete(f.natHoles, k)
		}
	}
}

// deliveryHeap is a min-heap of times (container/heap).
type deliveryHeap []mclock.AbsTime

func (h deliveryHeap) Len() int           { return len(h) }
func (h deliveryHeap) Less(i, j int) bool { return h[i] < h[j] }
func (h deliveryHeap) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *deliveryHeap) Push(x any)        { *h = append(*h, x.(mclock.AbsTime)) }
func (h *deliveryHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Traffic returns the datagrams and bytes sent so far.
func (f *Fabric) Traffic() (datagrams, bytes int64) { return f.datagrams.Load(), f.bytes.Load() }

// passes decides, under f.mu, whether traffic from a may reach b now.
func (f *Fabric) passesLocked(a, b netip.Addr) bool {
	if f.partition != nil && f.partition(a, b) {
		return false
	}
	if f.unreach[b] {
		at, ok := f.natHoles[[2]netip.Addr{b, a}]
		return ok && f.clock.Now().Sub(at) <= f.natWindow
	}
	return true
}

// ListenUDP is a devp2p.Config.ListenUDP: a datagram socket at addr.
func (f *Fabric) ListenUDP(addr netip.AddrPort) (devp2p.PacketConn, error) {
	c, err := f.udp.Listen(addr)
	if err != nil {
		return nil, err
	}
	u := &fabricUDP{Conn: c, f: f}
	f.mu.Lock()
	f.conns[addr] = u
	f.mu.Unlock()
	return u, nil
}

// fabricUDP is a datagram socket of the fabric. It counts the datagrams
// delivered to it that its reader has not finished with: a reader is done
// with a datagram when it asks for the next one (discovery's read loop
// handles each before reading on), which tells the driver that the
// replies a datagram causes have been sent.
type fabricUDP struct {
	*memnet.Conn
	f *Fabric

	mu          sync.Mutex
	outstanding int64 // delivered, not yet done with
	reading     bool  // the reader holds a datagram it read
	closed      bool
}

// deliver hands a datagram to the socket.
func (u *fabricUDP) deliver(from netip.AddrPort, data []byte) {
	u.mu.Lock()
	defer u.mu.Unlock()
	if !u.closed && u.Conn.Inject(from, data) {
		u.outstanding++
		u.f.unhandled.Add(1)
		u.f.delivered.Add(1)
	}
}

// ReadFromUDPAddrPort marks the datagram read before as done with and
// waits for the next.
func (u *fabricUDP) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	u.mu.Lock()
	if u.reading {
		u.reading = false
		u.doneLocked(1)
	}
	u.mu.Unlock()
	n, from, err := u.Conn.ReadFromUDPAddrPort(b)
	if err == nil {
		u.mu.Lock()
		u.reading = true
		u.mu.Unlock()
	}
	return n, from, err
}

func (u *fabricUDP) doneLocked(k int64) {
	k = min(k, u.outstanding)
	u.outstanding -= k
	u.f.unhandled.Add(-k)
}

// WriteToUDPAddrPort schedules delivery after the link latency.
func (u *fabricUDP) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	f := u.f
	from := u.AddrPort()
	to = netip.AddrPortFrom(to.Addr().Unmap(), to.Port())
	f.activity.Add(1)
	f.datagrams.Add(1)
	f.bytes.Add(int64(len(b)))
	lat := f.latency(from.Addr(), to.Addr())
	f.mu.Lock()
	now := f.clock.Now()
	if f.unreach[from.Addr()] {
		f.natHoles[[2]netip.Addr{from.Addr(), to.Addr()}] = now
		f.closeHolesLocked(now)
	}
	lost := f.loss > 0 && f.rand.Float64() < f.loss
	if !lost {
		f.dropDeliveredLocked(now)
		heap.Push(&f.due, now.Add(lat))
	}
	f.mu.Unlock()
	if lost {
		return len(b), nil
	}
	data := append([]byte(nil), b...)
	f.inFlight.Add(1)
	f.clock.AfterFunc(lat, func() {
		f.mu.Lock()
		dst, ok := f.conns[to]
		pass := ok && f.passesLocked(from.Addr(), to.Addr())
		f.mu.Unlock()
		if pass {
			dst.deliver(from, data)
		}
		f.inFlight.Add(-1)
	})
	return len(b), nil
}

func (u *fabricUDP) Close() error {
	u.f.mu.Lock()
	if u.f.conns[u.AddrPort()] == u {
		delete(u.f.conns, u.AddrPort())
	}
	u.f.mu.Unlock()
	u.mu.Lock()
	u.closed = true
	u.doneLocked(u.outstanding) // nobody will read them
	u.mu.Unlock()
	return u.Conn.Close()
}

// Listen is a devp2p.Config.Listen: a stream listener at addr ("ip:port").
func (f *Fabric) Listen(addr string) (net.Listener, error) {
	ap, err := netip.ParseAddrPort(addr)
	if err != nil {
		return nil, fmt.Errorf("sim: listen %q: %w", addr, err)
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.listeners[ap] != nil {
		return nil, fmt.Errorf("sim: listen %v: address in use", ap)
	}
	l := &streamListener{f: f, addr: ap, accept: make(chan net.Conn, 64), closed: make(chan struct{})}
	f.listeners[ap] = l
	return l, nil
}

// Dialer returns a devp2p.Config.Dialer for the host at ip.
func (f *Fabric) Dialer(ip netip.Addr) *StreamDialer { return &StreamDialer{f: f, ip: ip} }

// StreamDialer opens stream connections from one host.
type StreamDialer struct {
	f    *Fabric
	ip   netip.Addr
	port atomic.Uint32
}

var errRefused = errors.New("sim: connection refused")

// Dial connects to n's TCP endpoint.
func (d *StreamDialer) Dial(ctx context.Context, n *enode.Node) (net.Conn, error) {
	to, ok := n.TCPEndpoint()
	if !ok {
		return nil, errors.New("sim: node has no TCP endpoint")
	}
	f := d.f
	f.activity.Add(1)
	f.mu.Lock()
	l := f.listeners[to]
	pass := l != nil && f.passesLocked(d.ip, to.Addr())
	f.mu.Unlock()
	if !pass {
		return nil, errRefused
	}
	from := netip.AddrPortFrom(d.ip, uint16(50000+d.port.Add(1)%10000))
	a, b := net.Pipe()
	local := &addrConn{Conn: a, f: f, local: net.TCPAddrFromAddrPort(from), remote: net.TCPAddrFromAddrPort(to)}
	remote := &addrConn{Conn: b, local: net.TCPAddrFromAddrPort(to), remote: net.TCPAddrFromAddrPort(from)}
	f.mu.Lock()
	f.streams[local] = struct{}{}
	f.mu.Unlock()
	select {
	case l.accept <- remote:
		return local, nil
	case <-l.closed:
	case <-ctx.Done():
	default: // backlog full
	}
	local.Close()
	b.Close()
	return nil, errRefused
}

// addrConn gives a pipe end TCP addresses. The dialer's end (f set) is
// listed in the fabric's streams while open, so that a partition can cut it.
type addrConn struct {
	net.Conn
	f             *Fabric
	local, remote *net.TCPAddr
}

func (c *addrConn) Close() error {
	if c.f != nil {
		c.f.mu.Lock()
		delete(c.f.streams, c)
		c.f.mu.Unlock()
	}
	return c.Conn.Close()
}

func (c *addrConn) LocalAddr() net.Addr  { return c.local }
func (c *addrConn) RemoteAddr() net.Addr { return c.remote }

type streamListener struct {
	f         *Fabric
	addr      netip.AddrPort
	accept    chan net.Conn
	closed    chan struct{}
	closeOnce sync.Once
}

func (l *streamListener) Accept() (net.Conn, error) {
	select {
	case c := <-l.accept:
		return c, nil
	case <-l.closed:
		return nil, net.ErrClosed
	}
}

func (l *streamListener) Close() error {
	l.closeOnce.Do(func() {
		close(l.closed)
		l.f.mu.Lock()
		if l.f.listeners[l.addr] == l {
			delete(l.f.listeners, l.addr)
		}
		l.f.mu.Unlock()
		for {
			select {
			case c := <-l.accept:
				c.Close()
			default:
				return
			}
		}
	})
	return nil
}

func (l *streamListener) Addr() net.Addr { return net.TCPAddrFromAddrPort(l.addr) }
