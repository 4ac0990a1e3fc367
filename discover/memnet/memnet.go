package memnet

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"sync/atomic"
)

// QueueLen is the number of datagrams a Conn buffers before it drops new
// ones, like a socket's receive buffer. The buffer grows as datagrams wait
// and is released once they are read, so an idle Conn costs little: a
// simulation of ten thousand of them would otherwise hold a full queue's
// worth of memory for each.
const QueueLen = 1024

// MaxDatagram is the largest datagram the network carries.
const MaxDatagram = 65507

var (
	ErrClosed    = errors.New("memnet: use of closed connection")
	ErrAddrInUse = errors.New("memnet: address in use")
	ErrTooLarge  = errors.New("memnet: datagram too large")
)

// Filter decides whether a datagram is delivered. It runs on the sender's
// goroutine and must not keep b.
type Filter func(from, to netip.AddrPort, b []byte) bool

// Tap observes every datagram written, delivered or not (to count bytes).
// It runs on the sender's goroutine and must not keep b.
type Tap func(from, to netip.AddrPort, b []byte)

// Network connects Conns by address.
type Network struct {
	mu     sync.Mutex
	conns  map[netip.AddrPort]*Conn
	filter Filter
	tap    Tap
	next   uint16 // next ephemeral port

	sent, delivered, dropped atomic.Int64
}

// New creates an empty network.
func New() *Network {
	return &Network{conns: make(map[netip.AddrPort]*Conn), next: 40000}
}

// SetFilter installs f (nil removes it).
func (nw *Network) SetFilter(f Filter) {
	nw.mu.Lock()
	nw.filter = f
	nw.mu.Unlock()
}

// SetTap installs t (nil removes it).
func (nw *Network) SetTap(t Tap) {
	nw.mu.Lock()
	nw.tap = t
	nw.mu.Unlock()
}

// Stats returns the datagrams written, delivered and dropped so far.
func (nw *Network) Stats() (sent, delivered, dropped int64) {
	return nw.sent.Load(), nw.delivered.Load(), nw.dropped.Load()
}

// Listen opens a Conn at addr. Port 0 picks a free port.
func (nw *Network) Listen(addr netip.AddrPort) (*Conn, error) {
	nw.mu.Lock()
	defer nw.mu.Unlock()
	if addr.Port() == 0 {
		for {
			nw.next++
			if nw.next == 0 {
				nw.next = 1024
			}
			a := netip.AddrPortFrom(addr.Addr(), nw.next)
			if nw.conns[a] == nil {
				addr = a
				break
			}
		}
	}
	if nw.conns[addr] != nil {
		return nil, ErrAddrInUse
	}
	c := &Conn{nw: nw, addr: addr, ready: make(chan struct{}, 1), closed: make(chan struct{})}
	nw.conns[addr] = c
	return c, nil
}

type datagram struct {
	from netip.AddrPort
	b    []byte
}

// Conn is one endpoint of the network.
type Conn struct {
	nw        *Network
	addr      netip.AddrPort
	in        datagramQueue
	ready     chan struct{} // signalled when a datagram is queued
	closed    chan struct{}
	closeOnce sync.Once
	sent      atomic.Int64
}

// AddrPort returns the Conn's address.
func (c *Conn) AddrPort() netip.AddrPort { return c.addr }

// LocalAddr returns the Conn's address as a *net.UDPAddr.
func (c *Conn) LocalAddr() net.Addr { return net.UDPAddrFromAddrPort(c.addr) }

// Sent returns the number of datagrams written through c.
func (c *Conn) Sent() int64 { return c.sent.Load() }

// ReadFromUDPAddrPort blocks until a datagram arrives or c is closed. A
// datagram longer than b is truncated, as with UDP.
func (c *Conn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	for {
		select {
		case <-c.closed:
			return 0, netip.AddrPort{}, ErrClosed
		default:
		}
		if d, ok, more := c.in.pop(); ok {
			if more {
				// A wake-up for the others may have been dropped while
				// one was pending: pass it on.
				c.signal()
			}
			return copy(b, d.b), d.from, nil
		}
		select {
		case <-c.ready:
		case <-c.closed:
			return 0, netip.AddrPort{}, ErrClosed
		}
	}
}

// WriteToUDPAddrPort sends b to addr. Like UDP, it succeeds even when
// nobody listens at addr or the receiver's queue is full.
func (c *Conn) WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (int, error) {
	select {
	case <-c.closed:
		return 0, ErrClosed
	default:
	}
	if len(b) > MaxDatagram {
		return 0, ErrTooLarge
	}
	c.sent.Add(1)
	nw := c.nw
	nw.sent.Add(1)
	nw.mu.Lock()
	dst, filter, tap := nw.conns[unmap(addr)], nw.filter, nw.tap
	nw.mu.Unlock()
	if tap != nil {
		tap(c.addr, addr, b)
	}
	if dst == nil || (filter != nil && !filter(c.addr, addr, b)) {
		nw.dropped.Add(1)
		return len(b), nil
	}
	if dst.deliver(c.addr, b) {
		nw.delivered.Add(1)
	} else {
		nw.dropped.Add(1)
	}
	return len(b), nil
}

// deliver queues a copy of b from from, unless the queue is full.
func (c *Conn) deliver(from netip.AddrPort, b []byte) bool {
	if !c.in.push(datagram{from: from, b: append([]byte(nil), b...)}) {
		return false
	}
	c.signal()
	return true
}

// signal wakes a reader waiting for a datagram. At most one wake-up is
// pending: a reader that takes a datagram while others wait passes it on.
func (c *Conn) signal() {
	select {
	case c.ready <- struct{}{}:
	default: // one is pending already
	}
}

// Inject delivers b to c as if from was its sender (for forged packets).
func (c *Conn) Inject(from netip.AddrPort, b []byte) bool {
	return c.deliver(from, b)
}

// Close removes c from the network and ends blocked reads.
func (c *Conn) Close() error {
	c.closeOnce.Do(func() {
		close(c.closed)
		c.nw.mu.Lock()
		if c.nw.conns[c.addr] == c {
			delete(c.nw.conns, c.addr)
		}
		c.nw.mu.Unlock()
	})
	return nil
}

func unmap(a netip.AddrPort) netip.AddrPort {
	return netip.AddrPortFrom(a.Addr().Unmap(), a.Port())
}
