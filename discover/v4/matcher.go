package v4

import (
	"context"
	"errors"
	"net/netip"
	"slices"

	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

var (
	errTimeout        = errors.New("RPC timeout")
	errClosed         = errors.New("socket closed")
	errTooManyPending = errors.New("too many pending replies")
	errUnsolicited    = errors.New("unsolicited reply")
	errExpired        = errors.New("packet expired")
	errUnknownNode    = errors.New("unknown node (no endpoint proof)")
	errReplayed       = errors.New("replayed packet")
	errWrongID        = errors.New("record ID does not match sender")
	errLowPort        = errors.New("low port")
)

// replyMatcher waits for replies of one kind from one node at one IP.
type replyMatcher struct {
	from     enode.ID
	ip       netip.Addr
	kind     byte
	deadline mclock.AbsTime
	optional bool // a ping-back: refused first when the list is crowded

	// callback is called with each matching packet, on the matcher loop.
	// It reports whether the packet belongs to this request and whether
	// the request is complete.
	callback func(p v4wire.Packet) (matched, done bool)

	// errc receives nil when the request completes, else the error.
	errc chan error
}

// reply is a packet handed to the matcher loop by the read loop.
type reply struct {
	from    enode.ID
	ip      netip.Addr
	data    v4wire.Packet
	matched chan<- bool // whether any matcher wanted it
}

// pending registers a matcher and returns it once the matcher loop has
// taken it; its errc then reports the outcome. The error is the loop's
// refusal (a crowded list, a closed engine): the caller must not send the
// request then, or a reply would come that nobody waits for.
func (t *UDPv4) pending(id enode.ID, ip netip.Addr, kind byte, optional bool, callback func(v4wire.Packet) (bool, bool)) (*replyMatcher, error) {
	rm := &replyMatcher{from: id, ip: ip, kind: kind, optional: optional, callback: callback, errc: make(chan error, 1)}
	select {
	case t.addMatcher <- rm:
		// The loop answers on addResult right after taking rm, before it
		// takes another matcher, so this answer is rm's.
		if err := <-t.addResult; err != nil {
			return nil, err
		}
		if !optional {
			// Our own requests open the reserved lane for their replies; a
			// ping-back (optional) answers someone else's ping and must not,
			// or each admitted ping of a flood would admit the next ones.
			t.admit.Expect(ip, expectedReplies, expectWindow)
		}
		return rm, nil
	case <-t.closing:
		return nil, errClosed
	}
}

// wait returns rm's outcome, or ctx's error if ctx ends first. In that
// case it withdraws rm from the matcher loop before returning, so rm's
// callback never runs after wait returns and the caller may read what the
// callback wrote.
func (t *UDPv4) wait(ctx context.Context, rm *replyMatcher) error {
	select {
	case err := <-rm.errc:
		return err
	case <-ctx.Done():
	}
	select {
	case t.dropMatcher <- droppedMatcher{rm, ctx.Err()}:
	case <-t.closing: // the loop ends every matcher with errClosed
	}
	// A reply may have completed rm just before the withdrawal: then that
	// outcome stands.
	return <-rm.errc
}

// droppedMatcher withdraws a matcher whose caller stopped waiting.
type droppedMatcher struct {
	rm  *replyMatcher
	err error // what rm's caller gets
}

// handleReply hands p to the matcher loop and reports whether a request was
// waiting for it.
func (t *UDPv4) handleReply(from enode.ID, ip netip.Addr, p v4wire.Packet) bool {
	matched := make(chan bool, 1)
	select {
	case t.gotReply <- reply{from, ip, p, matched}:
		return <-matched
	case <-t.closing:
		return false
	}
}

// matchLoop owns the list of pending replies and their timeouts. One timer
// tracks the earliest deadline.
func (t *UDPv4) matchLoop() {
	defer t.wg.Done()
	var (
		clock   = t.cfg.Clock
		plist   []*replyMatcher // in deadline order: deadlines only grow
		timer                   = clock.NewTimer(respTimeout)
		armedAt mclock.AbsTime  = -1
	)
	defer timer.Stop()
	rearm := func() {
		if len(plist) == 0 {
			return
		}
		if d := plist[0].deadline; d != armedAt {
			armedAt = d
			timer.Reset(max(0, d.Sub(clock.Now())))
		}
	}
	for {
		rearm()
		t.npending.Store(int32(len(plist)))
		select {
		case <-t.closing:
			for _, p := range plist {
				p.errc <- errClosed
			}
			return

		case p := <-t.addMatcher:
			limit := maxPending
			if p.optional {
				limit = maxPending / 2
			}
			if len(plist) >= limit {
				t.addResult <- errTooManyPending
				continue
			}
			p.deadline = clock.Now().Add(respTimeout)
			plist = append(plist, p)
			t.addResult <- nil

		case d := <-t.dropMatcher:
			// Not found: it completed already and its errc holds the outcome.
			if i := slices.Index(plist, d.rm); i >= 0 {
				plist = slices.Delete(plist, i, i+1)
				d.rm.errc <- d.err
			}

		case r := <-t.gotReply:
			// Every waiting request that matches gets the packet: two
			// identical requests are answered by one reply.
			matched := false
			kept := plist[:0]
			for _, p := range plist {
				if p.from == r.from && p.kind == r.data.Kind() && p.ip == r.ip {
					ok, done := p.callback(r.data)
					matched = matched || ok
					if ok && done {
						p.errc <- nil
						continue
					}
				}
				kept = append(kept, p)
			}
			clear(plist[len(kept):])
			plist = kept
			r.matched <- matched

		case <-timer.C():
			armedAt = -1
			now := clock.Now()
			i := 0
			for ; i < len(plist) && plist[i].deadline <= now; i++ {
				plist[i].errc <- errTimeout
			}
			plist = append(plist[:0], plist[i:]...)
		}
	}
}
