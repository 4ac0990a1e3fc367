package main

import (
	"context"
	"errors"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// fakeEngine is a discovery engine in memory: lookups return the same
// nodes every time, and a node answers an ENR request with its entry in
// answers (a missing entry does not answer). With block set, lookups and
// requests wait until Close, like requests to silent nodes.
type fakeEngine struct {
	lookup  []*enode.Node
	answers map[enode.ID]*enode.Node
	block   bool

	closeOnce sync.Once
	closed    chan struct{}
}

var errFakeTimeout = errors.New("timeout")

func newFakeEngine(lookup []*enode.Node, answers map[enode.ID]*enode.Node) *fakeEngine {
	return &fakeEngine{lookup: lookup, answers: answers, closed: make(chan struct{})}
}

func (e *fakeEngine) LookupRandom() []*enode.Node {
	if e.block {
		<-e.closed
		return nil
	}
	return e.lookup
}

func (e *fakeEngine) RequestENR(n *enode.Node) (*enode.Node, error) {
	if e.block {
		<-e.closed
		return nil, errors.New("closed")
	}
	if rec := e.answers[n.ID()]; rec != nil {
		return rec, nil
	}
	return nil, errFakeTimeout
}

func (e *fakeEngine) TableNodes() []*enode.Node { return nil }

func (e *fakeEngine) Close() { e.closeOnce.Do(func() { close(e.closed) }) }

// TestCrawlScore checks go-ethereum's scoring rules: a node enters the set
// with its first answer, each answer adds 1 and moves lastResponse, each
// failed check halves the score and moves only lastCheck, and a node whose
// score reaches 0 leaves the set.
func TestCrawlScore(t *testing.T) {
	var (
		answersNew = testRecord(t, "10.0.0.1", 1)
		silentNew  = testRecord(t, "10.0.0.2", 1)
		failsHigh  = testRecord(t, "10.0.0.3", 1)
		failsLow   = testRecord(t, "10.0.0.4", 1)
		updateKey  = mustKey(t)
		updates    = signedTestRecord(t, updateKey, "10.0.0.5", 3)
		noChance   = testRecord(t, "10.0.0.6", 1) // score 0, from go-ethereum
		long       = time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	)
	// This node answers with a newer record of itself.
	newer := signedTestRecord(t, updateKey, "10.0.0.55", 7)
	set := nodeSet{
		failsHigh.ID(): {Seq: 1, Record: nodeRecord{failsHigh}, Score: 5, FirstResponse: long, LastResponse: long, LastCheck: long},
		failsLow.ID():  {Seq: 1, Record: nodeRecord{failsLow}, Score: 1, FirstResponse: long, LastResponse: long, LastCheck: long},
		updates.ID():   {Seq: 3, Record: nodeRecord{updates}, Score: 3, FirstResponse: long, LastResponse: long, LastCheck: long},
		noChance.ID():  {Seq: 1, Record: nodeRecord{noChance}},
	}
	engine := newFakeEngine([]*enode.Node{answersNew, silentNew}, map[enode.ID]*enode.Node{
		answersNew.ID(): answersNew,
		updates.ID():    newer,
	})
	c := newCrawler(engine, set)
	before := time.Now().UTC().Truncate(time.Second)
	c.run(context.Background(), []*enode.Node{failsHigh, failsLow, updates, noChance})
	after := time.Now().UTC()

	if len(c.set) != 4 {
		t.Errorf("set has %d nodes, want 4 (answersNew, failsHigh, updates, noChance)", len(c.set))
	}
	if c.set[silentNew.ID()] != nil || c.set[failsLow.ID()] != nil {
		t.Error("a node that never answered or fell to score 0 is in the set")
	}
	if c.removed != 1 || c.answered != 2 {
		t.Errorf("removed %d, answered %d; want 1, 2", c.removed, c.answered)
	}
	recent := func(tm time.Time) bool {
		return !tm.Before(before) && !tm.After(after) && tm.Location() == time.UTC && tm.Nanosecond() == 0
	}
	if e := c.set[answersNew.ID()]; e == nil || e.Score != 1 || e.Seq != 1 || e.Record.Node != answersNew ||
		!recent(e.FirstResponse) || e.LastResponse != e.FirstResponse || e.LastCheck != e.FirstResponse {
		t.Errorf("new node: %+v", e)
	}
	if e := c.set[failsHigh.ID()]; e == nil || e.Score != 2 || e.FirstResponse != long || e.LastResponse != long || !recent(e.LastCheck) {
		t.Errorf("failing node with score 5: %+v", e)
	}
	if e := c.set[updates.ID()]; e == nil || e.Score != 4 || e.Seq != 7 || e.Record.Node != newer ||
		e.FirstResponse != long || !recent(e.LastResponse) || e.LastCheck != e.LastResponse {
		t.Errorf("updated node: %+v", e)
	}
	if e := c.set[noChance.ID()]; e == nil || e.Score != 0 || !e.LastCheck.IsZero() {
		t.Errorf("node with score 0 that failed again: %+v (want it kept unchanged, as go-ethereum does)", e)
	}
}

// TestCrawlStopsAtDeadline checks that a crawl whose requests hang ends when
// its context does, and that the requests failed by closing the engine do
// not count against the nodes.
func TestCrawlStopsAtDeadline(t *testing.T) {
	n := testRecord(t, "10.0.0.1", 1)
	long := time.Date(2025, 1, 2, 3, 4, 5, 0, time.UTC)
	set := nodeSet{n.ID(): {Seq: 1, Record: nodeRecord{n}, Score: 4, FirstResponse: long, LastResponse: long, LastCheck: long}}
	engine := newFakeEngine(nil, nil)
	engine.block = true
	c := newCrawler(engine, set)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		c.run(ctx, []*enode.Node{n})
		close(done)
	}()
	cancel()
	<-done
	select {
	case <-engine.closed:
	default:
		t.Error("engine not closed")
	}
	if e := c.set[n.ID()]; e.Score != 4 || e.LastCheck != long {
		t.Errorf("entry changed by the stop: %+v", e)
	}
}
