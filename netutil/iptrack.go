package netutil

import (
	"net/netip"
	"time"
)

// IPTracker predicts the node's external endpoint from the endpoints other
// hosts say they see (the "to" of a discv4 PONG, the discv5 PONG address),
// and whether the NAT in front of the node is full-cone.
//
// Each host has one vote: its latest statement, which counts for window.
// PredictEndpoint returns the endpoint with the most votes, if it has at least
// minStatements. Contacts (packets we sent) are remembered for contactWindow;
// a statement from a host we did not contact means unsolicited packets get
// through, i.e. a full-cone NAT or no NAT.
//
// An IPTracker is not safe for concurrent use.
type IPTracker struct {
	window        time.Duration
	contactWindow time.Duration
	minStatements int
	now           func() time.Time

	statements map[string]ipStatement
	contact    map[string]time.Time
	lastGC     time.Time
}

type ipStatement struct {
	endpoint netip.AddrPort
	time     time.Time
}

// NewIPTracker creates a tracker. now is the clock (nil means time.Now); code
// driven by a simulated clock passes a func converting its time, e.g.
// func() time.Time { return time.Unix(0, int64(clock.Now())) }.
func NewIPTracker(window, contactWindow time.Duration, minStatements int, now func() time.Time) *IPTracker {
	if now == nil {
		now = time.Now
	}
	return &IPTracker{
		window:        window,
		contactWindow: contactWindow,
		minStatements: max(minStatements, 1),
		now:           now,
		statements:    make(map[string]ipStatement),
		contact:       make(map[string]time.Time),
	}
}

// AddStatement records that host saw us at endpoint. A later statement by the
// same host replaces the earlier one, so one host cannot outvote others.
func (it *IPTracker) AddStatement(host string, endpoint netip.AddrPort) {
	now := it.now()
	it.statements[host] = ipStatement{endpoint: endpoint, time: now}
	it.maybeGC(now)
}

// AddContact records that we sent a packet to host.
func (it *IPTracker) AddContact(host string) {
	now := it.now()
	it.contact[host] = now
	it.maybeGC(now)
}

// PredictEndpoint returns the endpoint most hosts agree on, or the zero
// AddrPort if no endpoint has minStatements current votes. Ties go to the
// endpoint with the most recent vote, so the answer does not depend on map
// order.
func (it *IPTracker) PredictEndpoint() netip.AddrPort {
	now := it.now()
	it.gc(now)
	type tally struct {
		n    int
		last time.Time
	}
	counts := make(map[netip.AddrPort]tally, len(it.statements))
	for _, s := range it.statements {
		t := counts[s.endpoint]
		t.n++
		if s.time.After(t.last) {
			t.last = s.time
		}
		counts[s.endpoint] = t
	}
	var (
		best  netip.AddrPort
		bestT tally
	)
	for ep, t := range counts {
		if t.n < it.minStatements {
			continue
		}
		better := t.n > bestT.n ||
			(t.n == bestT.n && t.last.After(bestT.last)) ||
			(t.n == bestT.n && t.last.Equal(bestT.last) && ep.Compare(best) < 0)
		if better {
			best, bestT = ep, t
		}
	}
	return best
}

// PredictFullConeNAT reports whether some host sent us a statement without
// having been contacted by us in the contactWindow before it: unsolicited
// packets reach us.
func (it *IPTracker) PredictFullConeNAT() bool {
	now := it.now()
	it.gc(now)
	for host, s := range it.statements {
		c, ok := it.contact[host]
		if !ok || c.After(s.time) {
			return true
		}
	}
	return false
}

// gcInterval bounds how often AddStatement/AddContact sweep expired entries,
// so a stream of packets costs O(1) amortized per packet.
const gcInterval = time.Second

func (it *IPTracker) maybeGC(now time.Time) {
	if now.Sub(it.lastGC) >= gcInterval {
		it.gc(now)
	}
}

func (it *IPTracker) gc(now time.Time) {
	it.lastGC = now
	for host, s := range it.statements {
		if now.Sub(s.time) >= it.window {
			delete(it.statements, host)
		}
	}
	for host, t := range it.contact {
		if now.Sub(t) >= it.contactWindow {
			delete(it.contact, host)
		}
	}
}
