package dnsdisc

import (
	"context"
	"fmt"
	"math/rand/v2"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// NewIterator returns an enode.Iterator of random nodes from the trees at
// urls and every tree they link to (up to Config.MaxTrees trees). Trees are
// synced lazily: each Next costs at most a few queries. Next blocks until it
// has a node or Close is called; it never blocks on DNS beyond the query
// timeout, and it waits on the clock (not on DNS) while every tree is backing
// off or idle.
func (c *Client) NewIterator(urls ...string) (enode.Iterator, error) {
	it := &randomIterator{c: c, trees: make(map[string]*clientTree)}
	it.ctx, it.cancel = context.WithCancel(context.Background())
	for _, url := range urls {
		if len(url) > maxTXTSize {
			return nil, fmt.Errorf("invalid enrtree URL: %w", ErrTooLong)
		}
		le, err := parseLink(url)
		if err != nil {
			return nil, fmt.Errorf("invalid enrtree URL %q: %w", url, err)
		}
		it.roots = append(it.roots, le)
	}
	it.rebuildTrees()
	return it, nil
}

// randomIterator owns its trees; every field below ctx is used only by the
// goroutine calling Next.
type randomIterator struct {
	c      *Client
	ctx    context.Context // canceled by Close
	cancel context.CancelFunc

	roots []*linkEntry
	trees map[string]*clientTree // by treeKey
	cur   *enode.Node
}

func (it *randomIterator) Node() *enode.Node { return it.cur }

// Close ends the iteration; a Next running concurrently returns false.
func (it *randomIterator) Close() { it.cancel() }

func (it *randomIterator) Next() bool {
	it.cur = nil
	for it.ctx.Err() == nil {
		if len(it.trees) == 0 {
			return false
		}
		t := it.pickTree()
		if t == nil {
			if !it.waitForTrees() {
				return false
			}
			continue
		}
		n, linksChanged, err := t.step(it.ctx)
		if linksChanged {
			it.rebuildTrees()
		}
		if err != nil {
			if it.ctx.Err() == nil {
				it.c.cfg.Logger.Debug("DNS tree sync failed", "tree", t.loc.domain, "err", err)
			}
			continue
		}
		if n != nil {
			it.cur = n
			return true
		}
	}
	return false
}

// pickTree returns a random tree that can make progress now, or nil.
func (it *randomIterator) pickTree() *clientTree {
	now := it.c.cfg.Clock.Now()
	var ready []*clientTree
	for _, t := range it.trees {
		if t.wakeAt() <= now {
			ready = append(ready, t)
		}
	}
	if len(ready) == 0 {
		return nil
	}
	return ready[rand.IntN(len(ready))]
}

// waitForTrees sleeps on the clock until the first tree can make progress.
// It reports false when the iterator was closed.
func (it *randomIterator) waitForTrees() bool {
	var wake mclock.AbsTime
	first := true
	for _, t := range it.trees {
		if w := t.wakeAt(); first || w < wake {
			wake, first = w, false
		}
	}
	timer := it.c.cfg.Clock.NewTimer(wake.Sub(it.c.cfg.Clock.Now()))
	defer timer.Stop()
	select {
	case <-timer.C():
		return true
	case <-it.ctx.Done():
		return false
	}
}

// rebuildTrees makes the tree set the roots plus everything reachable
// through the complete link sets, keeping the sync state of trees that stay.
// Links to a tree already in the set (including a link back to a root, or a
// cycle) add nothing; trees past MaxTrees are ignored.
func (it *randomIterator) rebuildTrees() {
	next := make(map[string]*clientTree)
	queue := append([]*linkEntry(nil), it.roots...)
	for len(queue) > 0 {
		loc := queue[0]
		queue = queue[1:]
		key := treeKey(loc)
		if _, ok := next[key]; ok {
			continue
		}
		if len(next) >= it.c.cfg.MaxTrees {
			it.c.cfg.Logger.Debug("DNS tree limit reached, ignoring link", "tree", loc.domain, "limit", it.c.cfg.MaxTrees)
			continue
		}
		t := it.trees[key]
		if t == nil {
			t = newClientTree(it.c, loc)
		}
		next[key] = t
		queue = append(queue, t.curLinks...)
	}
	it.trees = next
}

// SyncTree downloads the whole tree at url and verifies every entry. It
// follows no links (Tree.Links lists them). Unlike the iterator it fetches
// every entry, so a huge tree takes as many queries as it has entries; ctx
// bounds the work.
func (c *Client) SyncTree(ctx context.Context, url string) (*Tree, error) {
	loc, err := parseLink(url)
	if err != nil {
		return nil, fmt.Errorf("invalid enrtree URL %q: %w", url, err)
	}
	root, err := c.resolveRoot(ctx, loc.domain, loc.pubkey)
	if err != nil {
		return nil, err
	}
	if err := c.checkSeq(loc, root.seq); err != nil {
		return nil, err
	}
	t := &Tree{root: root, entries: make(map[string]entry)}
	for _, sub := range []*subtreeSync{
		newSubtreeSync(c, loc.domain, root.lroot, true),
		newSubtreeSync(c, loc.domain, root.eroot, false),
	} {
		for !sub.done() {
			hash := sub.missing[len(sub.missing)-1]
			e, err := sub.resolveAt(ctx, len(sub.missing)-1)
			if err != nil {
				return nil, err
			}
			if le, ok := e.(*linkEntry); ok && treeKey(le) == treeKey(loc) {
				return nil, fmt.Errorf("%s: %w", loc.domain, ErrLinkCycle)
			}
			t.entries[hash] = e
		}
	}
	return t, nil
}
