package discover

import (
	"context"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// emptyLookupBackoff is how long an iterator waits after a lookup that found
// nothing before it starts the next one, so that an isolated node does not
// spin.
const emptyLookupBackoff = time.Second

// minLookupInterval is the least time between the starts of two lookups of
// one iterator. A consumer that throws most candidates away (a dialer whose
// peers already fill a small network) would otherwise start lookup after
// lookup: in a network of six nodes, that was thousands of FINDNODE
// packets a second from one node. At one lookup a second an iterator still
// offers up to BucketSize fresh nodes a second, more than the dialer's
// slots take.
const minLookupInterval = time.Second

// LookupIterator runs lookups one after another and yields their results.
// It implements enode.Iterator.
type LookupIterator struct {
	tab       *Table
	newLookup func(ctx context.Context) *Lookup
	ctx       context.Context
	cancel    context.CancelFunc
	buf       []*enode.Node
	cur       *enode.Node
	started   bool           // a lookup has run
	lastStart mclock.AbsTime // when the last lookup started
}

// NewLookupIterator returns an iterator over the results of the lookups that
// newLookup creates (typically lookups for random targets).
func (t *Table) NewLookupIterator(newLookup func(ctx context.Context) *Lookup) *LookupIterator {
	ctx, cancel := context.WithCancel(t.ctx)
	return &LookupIterator{tab: t, newLookup: newLookup, ctx: ctx, cancel: cancel}
}

// Next blocks until a node is available or the iterator is closed.
func (it *LookupIterator) Next() bool {
	it.cur = nil
	for len(it.buf) == 0 {
		if it.ctx.Err() != nil {
			return false
		}
		if it.started {
			wait := time.Duration(it.lastStart.Add(minLookupInterval) - it.tab.cfg.Clock.Now())
			if wait > 0 && !it.sleep(wait) {
				return false
			}
		}
		it.started, it.lastStart = true, it.tab.cfg.Clock.Now()
		it.buf = it.newLookup(it.ctx).Run()
		if len(it.buf) == 0 && !it.sleep(emptyLookupBackoff) {
			return false
		}
	}
	it.cur, it.buf = it.buf[0], it.buf[1:]
	return true
}

func (it *LookupIterator) sleep(d time.Duration) bool {
	t := it.tab.cfg.Clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return true
	case <-it.ctx.Done():
		return false
	}
}

// Node returns the current node.
func (it *LookupIterator) Node() *enode.Node { return it.cur }

// Close ends the iterator; a blocked Next returns false.
func (it *LookupIterator) Close() { it.cancel() }

// tableIterator yields the table's live entries in random order, round after
// round, waiting when the table is empty.
type tableIterator struct {
	tab    *Table
	ctx    context.Context
	cancel context.CancelFunc
	buf    []*enode.Node
	cur    *enode.Node
}

// RandomNodes returns an iterator over the live entries of the table in
// random order. When it has shown them all it starts over.
func (t *Table) RandomNodes() enode.Iterator {
	ctx, cancel := context.WithCancel(t.ctx)
	return &tableIterator{tab: t, ctx: ctx, cancel: cancel}
}

func (it *tableIterator) Next() bool {
	it.cur = nil
	for len(it.buf) == 0 {
		if it.ctx.Err() != nil {
			return false
		}
		it.buf = it.tab.Nodes()
		for i := len(it.buf) - 1; i > 0; i-- {
			j := it.tab.randInt(i + 1)
			it.buf[i], it.buf[j] = it.buf[j], it.buf[i]
		}
		if len(it.buf) == 0 {
			if it.tab.waitRefresh(it.ctx) != nil {
				return false
			}
			t := it.tab.cfg.Clock.NewTimer(emptyLookupBackoff)
			select {
			case <-t.C():
			case <-it.ctx.Done():
				t.Stop()
				return false
			}
		}
	}
	it.cur, it.buf = it.buf[0], it.buf[1:]
	return true
}

func (it *tableIterator) Node() *enode.Node { return it.cur }
func (it *tableIterator) Close()            { it.cancel() }
