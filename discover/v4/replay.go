package v4

import (
	"sync"
	"time"

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
type replayFilter struct {
	mu   sync.Mutex
	now  func() time.Time
	seen map[[32]byte]*replayEntry
}

type replayEntry struct {
	at      time.Time
	handled int // times the packet was handled without error
	pkt     v4wire.Packet
	key     v4wire.Pubkey
}

// exhausted reports that copies of the packet are no longer handled.
func (e replayEntry) exhausted() bool { return e.handled >= maxReplayAnswers }

func newReplayFilter(now func() time.Time) *replayFilter {
	return &replayFilter{now: now, seen: make(map[[32]byte]*replayEntry)}
}

// get returns the entry for a packet hash seen within replayWindow.
func (f *replayFilter) get(hash []byte) (e replayEntry, ok bool) {
	if len(hash) < 32 {
		return e, false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	ep := f.seen[[32]byte(hash)]
	if ep == nil || f.now().Sub(ep.at) >= replayWindow {
		return e, false
	}
	return *ep, true
}

// add remembers a decoded packet and counts it if it was handled.
func (f *replayFilter) add(hash []byte, pkt v4wire.Packet, key v4wire.Pubkey, handled bool) {
	if len(hash) < 32 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	n := 0
	if handled {
		n = 1
	}
	if ep := f.seen[[32]byte(hash)]; ep != nil {
		ep.handled += n
		return
	}
	if len(f.seen) >= maxReplayHashes {
		for k, e := range f.seen {
			if now.Sub(e.at) >= replayWindow {
				delete(f.seen, k)
			}
		}
		for k := range f.seen {
			if len(f.seen) < maxReplayHashes/2 {
				break
			}
			delete(f.seen, k)
		}
	}
	f.seen[[32]byte(hash)] = &replayEntry{at: now, handled: n, pkt: pkt, key: key}
}

func (f *replayFilter) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}
