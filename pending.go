package devp2p

import (
	"errors"
	"net"
	"net/netip"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/netutil"
)

// Limits on inbound connections in the RLPx handshake, before we know who is
// on the other side (docs/SECURITY.md, "Pending handshakes"). go-ethereum
// keeps a pool of 50 slots that any one host may fill, and each idle
// connection holds its slot for the whole 5 s handshake deadline: 100 idle
// connections re-opened as they close starve every honest peer.
const (
	// pendingPerHost is how many handshakes one IPv4 address or one IPv6
	// /64 may have pending. Two lets a host retry while its first attempt
	// is still timing out.
	pendingPerHost = 2
	// pendingPerSubnet is how many handshakes one IPv4 /24 or IPv6 /48 may
	// have pending, so that one operator holds at most a few of the
	// MaxPendingPeers slots however many addresses it has.
	pendingPerSubnet = 4
	// firstAuthTimeout is how long an inbound connection may stay silent
	// before the first bytes of its auth message arrive. A dialer sends auth
	// as soon as its connect returns (go-ethereum and us alike), so the
	// first bytes follow the accept by the dialer's auth computation plus
	// at most a round trip. Measured on loopback on a loaded 2-core machine
	// (200 dials each, accept to first byte): go-ethereum's dialer median
	// 2 µs, 90th percentile 0.27 ms, max 8.6 ms; ours median 2 µs, 90th
	// percentile 0.44 ms, max 20 ms. 3 s leaves room for a long round trip
	// and a lost segment: TCP retransmits after its 1 s minimum timeout
	// (RFC 6298). The rest of the handshake keeps the 5 s deadline.
	firstAuthTimeout = 3 * time.Second
)

// Refusals of the pending slots, at StageAccept. Like the other accept
// refusals their reasons are never sent; subscribers see them in verdicts.
var (
	errPendingHost   = newPeerError(DiscTooManyPeers, "too many pending handshakes from this host")
	errPendingSubnet = newPeerError(DiscTooManyPeers, "too many pending handshakes from this subnet")
	errPendingFull   = newPeerError(DiscTooManyPeers, "all pending handshake slots taken (MaxPendingPeers)")
	// errPendingEvicted ends the handshake of a connection whose slot went
	// to a newcomer from a less crowded subnet.
	errPendingEvicted = newPeerError(DiscTooManyPeers, "pending slot taken over by a connection from another subnet")
	// errSilent wraps the handshake error of a connection cut at the
	// first-auth deadline.
	errSilent = errors.New("sent nothing before the first-auth deadline")
)

// pendingSlots holds the MaxPendingPeers slots of inbound connections in
// setup. A host or subnet may hold only a few of them; when all are taken, a
// newcomer takes the slot of an unauthenticated connection from the most
// crowded subnet, if that subnet is more crowded than the newcomer's. An
// attacker then holds at most its fair share of the slots, however many
// connections it opens, and an honest peer from elsewhere always gets one.
//
// The listen loop acquires slots; each setup goroutine marks its slot
// secured and releases it. mu guards everything.
type pendingSlots struct {
	max int

	mu      sync.Mutex
	slots   map[*pendingSlot]struct{}
	hosts   map[netip.Prefix]int // per IPv4 address, IPv6 /64
	subnets map[netip.Prefix]int // per IPv4 /24, IPv6 /48
	wide    map[netip.Prefix]int // per IPv4 /16, IPv6 /32
	seq     uint64
}

// pendingSlot is one inbound connection in setup.
type pendingSlot struct {
	host, subnet, wide netip.Prefix // zero when the remote has no IP (a test listener)
	seq                uint64       // acquisition order: lower is older
	fd                 net.Conn     // closed on eviction

	// guarded by pendingSlots.mu
	secured bool // RLPx handshake done: the remote is known, never evicted
	evicted bool
	gone    bool // released or evicted
}

func newPendingSlots(max int) *pendingSlots {
	return &pendingSlots{
		max:     max,
		slots:   make(map[*pendingSlot]struct{}),
		hosts:   make(map[netip.Prefix]int),
		subnets: make(map[netip.Prefix]int),
		wide:    make(map[netip.Prefix]int),
	}
}

