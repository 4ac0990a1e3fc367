package enode

import (
	"crypto/ecdsa"
	"fmt"
	"net"
	"net/netip"
	"reflect"
	"sync"
	"sync/atomic"
	"time"

	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
)

// Endpoint prediction parameters. Only nodes that proved their endpoint to
// us vote (the discovery engines decide), and each IPv4 /24 or IPv6 /48 has
// one vote (see netutil.IPTracker).
const (
	// iptrackMinSubnets is how many subnets must agree on our endpoint, and
	// be more than half of the subnets voting, before it goes into the
	// record.
	iptrackMinSubnets = 3
	// iptrackWindow is how long an endpoint statement counts.
	iptrackWindow = 5 * time.Minute
	// iptrackContactWindow is how long a sent packet makes a statement from
	// its recipient "solicited" (full-cone NAT detection).
	iptrackContactWindow = 10 * time.Minute
)

// LocalDB stores the local record's sequence number across restarts, so a
// restarted node never signs two different records with one seq.
// nodedb.DB implements it. LocalSeq returns 0 if nothing is stored.
type LocalDB interface {
	LocalSeq(id ID) uint64
	StoreLocalSeq(id ID, seq uint64)
}

// LocalNode keeps the local node's record current. Changes (Set, Delete,
// endpoint updates) only mark the record stale; Node signs a new one with the
// next seq when it is next asked for, so a burst of changes costs one
// signature. Each new seq is stored in the LocalDB before the record is
// handed out.
//
// The UDP endpoint in the record is, in order of preference: the static IP
// (SetStaticIP) with the fallback port, the endpoint predicted from other
// nodes' statements (UDPEndpointStatement), the fallback IP and port.
// IPv4 and IPv6 endpoints are tracked separately.
//
// All methods are safe for concurrent use.
type LocalNode struct {
	cur   atomic.Pointer[Node] // nil when stale; read lock-free by Node
	id    ID
	key   *ecdsa.PrivateKey
	db    LocalDB
	clock mclock.Clock

	mu        sync.Mutex // guards everything below
	seq       uint64
	entries   map[string]enr.Entry
	endpoint4 lnEndpoint
	endpoint6 lnEndpoint
}

type lnEndpoint struct {
	// unreachable is set when the node's sockets do not serve this family
	// (SetListenIP): nothing of it goes into the record.
	unreachable          bool
	track                *netutil.IPTracker
	staticIP, fallbackIP netip.Addr
	fallbackUDP          uint16
}

// NewLocalNode creates the local node for key. db may be nil (the seq then
// starts from the clock every time).
func NewLocalNode(db LocalDB, key *ecdsa.PrivateKey) *LocalNode {
	return NewLocalNodeWithClock(db, key, nil)
}

// NewLocalNodeWithClock is NewLocalNode with the clock used for endpoint
// statements (its Now) and the initial seq (its Wall). nil means
// mclock.System.
func NewLocalNodeWithClock(db LocalDB, key *ecdsa.PrivateKey, clock mclock.Clock) *LocalNode {
	if clock == nil {
		clock = mclock.System{}
	}
	ln := &LocalNode{
		id:      PubkeyToIDV4(&key.PublicKey),
		key:     key,
		db:      db,
		clock:   clock,
		entries: make(map[string]enr.Entry),
		endpoint4: lnEndpoint{
			track: netutil.NewIPTracker(iptrackWindow, iptrackContactWindow, iptrackMinSubnets, clock),
		},
		endpoint6: lnEndpoint{
			track: netutil.NewIPTracker(iptrackWindow, iptrackContactWindow, iptrackMinSubnets, clock),
		},
	}
	if db != nil {
		ln.seq = db.LocalSeq(ln.id)
	}
	if ln.seq == 0 {
		// No stored seq (new node or lost database): start from the time in
		// milliseconds, as other clients do, so the seq still grows across
		// restarts.
		ln.seq = uint64(clock.Wall().UnixMilli())
	}
	return ln
}

// ID returns the local node ID.
func (ln *LocalNode) ID() ID { return ln.id }

// Seq returns the seq of the last signed record (or the stored seq before
// the first one is signed).
func (ln *LocalNode) Seq() uint64 {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	return ln.seq
}

// Node returns the current signed record as a Node, signing a new one if
// anything changed since the last call.
func (ln *LocalNode) Node() *Node {
	if n := ln.cur.Load(); n != nil {
		return n
	}
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if n := ln.cur.Load(); n != nil {
		return n
	}
	ln.sign()
	return ln.cur.Load()
}

// Set puts e into the record. The ip/ip6/udp/udp6 entries are managed by the
// endpoint logic; set them with SetStaticIP/SetFallbackIP/SetFallbackUDP.
func (ln *LocalNode) Set(e enr.Entry) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.set(e)
}

func (ln *LocalNode) set(e enr.Entry) {
	k := e.ENRKey()
	if old, ok := ln.entries[k]; !ok || !reflect.DeepEqual(old, e) {
		ln.entries[k] = e
		ln.invalidate()
	}
}

// Delete removes the entry with e's key.
func (ln *LocalNode) Delete(e enr.Entry) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.delete(e.ENRKey())
}

func (ln *LocalNode) delete(k string) {
	if _, ok := ln.entries[k]; ok {
		delete(ln.entries, k)
		ln.invalidate()
	}
}

