package netutil

import (
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

// Subnet sizes of endpoint votes: one vote per IPv4 /24 and per IPv6 /48, the
// blocks one operator typically holds, so that many hosts of one attacker
// count once.
const (
	voteSubnetBits4 = 24
	voteSubnetBits6 = 48
)

// maxTracked bounds the votes and contacts an IPTracker keeps, whatever the
// rate at which they arrive within the window.
const maxTracked = 4096

// IPTracker predicts the node's external endpoint from the endpoints other
// hosts say they see (the "to" of a discv4 PONG, the discv5 PONG address),
// and whether the NAT in front of the node is full-cone.
//
// Votes are counted per subnet (IPv4 /24, IPv6 /48): a subnet's latest
// statement is its one vote, and it counts for window. The prediction moves
// to an endpoint only when that endpoint has the votes of at least
// minSubnets subnets and more than half of all current votes; until another
// endpoint wins that way, the prediction stays where it is (it is dropped
// when its last vote expires). So an attacker needs a majority of the
// subnets that talk to us, not just many hosts or many packets. Which
// statements are worth a vote (only from hosts that proved their endpoint)
// is the caller's decision.
//
// Contacts (packets we sent) are remembered per host for contactWindow; a
// statement from a host we did not contact means unsolicited packets get
// through, i.e. a full-cone NAT or no NAT.
//
// An IPTracker is not safe for concurrent use.
type IPTracker struct {
	window        time.Duration
	contactWindow time.Duration
	minSubnets    int
	maxTracked    int // cap of votes and of contacts (maxTracked; tests lower it)
	clock         mclock.Clock

	votes   map[netip.Prefix]ipVote
	contact map[netip.Addr]mclock.AbsTime
	current netip.AddrPort // the prediction; see PredictEndpoint
	lastGC  mclock.AbsTime
}

type ipVote struct {
	host     netip.Addr // the voter, for full-cone detection
	endpoint netip.AddrPort
	time     mclock.AbsTime
}

// NewIPTracker creates a tracker. minSubnets is how many subnets must agree
// before the prediction moves (at least 1). clock nil means mclock.System.
func NewIPTracker(window, contactWindow time.Duration, minSubnets int, clock mclock.Clock) *IPTracker {
	if clock == nil {
		clock = mclock.System{}
	}
	return &IPTracker{
		window:        window,
		contactWindow: contactWindow,
		minSubnets:    max(minSubnets, 1),
		maxTracked:    maxTracked,
		clock:         clock,
		votes:         make(map[netip.Prefix]ipVote),
		contact:       make(map[netip.Addr]mclock.AbsTime),
	}
}

// VoteSubnet returns the subnet whose vote host casts: its IPv4 /24 or IPv6
// /48.
func VoteSubnet(host netip.Addr) netip.Prefix {
	host = host.Unmap().WithZone("")
	bits := voteSubnetBits6
	if host.Is4() {
		bits = voteSubnetBits4
	}
	p, _ := host.Prefix(bits)
	return p
}

// AddStatement records that host saw us at endpoint. It replaces the earlier
// vote of host's subnet, so one subnet cannot outvote others.
func (it *IPTracker) AddStatement(host netip.Addr, endpoint netip.AddrPort) {
	now := it.clock.Now()
	it.maybeGC(now)
	sub := VoteSubnet(host)
	if _, ok := it.votes[sub]; !ok && len(it.votes) >= it.maxTracked {
		evictOldest(it.votes, func(v ipVote) mclock.AbsTime { return v.time })
	}
	it.votes[sub] = ipVote{host: host.Unmap().WithZone(""), endpoint: endpoint, time: now}
}

// AddContact records that we sent a packet to host.
func (it *IPTracker) AddContact(host netip.Addr) {
	now := it.clock.Now()
	it.maybeGC(now)
	host = host.Unmap().WithZone("")
	if _, ok := it.contact[host]; !ok && len(it.contact) >= it.maxTracked {
		evictOldest(it.contact, func(t mclock.AbsTime) mclock.AbsTime { return t })
	}
	it.contact[host] = now
}

// PredictEndpoint returns the predicted endpoint, or the zero AddrPort if
// there is none. The leading endpoint (most votes; ties go to the most recent
// vote, then the smaller endpoint, so the answer does not depend on map
// order) replaces the prediction when it has at least minSubnets votes and
// more than half of all votes.
func (it *IPTracker) PredictEndpoint() netip.AddrPort {
	now := it.clock.Now()
	it.gc(now)
	type tally struct {
		n    int
		last mclock.AbsTime
	}
	counts := make(map[netip.AddrPort]tally, len(it.votes))
	for _, v := range it.votes {
		t := counts[v.endpoint]
		t.n++
		t.last = max(t.last, v.time)
		counts[v.endpoint] = t
	}
	var (
		lead  netip.AddrPort
		leadT tally
	)
	for ep, t := range counts {
		better := t.n > leadT.n ||
			(t.n == leadT.n && t.last > leadT.last) ||
			(t.n == leadT.n && t.last == leadT.last && ep.Compare(lead) < 0)
		if better {
			lead, leadT = ep, t
		}
	}
	switch {
	case leadT.n >= it.minSubnets && 2*leadT.n > len(it.votes):
		it.current = lead
	case counts[it.current].n == 0:
		it.current = netip.AddrPort{} // nobody vouches for it any more
	}
	return it.current
}

// PredictFullConeNAT reports whether some host sent us a statement without
// having been contacted by us in the contactWindow before it: unsolicited
// packets reach us.
func (it *IPTracker) PredictFullConeNAT() bool {
	now := it.clock.Now()
	it.gc(now)
	for _, v := range it.votes {
		c, ok := it.contact[v.host]
		if !ok || c > v.time {
			return true
		}
	}
	return false
}

// gcInterval bounds how often AddStatement/AddContact sweep expired entries,
// so a stream of packets costs O(1) amortized per packet.
const gcInterval = time.Second

func (it *IPTracker) maybeGC(now mclock.AbsTime) {
	if now.Sub(it.lastGC) >= gcInterval {
		it.gc(now)
	}
}

func (it *IPTracker) gc(now mclock.AbsTime) {
	it.lastGC = now
	for sub, v := range it.votes {
		if now.Sub(v.time) >= it.window {
			delete(it.votes, sub)
		}
	}
	for host, t := range it.contact {
		if now.Sub(t) >= it.contactWindow {
			delete(it.contact, host)
		}
	}
}

// evictOldest removes the entry with the oldest time. It is linear, but runs
// only when a map is full of entries younger than the window.
func evictOldest[K comparable, V any](m map[K]V, timeOf func(V) mclock.AbsTime) {
	var (
		oldest  K
		oldestT mclock.AbsTime
		found   bool
	)
	for k, v := range m {
		if t := timeOf(v); !found || t < oldestT {
			oldest, oldestT, found = k, t, true
		}
	}
	if found {
		delete(m, oldest)
	}
}
