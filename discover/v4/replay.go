package v4

import (
	"sync"
	"time"
)

// replayFilter remembers the hashes of recently handled packets so that a
// replayed copy is dropped before its signature is recovered. discv4 packets
// are only protected by their 20 s expiration; within that window a copy
// would otherwise be answered again. Only hashes of packets that decoded
// correctly are added, so an attacker cannot block a packet it has not seen.
type replayFilter struct {
	mu   sync.Mutex
	now  func() time.Time
	seen map[[32]byte]time.Time
}

func newReplayFilter(now func() time.Time) *replayFilter {
	return &replayFilter{now: now, seen: make(map[[32]byte]time.Time)}
}

func (f *replayFilter) contains(hash []byte) bool {
	if len(hash) < 32 {
		return false
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	t, ok := f.seen[[32]byte(hash)]
	return ok && f.now().Sub(t) < replayWindow
}

func (f *replayFilter) add(hash []byte) {
	if len(hash) < 32 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	now := f.now()
	if len(f.seen) >= maxReplayHashes {
		for k, t := range f.seen {
			if now.Sub(t) >= replayWindow {
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
	f.seen[[32]byte(hash)] = now
}
