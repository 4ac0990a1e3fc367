package v4

import (
	"net/netip"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/nodedb"
)

// bonds remembers when we last got a ping from and a pong from each (node,
// IP): the endpoint proof of discv4.md. With a node database the times are
// stored there (they survive restarts and feed QuerySeeds), but only for
// nodes that completed an endpoint proof: the ping of a node that never
// answered ours stays in the bounded map until it does, so that a stream of
// fresh identities pinging us writes nothing to disk. Without a database all
// times live in the map.
type bonds struct {
	db  *nodedb.DB
	now func() time.Time

	mu     sync.Mutex
	m      map[bondKey]*bondTimes
	doubts map[bondKey]struct{} // see doubt
}

type bondKey struct {
	id enode.ID
	ip netip.Addr
}

type bondTimes struct{ ping, pong time.Time }

func newBonds(db *nodedb.DB, now func() time.Time) *bonds {
	return &bonds{db: db, now: now, m: make(map[bondKey]*bondTimes), doubts: make(map[bondKey]struct{})}
}

func (b *bonds) lastPing(id enode.ID, ip netip.Addr) time.Time {
	var stored time.Time
	if b.db != nil {
		stored = b.db.LastPingReceived(id, ip)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if t := b.m[bondKey{id, ip}]; t != nil && t.ping.After(stored) {
		return t.ping
	}
	return stored
}

func (b *bonds) lastPong(id enode.ID, ip netip.Addr) time.Time {
	if b.db != nil {
		return b.db.LastPongReceived(id, ip)
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if t := b.m[bondKey{id, ip}]; t != nil {
		return t.pong
	}
	return time.Time{}
}

func (b *bonds) gotPing(id enode.ID, ip netip.Addr) {
	now := b.now()
	b.answered(id, ip) // its ping carried our pong back to it
	if b.db != nil && !b.db.LastPongReceived(id, ip).IsZero() {
		b.db.UpdateLastPingReceived(id, ip, now)
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.entry(id, ip, now).ping = now
}

func (b *bonds) gotPong(id enode.ID, ip netip.Addr) {
	now := b.now()
	if b.db != nil {
		b.db.UpdateLastPongReceived(id, ip, now)
		// The node has proven its endpoint: its ping may be stored now.
		b.mu.Lock()
		k := bondKey{id, ip}
		t := b.m[k]
		delete(b.m, k)
		b.mu.Unlock()
		if t != nil && !t.ping.IsZero() {
			b.db.UpdateLastPingReceived(id, ip, t.ping)
		}
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	b.entry(id, ip, now).pong = now
}

// doubt marks the bond with (id, ip) as in doubt: the node left a request
// unanswered that it answers only with a proof of our endpoint. It may have
// lost that proof (it restarted without a database, or our pong to its ping
// reached it after its own wait ended), and it has no reason to ping us
// again while it believes we are bonded: without the doubt we would keep
// sending it requests it drops, for as long as its old ping counts
// (bondExpiration), instead of bonding again. pingedRecently is false while
// the doubt lasts; a ping from the node or an answer to a request ends it.
func (b *bonds) doubt(id enode.ID, ip netip.Addr) {
	if !b.pingedRecently(id, ip) {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if len(b.doubts) >= maxBonds {
		// Losing a doubt costs a timeout, never correctness.
		clear(b.doubts)
	}
	b.doubts[bondKey{id, ip}] = struct{}{}
}

// doubted reports whether the bond with (id, ip) is in doubt.
func (b *bonds) doubted(id enode.ID, ip netip.Addr) bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	_, ok := b.doubts[bondKey{id, ip}]
	return ok
}

// answered records that (id, ip) answered a request that it answers only
// with a proof of our endpoint: it holds one, and the doubt about the bond
// ends. A node that kept our proof (it was only slow once) does not ping us
// again, so without this every later request would bond again first.
func (b *bonds) answered(id enode.ID, ip netip.Addr) {
	b.mu.Lock()
	defer b.mu.Unlock()
	delete(b.doubts, bondKey{id, ip})
}

// hasProof reports whether (id, ip) answered our ping within bondExpiration.
func (b *bonds) hasProof(id enode.ID, ip netip.Addr) bool {
	return b.now().Sub(b.lastPong(id, ip)) < bondExpiration
}

// pingedRecently reports whether (id, ip) pinged us within bondExpiration, so
// that it holds our pong as its proof of our endpoint, and the bond is not
// in doubt since.
func (b *bonds) pingedRecently(id enode.ID, ip netip.Addr) bool {
	return b.now().Sub(b.lastPing(id, ip)) < bondExpiration && !b.doubted(id, ip)
}

func (b *bonds) entry(id enode.ID, ip netip.Addr, now time.Time) *bondTimes {
	k := bondKey{id, ip}
	if t := b.m[k]; t != nil {
		return t
	}
	if len(b.m) >= maxBonds {
		b.evict(now)
	}
	t := new(bondTimes)
	b.m[k] = t
	return t
}

// evict drops expired entries, then arbitrary ones until a quarter of the
// space is free. Many distinct keys only come from a flood of fresh
// identities; losing some bonds costs a ping, never correctness.
func (b *bonds) evict(now time.Time) {
	for k, t := range b.m {
		if now.Sub(t.ping) >= bondExpiration && now.Sub(t.pong) >= bondExpiration {
			delete(b.m, k)
		}
	}
	for k := range b.m {
		if len(b.m) < maxBonds*3/4 {
			break
		}
		delete(b.m, k)
	}
}

func (b *bonds) len() int {
	b.mu.Lock()
	defer b.mu.Unlock()
	return len(b.m)
}
