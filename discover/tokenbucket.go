package discover

import (
	"container/list"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

// Rate is a token-bucket setting: PerSecond tokens are added each second, up
// to Burst. One datagram takes one token.
type Rate struct {
	PerSecond float64
	Burst     float64
}

// tokenBucket holds the tokens of one source or subnet. It is filled lazily
// from the time of its last use, so an idle bucket costs no work.
type tokenBucket struct {
	tokens float64
	last   mclock.AbsTime
}

func newBucket(r Rate, now mclock.AbsTime) tokenBucket {
	return tokenBucket{tokens: r.Burst, last: now}
}

// refill adds the tokens earned since the last use.
func (b *tokenBucket) refill(r Rate, now mclock.AbsTime) {
	if now > b.last {
		b.tokens = min(r.Burst, b.tokens+r.PerSecond*time.Duration(now-b.last).Seconds())
		b.last = now
	}
}

// full reports whether the bucket has refilled completely: it then says
// nothing a fresh bucket would not, and may be forgotten.
func (b *tokenBucket) full(r Rate, now mclock.AbsTime) bool {
	b.refill(r, now)
	return b.tokens >= r.Burst
}

// sourceEntry is what the admitter remembers per key (an IP or a subnet):
// its bucket and, for single IPs, its trust and reply credit.
type sourceEntry struct {
	key    netip.Prefix
	bucket tokenBucket

	provenUntil mclock.AbsTime // endpoint proof or session (Prove)
	expectUntil mclock.AbsTime // a request of ours awaits replies (Expect)
	credit      int            // reply bytes we may still send while unproven
}

// sourceTable maps keys to entries with a hard cap on their number: when it
// is full, the least recently used entry goes. A million spoofed sources
// therefore cost no more memory than cap entries, and only evict each
// other. Not safe for concurrent use (the Admitter locks).
type sourceTable struct {
	cap   int
	order *list.List // front: most recently used; values are *sourceEntry
	m     map[netip.Prefix]*list.Element
}

func newSourceTable(cap int) *sourceTable {
	return &sourceTable{cap: max(cap, 1), order: list.New(), m: make(map[netip.Prefix]*list.Element)}
}

// get returns the entry for key, or nil.
func (t *sourceTable) get(key netip.Prefix) *sourceEntry {
	el := t.m[key]
	if el == nil {
		return nil
	}
	t.order.MoveToFront(el)
	return el.Value.(*sourceEntry)
}

// getOrCreate returns the entry for key, creating it (and evicting the least
// recently used entry if the table is full) with init.
func (t *sourceTable) getOrCreate(key netip.Prefix, init func(*sourceEntry)) *sourceEntry {
	if e := t.get(key); e != nil {
		return e
	}
	if len(t.m) >= t.cap {
		// Reuse the least recently used entry: a flood of new sources then
		// allocates nothing.
		oldest := t.order.Back()
		e := oldest.Value.(*sourceEntry)
		delete(t.m, e.key)
		*e = sourceEntry{key: key}
		init(e)
		t.order.MoveToFront(oldest)
		t.m[key] = oldest
		return e
	}
	e := &sourceEntry{key: key}
	init(e)
	t.m[key] = t.order.PushFront(e)
	return e
}

func (t *sourceTable) len() int { return len(t.m) }
