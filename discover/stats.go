package discover

import (
	"sync/atomic"
	"time"
)

// PacketStats counts the packets of a UDP engine by type and the packets it
// dropped by reason. The engine adds with one atomic operation per packet;
// readers (a metrics collector at scrape time, status lines) load the
// counters whenever they like. The set of counters is fixed, so a flood of
// odd packets cannot make it grow.
type PacketStats struct {
	in, out [numKindSlots]atomic.Uint64
	dropped [numDropReasons]atomic.Uint64
}

// numKindSlots bounds the packet types counted one by one: discv4 types are
// 1…6, discv5 messages 1…6 plus its two packet kinds (mapped in by the
// engine). Types outside the range share slot 0.
const numKindSlots = 16

// KindSlots is the number of packet-type slots of a PacketStats.
const KindSlots = numKindSlots

func kindSlot(kind int) int {
	if kind <= 0 || kind >= numKindSlots {
		return 0
	}
	return kind
}

// In counts a received packet of the given type (the engine's own
// numbering; anything out of range counts in slot 0).
func (s *PacketStats) In(kind int) { s.in[kindSlot(kind)].Add(1) }

// Out counts a sent packet of the given type.
func (s *PacketStats) Out(kind int) { s.out[kindSlot(kind)].Add(1) }

// Drop counts a received packet that was not acted on.
func (s *PacketStats) Drop(r DropReason) {
	if r >= numDropReasons {
		r = DropOther
	}
	s.dropped[r].Add(1)
}

// Received returns the packets received of type slot kind.
func (s *PacketStats) Received(kind int) uint64 { return s.in[kindSlot(kind)].Load() }

// Sent returns the packets sent of type slot kind.
func (s *PacketStats) Sent(kind int) uint64 { return s.out[kindSlot(kind)].Load() }

// Dropped returns the packets dropped for reason r.
func (s *PacketStats) Dropped(r DropReason) uint64 {
	if r >= numDropReasons {
		return 0
	}
	return s.dropped[r].Load()
}

// DropReason says why an engine did not act on a received packet.
type DropReason uint8

const (
	DropOther           DropReason = iota // none of the reasons below
	DropNetRestrict                       // sender outside NetRestrict
	DropDecode                            // not a packet of this protocol (or corrupt)
	DropReplay                            // a replay of a packet already handled
	DropSelf                              // our own packet reflected back
	DropExpired                           // its expiration time passed
	DropUnsolicited                       // a reply nobody waited for
	DropNoEndpointProof                   // a request from a node that has not proven its endpoint
	DropRateLimit                         // over a per-sender or global rate limit
	numDropReasons
)

// NumDropReasons is the number of DropReason values, for iterating.
const NumDropReasons = int(numDropReasons)

var dropReasonNames = [numDropReasons]string{
	DropOther:           "other",
	DropNetRestrict:     "netrestrict",
	DropDecode:          "decode",
	DropReplay:          "replay",
	DropSelf:            "self",
	DropExpired:         "expired",
	DropUnsolicited:     "unsolicited",
	DropNoEndpointProof: "no_endpoint_proof",
	DropRateLimit:       "rate_limit",
}

// String returns the reason as a metric label value.
func (r DropReason) String() string {
	if r < numDropReasons {
		return dropReasonNames[r]
	}
	return "other"
}

// LookupObserver is told about every finished lookup: how many nodes it
// asked (one findnode exchange each) and how long it took on the table's
// clock. It runs on the lookup's goroutine and must be quick.
type LookupObserver func(queried int, took time.Duration)

// BucketLens returns the number of live entries of each bucket: bucket 0
// holds the log distances ≤ 239, the last one distance 256.
func (t *Table) BucketLens() []int {
	t.mu.Lock()
	defer t.mu.Unlock()
	lens := make([]int, len(t.buckets))
	for i, b := range t.buckets {
		lens[i] = len(b.entries)
	}
	return lens
}
