package discover

import (
	"cmp"
	"slices"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// revalResult is the outcome of one revalidation ping.
type revalResult struct {
	e      *tableNode
	seq    uint64
	err    error
	record *enode.Node // newer record fetched after the ping, or nil
}

// loop owns the table: it applies additions and findnode outcomes, schedules
// refreshes and revalidation pings, and handles their results.
func (t *Table) loop() {
	defer close(t.closed)
	var (
		clock        = t.cfg.Clock
		refreshTimer = clock.NewTimer(t.cfg.RefreshInterval)
		revalTimer   = clock.NewTimer(revalidateTick)
		revalDone    = make(chan revalResult, maxRevalidations)
		revalRunning int
		refreshDone  chan struct{}   // non-nil while a refresh runs
		waiting      []chan struct{} // callers of waitRefresh
		lastRefresh  mclock.AbsTime
		refreshed    bool // a refresh has started at least once
	)
	defer refreshTimer.Stop()
	defer revalTimer.Stop()

	startRefresh := func() {
		if refreshDone != nil {
			return
		}
		lastRefresh, refreshed = clock.Now(), true
		t.loadSeeds()
		refreshDone = make(chan struct{})
		go t.doRefresh(refreshDone)
	}
	// requestRefresh starts a refresh now, or as soon as the rate limit for
	// unscheduled refreshes allows.
	requestRefresh := func() {
		if refreshDone != nil {
			return
		}
		since := clock.Now().Sub(lastRefresh)
		if !refreshed || since >= minEmptyRefreshInterval {
			startRefresh()
		} else {
			refreshTimer.Reset(minEmptyRefreshInterval - since)
		}
	}
	checkEmpty := func() {
		if t.Len() == 0 {
			requestRefresh()
		}
	}

	startRefresh() // refresh right away

loop:
	for {
		select {
		case <-refreshTimer.C():
			startRefresh()
			refreshTimer.Reset(t.cfg.RefreshInterval)

		case ch := <-t.refreshReq:
			waiting = append(waiting, ch)
			requestRefresh()

		case <-refreshDone:
			refreshDone = nil
			for _, ch := range waiting {
				close(ch)
			}
			waiting = nil
			refreshTimer.Reset(t.cfg.RefreshInterval)
			checkEmpty()

		case <-revalTimer.C():
			for _, e := range t.dueRevalidations(maxRevalidations - revalRunning) {
				revalRunning++
				go t.revalidate(e, revalDone)
			}
			revalTimer.Reset(revalidateTick)

		case r := <-revalDone:
			revalRunning--
			t.handleReval(r)
			checkEmpty()

		case op := <-t.addCh:
			t.handleAdd(op)

		case r := <-t.findCh:
			t.handleFind(r)
			checkEmpty()

		case <-t.closeReq:
			break loop
		}
	}

	// Wait for the goroutines we started. They end quickly because the
	// context is cancelled and the transport is closing.
	if refreshDone != nil {
		<-refreshDone
	}
	for ; revalRunning > 0; revalRunning-- {
		<-revalDone
	}
	for _, ch := range waiting {
		close(ch)
	}
}

// loadSeeds adds the bootnodes and up to seedCount nodes from the database
// that answered a ping within seedMaxAge.
func (t *Table) loadSeeds() {
	var seeds []*enode.Node
	if t.cfg.DB != nil {
		seeds = t.cfg.DB.QuerySeeds(seedCount, seedMaxAge)
	}
	seeds = append(seeds, t.cfg.Bootnodes...)
	for _, n := range seeds {
		t.handleAdd(addOp{n: n})
	}
}

// doRefresh runs the refresh lookups: one for our own ID, which fills the
// close buckets, and three for random targets, which fill the rest.
func (t *Table) doRefresh(done chan struct{}) {
	defer close(done)
	t.tr.NewSelfLookup(t.ctx).run(false)
	for i := 0; i < 3 && t.ctx.Err() == nil; i++ {
		t.tr.NewRandomLookup(t.ctx).run(false)
	}
}

// dueRevalidations marks and returns up to max entries whose check is due,
// earliest first.
func (t *Table) dueRevalidations(max int) []*tableNode {
	if max <= 0 {
		return nil
	}
	now := t.cfg.Clock.Now()
	t.mu.Lock()
	defer t.mu.Unlock()
	var due []*tableNode
	for _, b := range t.buckets {
		for _, e := range b.entries {
			if !e.checking && e.nextCheck <= now {
				due = append(due, e)
			}
		}
	}
	slices.SortFunc(due, func(a, b *tableNode) int { return cmp.Compare(a.nextCheck, b.nextCheck) })
	due = due[:min(max, len(due))]
	for _, e := range due {
		e.checking = true
	}
	return due
}

// revalidate pings e and fetches its record if the ping reports a newer one.
func (t *Table) revalidate(e *tableNode, done chan<- revalResult) {
	n := t.nodeOf(e)
	r := revalResult{e: e}
	r.seq, r.err = t.tr.Ping(t.ctx, n)
	if r.err == nil && r.seq > n.Seq() {
		if rec, err := t.tr.RequestENR(t.ctx, n); err == nil && rec.ID() == n.ID() {
			r.record = rec
		}
	}
	done <- r
}

func (t *Table) nodeOf(e *tableNode) *enode.Node {
	t.mu.Lock()
	defer t.mu.Unlock()
	return e.Node
}

// handleReval applies a revalidation outcome: responders are bumped and
// rescheduled slowly; a silent new entry is replaced, a silent proven entry
// loses two thirds of its credit and is checked again soon.
func (t *Table) handleReval(r revalResult) {
	now := t.cfg.Clock.Now()
	t.mu.Lock()
	e := r.e
	e.checking = false
	b := t.bucketOf(e.ID())
	cur, i := b.find(e.ID())
	if cur != e {
		t.mu.Unlock()
		return // removed meanwhile
	}
	if r.err != nil {
		if e.livenessChecks == 0 {
			t.cfg.Logger.Debug("Removing unresponsive node", "id", e.ID(), "err", r.err)
			t.removeEntry(b, e)
		} else {
			e.livenessChecks /= 3
			e.nextCheck = now.Add(t.randDuration(0, t.cfg.NewNodeCheck))
		}
		t.mu.Unlock()
		return
	}
	e.livenessChecks++
	e.lastContact, e.contacted = now, true
	e.nextCheck = now.Add(t.randDuration(t.cfg.ProvenNodeCheck/2, t.cfg.ProvenNodeCheck))
	if r.record != nil {
		t.updateRecord(b, e, r.record)
	}
	b.bump(i)
	n := e.Node
	t.mu.Unlock()
	if t.cfg.DB != nil {
		if err := t.cfg.DB.UpdateNode(n); err != nil {
			t.cfg.Logger.Debug("Could not store node", "id", n.ID(), "err", err)
		}
	}
}
