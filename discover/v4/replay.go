package v4

import (
	"bytes"
	"net/netip"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// replayFilter remembers recently decoded packets by hash, so that a copy
// costs no second signature recovery, and limits how often a copy is
// handled. discv4 packets are protected only by their 20 s expiration.
//
// Copies are not all replays: a sender that signs deterministically (RFC
// 6979, as go-ethereum does) sends the same bytes whenever it makes the same
// request twice within one second of expiration, for instance its table
// revalidation's ENRRequest and an application's, or two pings to the same
// endpoint. Dropping every copy of a handled packet left such a request
// unanswered until the sender timed out. So a copy is handled again, up to
// maxReplayAnswers times in all: more than an honest sender repeats itself,
// while a packet replayed in a loop by someone who captured it cannot make
// us answer (or amplify towards its source) more often than that. A packet
// that was refused (for instance a findnode before the endpoint proof) does
// not count: when it comes again it is handled again, since the sender may
// have proven its endpoint meanwhile. Only packets whose hash and signature
// checked out are remembered, so an attacker cannot block a packet it has
// not seen.
//
// Entries are keyed by hash and source address: a copy from another address
// is decoded and judged afresh (its replies go elsewhere, so the count of
// one source must not stand for another's). And a datagram is taken for a
// remembered packet only once its own hash verifies, so bytes that merely
// start with a remembered hash are not handled as that packet.
type replayFilter struct {
	mu    sync.Mutex
	now   func() time.Time
	seen  map[replayKey]replayEntry
	swept time.Time // when expired entries were last dropped
	// peak is the most entries seen since the map was last made: Go maps
	// never give back the room they grew to, so once the live entries are a
	// small part of the peak, the survivors move to a new map.
	peak int
}

type replayKey struct {
	hash [32]byte
	from netip.AddrPort
}

// replayEntry is what a copy needs to be handled without recovering the
// sender's key again. It holds the key, not the decoded packet: a copy is
// decoded again (cheap, v4wire.DecodeVerified), and a filter full of
// Neighbors packets would cost a kilobyte and more an entry.
type replayEntry struct {
	at      int64 // Unix nanoseconds, smaller than a time.Time
	handled int32 // times the packet was handled without error
	key     v4wire.Pubkey
}

// exhausted reports that copies of the packet are no longer handled.
func (e replayEntry) exhausted() bool { return e.handled >= maxReplayAnswers }

func newReplayFilter(now func() time.Time) *replayFilter {
	return &replayFilter{now: now, seen: make(map[replayKey]replayEntry)}
}

// get returns the entry for the datagram packet from from, if the same
// bytes came from there within replayWindow. The hash is checked only on a
// hit, so that a miss costs no hashing beyond the decoder's.
func (f *replayFilter) get(packet []byte, from netip.AddrPort) (e replayEntry, ok bool) {
	if len(packet) < 32 {
		return e, false
	}
	f.mu.Lock()
	e, ok = f.seen[replayKey{[32]byte(packet[:32]), from}]
	if !ok || f.now().UnixNano()-e.at >= int64(replayWindow) {
		f.mu.Unlock()
		return replayEntry{}, false
	}
	f.mu.Unlock()
	if h := crypto.Keccak256Hash(packet[32:]); !bytes.Equal(h[:], packet[:32]) {
		return replayEntry{}, false
	}
	return e, true
}

// add remembers a decoded packet (whose hash the decoder verified) from
// from, with its sender's key, and counts it if it was handled.
func (f *replayFilter) add(hash []byte, from netip.AddrPort, key v4wire.Pubkey, handled bool) {
	if len(hash) < 32 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	n := int32(0)
	if handled {
		n = 1
	}
	k := replayKey{[32]byte(hash), from}
	if e, ok := f.seen[k]; ok {
		e.handled += n
		f.seen[k] = e
		return
	}
	// Drop expired entries four times per window, not only when the map is
	// full, so that a node that receives a few packets a second does not
	// keep up to maxReplayHashes of them for an hour, and one that has just
	// bootstrapped keeps little more than a window's worth.
	if now.Sub(f.swept) >= replaySweep {
		f.swept = now
		f.dropExpired(now)
	}
	if len(f.seen) >= maxReplayHashes {
		f.dropExpired(now)
		for k := range f.seen {
			if len(f.seen) < maxReplayHashes/2 {
				break
			}
			delete(f.seen, k)
		}
		f.shrink()
	}
	f.seen[k] = replayEntry{at: now.UnixNano(), handled: n, key: key}
	f.peak = max(f.peak, len(f.seen))
}

func (f *replayFilter) dropExpired(now time.Time) {
	for k, e := range f.seen {
		if now.UnixNano()-e.at >= int64(replayWindow) {
			delete(f.seen, k)
		}
	}
	f.shrink()
}

// replaySweep is how often expired entries are dropped.
const replaySweep = replayWindow / 4

// shrinkBelow is the peak size under which a map is not worth rebuilding.
const shrinkBelow = 64

// shrink moves the entries to a map of their size when they fill less than
// a quarter of the peak. Rebuilding costs one pass over the survivors, at
// most once per sweep.
func (f *replayFilter) shrink() {
	if f.peak < shrinkBelow || len(f.seen)*4 > f.peak {
		return
	}
	m := make(map[replayKey]replayEntry, len(f.seen))
	for k, e := range f.seen {
		m[k] = e
	}
	f.seen, f.peak = m, len(m)
}

func (f *replayFilter) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}