// acquire takes a slot for fd from ip. exempt skips the per-host and
// per-subnet limits (a LAN source on a LAN node). When every slot is taken,
// the slot of an unauthenticated connection from a more crowded subnet is
// taken over: its fd is closed and its setup ends with errPendingEvicted.
func (p *pendingSlots) acquire(fd net.Conn, ip netip.Addr, exempt bool) (*pendingSlot, error) {
	s := &pendingSlot{fd: fd}
	if ip.IsValid() {
		s.host = netutil.HostKey(ip)
		s.subnet = netutil.Subnet(ip, netutil.SubnetBits4, netutil.SubnetBits6)
		s.wide = netutil.Subnet(ip, netutil.WideSubnet4, netutil.WideSubnet6)
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	if ip.IsValid() && !exempt {
		if p.hosts[s.host] >= pendingPerHost {
			return nil, errPendingHost
		}
		if p.subnets[s.subnet] >= pendingPerSubnet {
			return nil, errPendingSubnet
		}
	}
	if len(p.slots) >= p.max {
		victim := p.victimFor(s)
		if victim == nil {
			return nil, errPendingFull
		}
		victim.evicted = true
		p.remove(victim)
		victim.fd.Close() // its setup goroutine reports errPendingEvicted
	}
	p.seq++
	s.seq = p.seq
	p.slots[s] = struct{}{}
	p.hosts[s.host]++
	p.subnets[s.subnet]++
	p.wide[s.wide]++
	return s, nil
}

// victimFor picks the unauthenticated connection to evict for newcomer: one
// from the most crowded subnet (by its /24, then by its /16), the oldest
// among equals, and only if its subnet is more crowded than the newcomer's
// would be. Caller holds mu.
func (p *pendingSlots) victimFor(newcomer *pendingSlot) *pendingSlot {
	newSub, newWide := p.subnets[newcomer.subnet]+1, p.wide[newcomer.wide]+1
	var best *pendingSlot
	var bestSub, bestWide int
	for s := range p.slots {
		if s.secured {
			continue
		}
		sub, wide := p.subnets[s.subnet], p.wide[s.wide]
		if sub < newSub || (sub == newSub && wide <= newWide) {
			continue // not more crowded than the newcomer's subnet
		}
		if best == nil || sub > bestSub || (sub == bestSub && (wide > bestWide || (wide == bestWide && s.seq < best.seq))) {
			best, bestSub, bestWide = s, sub, wide
		}
	}
	return best
}

// secured marks s authenticated: it is not evicted any more. It reports
// false if s was evicted already.
func (p *pendingSlots) secured(s *pendingSlot) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	s.secured = true
	return !s.evicted
}

// release frees s when its setup ended. It reports whether s had been
// evicted, so the setup can say why it ended.
func (p *pendingSlots) release(s *pendingSlot) (evicted bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !s.gone {
		p.remove(s)
	}
	return s.evicted
}

func (p *pendingSlots) remove(s *pendingSlot) {
	s.gone = true
	delete(p.slots, s)
	decr(p.hosts, s.host)
	decr(p.subnets, s.subnet)
	decr(p.wide, s.wide)
}

// len returns the number of slots taken.
func (p *pendingSlots) len() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.slots)
}

func decr(m map[netip.Prefix]int, k netip.Prefix) {
	if m[k] <= 1 {
		delete(m, k)
	} else {
		m[k]--
	}
}

// firstBytesConn cuts an inbound connection that sends nothing for
// firstAuthTimeout: until the first bytes arrive, every read deadline set
// on it is clamped to that time. Once they arrived, the deadline the reader
// asked for applies.
type firstBytesConn struct {
	net.Conn
	mu       sync.Mutex
	first    time.Time // zero once the first bytes arrived
	want     time.Time // the read deadline asked for
	timedOut bool      // the first bytes did not arrive in time
}

func newFirstBytesConn(fd net.Conn, timeout time.Duration) *firstBytesConn {
	c := &firstBytesConn{Conn: fd, first: time.Now().Add(timeout)}
	fd.SetReadDeadline(c.first)
	return c
}

func (c *firstBytesConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.first.IsZero() {
		if n > 0 {
			c.first = time.Time{}
			c.Conn.SetReadDeadline(c.want)
		} else if err != nil && !time.Now().Before(c.first) {
			c.timedOut = true
		}
	}
	return n, err
}

func (c *firstBytesConn) SetDeadline(t time.Time) error {
	if err := c.Conn.SetWriteDeadline(t); err != nil {
		return err
	}
	return c.SetReadDeadline(t)
}

func (c *firstBytesConn) SetReadDeadline(t time.Time) error {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.want = t
	if !c.first.IsZero() && (t.IsZero() || t.After(c.first)) {
		t = c.first
	}
	return c.Conn.SetReadDeadline(t)
}

// silent reports whether the connection was cut for sending nothing.
func (c *firstBytesConn) silent() bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.timedOut
}