func (ln *LocalNode) endpointFor(ip netip.Addr) *lnEndpoint {
	if ip.Unmap().Is4() {
		return &ln.endpoint4
	}
	return &ln.endpoint6
}

func toAddr(ip net.IP) netip.Addr {
	a, _ := netip.AddrFromSlice(ip)
	return a.Unmap()
}

// SetStaticIP sets the IP to advertise whatever others report (an explicit
// external IP or the one a NAT gateway reports): endpoint votes never replace
// it.
func (ln *LocalNode) SetStaticIP(ip net.IP) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if a := toAddr(ip); a.IsValid() {
		ln.endpointFor(a).staticIP = a
		ln.updateEndpoints()
	}
}

// SetFallbackIP sets the IP to advertise while no endpoint is predicted.
func (ln *LocalNode) SetFallbackIP(ip net.IP) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	if a := toAddr(ip); a.IsValid() {
		ln.endpointFor(a).fallbackIP = a
		ln.updateEndpoints()
	}
}

// SetFallbackUDP sets the UDP port to advertise while no endpoint is
// predicted (and with a static IP).
func (ln *LocalNode) SetFallbackUDP(port int) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.endpoint4.fallbackUDP = uint16(port)
	ln.endpoint6.fallbackUDP = uint16(port)
	ln.updateEndpoints()
}

// UDPEndpointStatement records that the node at fromaddr saw us at endpoint.
// It is a vote on the endpoint in our record, so callers make it only for
// nodes that proved their own endpoint to us (they answered our ping):
// otherwise any forged source address could vote. Votes count per subnet of
// fromaddr, whatever its port.
func (ln *LocalNode) UDPEndpointStatement(fromaddr, endpoint netip.AddrPort) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	endpoint = netip.AddrPortFrom(endpoint.Addr().Unmap(), endpoint.Port())
	ln.endpointFor(endpoint.Addr()).track.AddStatement(fromaddr.Addr(), endpoint)
	ln.updateEndpoints()
}

// UDPContact records that we sent a UDP packet to toaddr.
func (ln *LocalNode) UDPContact(toaddr netip.AddrPort) {
	ln.mu.Lock()
	defer ln.mu.Unlock()
	ln.endpointFor(toaddr.Addr()).track.AddContact(toaddr.Addr())
}

// get returns the endpoint to advertise (see LocalNode).
func (e *lnEndpoint) get() (netip.Addr, uint16) {
	if e.unreachable {
		return netip.Addr{}, 0
	}
	ip, port := e.fallbackIP, e.fallbackUDP
	if e.staticIP.IsValid() {
		return e.staticIP, port
	}
	if ep := e.track.PredictEndpoint(); ep.IsValid() && usable(ep.Addr()) {
		return ep.Addr(), ep.Port()
	}
	return ip, port
}

// usable filters predictions that can never be a real endpoint.
func usable(ip netip.Addr) bool {
	return !ip.IsUnspecified() && !ip.IsMulticast() && !netutil.IsSpecialNetwork(ip)
}

// updateEndpoints writes the endpoint entries. The IP goes into the record
// whenever one is known, with or without a UDP port: a node that runs no
// discovery still has a dialable TCP endpoint (ip + tcp), and its record must
// say so. The UDP port is only announced together with an IP.
func (ln *LocalNode) updateEndpoints() {
	ip4, port4 := ln.endpoint4.get()
	ip6, port6 := ln.endpoint6.get()
	if ip4.IsValid() {
		ln.set(enr.IPv4(ip4))
	} else {
		ln.delete("ip")
	}
	if ip4.IsValid() && port4 != 0 {
		ln.set(enr.UDP(port4))
	} else {
		ln.delete("udp")
	}
	if ip6.IsValid() {
		ln.set(enr.IPv6(ip6))
	} else {
		ln.delete("ip6")
	}
	// "udp" applies to both families unless "udp6" says otherwise
	// (https://eips.ethereum.org/EIPS/eip-778), so an IPv6-only record
	// carries its port as "udp", and "udp6" appears only where the two
	// ports differ.
	switch {
	case ip6.IsValid() && port6 != 0 && !ip4.IsValid():
		ln.set(enr.UDP(port6))
		ln.delete("udp6")
	case ip6.IsValid() && port6 != 0 && port4 != port6:
		ln.set(enr.UDP6(port6))
	default:
		ln.delete("udp6")
	}
}

func (ln *LocalNode) invalidate() { ln.cur.Store(nil) }

// sign builds and signs the record with the next seq. Caller holds mu.
func (ln *LocalNode) sign() {
	var r enr.Record
	for _, e := range ln.entries {
		r.Set(e)
	}
	ln.seq++
	if ln.db != nil {
		ln.db.StoreLocalSeq(ln.id, ln.seq)
	}
	r.SetSeq(ln.seq)
	if err := SignV4(&r, ln.key); err != nil {
		// Only an oversized record (entries set by the application) gets
		// here; that is a programming error.
		panic(fmt.Errorf("enode: can't sign local record: %w", err))
	}
	n, err := New(ValidSchemes, &r)
	if err != nil {
		panic(fmt.Errorf("enode: local record invalid: %w", err))
	}
	ln.cur.Store(n)
}
