package dnsdisc

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// clientTree is the lazy sync state of one tree, driven by the iterator that
// owns it (all fields are touched only by that iterator's Next).
type clientTree struct {
	c   *Client
	loc *linkEntry

	root      *rootEntry
	nextCheck mclock.AbsTime // when the root is read again
	retryAt   mclock.AbsTime // after a failed query: no work before this
	fails     int            // failed queries in a row, for the backoff

	enrs       *subtreeSync
	links      *subtreeSync
	foundLinks []*linkEntry // links of the link subtree being walked
	curLinks   []*linkEntry // links of the last fully walked link subtree
	passNodes  int          // nodes found in the current pass over the enr subtree
}

func newClientTree(c *Client, loc *linkEntry) *clientTree {
	// AbsTime has no fixed origin (it may be negative), so the times start
	// at now rather than at zero.
	now := c.cfg.Clock.Now()
	return &clientTree{c: c, loc: loc, nextCheck: now, retryAt: now}
}

// wakeAt is the earliest time step can make progress.
func (t *clientTree) wakeAt() mclock.AbsTime {
	if t.root == nil || !t.links.done() || !t.enrs.done() || t.passNodes > 0 {
		return t.retryAt
	}
	return max(t.nextCheck, t.retryAt) // idle until the root changes
}

// step does one query's worth of work: re-reads the root when it is due,
// then walks the link or the enr subtree one entry. It returns a node when
// it found one and linksChanged when a new link set is complete.
func (t *clientTree) step(ctx context.Context) (n *enode.Node, linksChanged bool, err error) {
	now := t.c.cfg.Clock.Now()
	if t.root == nil || now >= t.nextCheck {
		if err := t.updateRoot(ctx, now); err != nil {
			t.backoff(now) // a bad root stays bad until it is republished
			return nil, false, err
		}
	}
	// The spec suggests links first; alternate instead when both subtrees
	// have work, so that a huge link subtree cannot starve the nodes.
	if !t.links.done() && (t.enrs.done() || rand.IntN(2) == 0) {
		e, err := t.links.resolveRandom(ctx)
		if err != nil {
			t.fail(now, err)
			return nil, false, err
		}
		t.fails = 0
		if le, ok := e.(*linkEntry); ok {
			t.foundLinks = append(t.foundLinks, le)
		}
		if t.links.done() {
			t.curLinks, t.foundLinks = t.foundLinks, nil
			return nil, true, nil
		}
		return nil, false, nil
	}
	if t.enrs.done() {
		if t.passNodes == 0 {
			return nil, false, nil // nothing to give until the root changes
		}
		// Walk again: the entries come from the cache as far as it holds them.
		t.enrs = newSubtreeSync(t.c, t.loc.domain, t.root.eroot, false)
		t.passNodes = 0
	}
	e, err := t.enrs.resolveRandom(ctx)
	if err != nil {
		t.fail(now, err)
		return nil, false, err
	}
	t.fails = 0
	if ee, ok := e.(*enrEntry); ok {
		t.passNodes++
		return ee.node, false, nil
	}
	return nil, false, nil
}

// fail backs off after a failed query (doubling up to the recheck interval);
// a bad entry was dropped by the subtree and needs no backoff.
func (t *clientTree) fail(now mclock.AbsTime, err error) {
	if isQueryError(err) {
		t.backoff(now)
	}
}

func (t *clientTree) backoff(now mclock.AbsTime) {
	t.fails++
	d := retryBackoff << min(t.fails-1, 16)
	d = min(d, t.c.cfg.RecheckInterval)
	t.retryAt = now.Add(d)
}

// updateRoot reads the root and restarts the walk of each subtree whose hash
// changed. The sequence number may not go back.
func (t *clientTree) updateRoot(ctx context.Context, now mclock.AbsTime) error {
	if now < t.retryAt {
		return nil
	}
	root, err := t.c.resolveRoot(ctx, t.loc.domain, t.loc.pubkey)
	if err != nil {
		return err
	}
	if t.root != nil && root.seq < t.root.seq {
		t.nextCheck = now.Add(t.c.cfg.RecheckInterval)
		return fmt.Errorf("%s: %w (%d < %d)", t.loc.domain, ErrSeqBackwards, root.seq, t.root.seq)
	}
	if err := t.c.checkSeq(t.loc, root.seq); err != nil {
		t.nextCheck = now.Add(t.c.cfg.RecheckInterval)
		return err
	}
	t.fails = 0
	t.nextCheck = now.Add(t.c.cfg.RecheckInterval)
	if t.root == nil || root.eroot != t.root.eroot {
		t.enrs = newSubtreeSync(t.c, t.loc.domain, root.eroot, false)
		t.passNodes = 0
	}
	if t.root == nil || root.lroot != t.root.lroot {
		t.links = newSubtreeSync(t.c, t.loc.domain, root.lroot, true)
		t.foundLinks = nil
	}
	t.root = root
	return nil
}
