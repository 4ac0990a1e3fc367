package v4

import (
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// replayFilter remembers recently decoded packets by hash, so that a copy
// costs no second signature recovery. discv4 packets are protected only by
// their 20 s expiration; within that window a copy of a handled packet
// would otherwise be answered again, so it is dropped. A packet that was
// refused (for instance a findnode before the endpoint proof) is kept
// decoded: when it comes again it is handled again, without decoding, since
// the sender may have proven its endpoint meanwhile. Only packets whose hash
// and signature checked out are remembered, so an attacker cannot block a
// packet it has not seen.
type replayFilter struct {
	mu   sync.Mutex
	now  func() time.Time
	seen map[[32]byte]*replayEntry
}

type replayEntry struct {
	at      time.Time
	handled bool
	pkt     v4wire.Packet
	key     v4wire.Pubkey
}

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

// add remembers a decoded packet and whether it was handled.
func (f *replayFilter) add(hash []byte, pkt v4wire.Packet, key v4wire.Pubkey, handled bool) {
	if len(hash) < 32 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if ep := f.seen[[32]byte(hash)]; ep != nil {
		ep.handled = ep.handled || handled
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
	f.seen[[32]byte(hash)] = &replayEntry{at: now, handled: handled, pkt: pkt, key: key}
}

func (f *replayFilter) len() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.seen)
}
