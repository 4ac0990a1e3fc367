package main

import (
	"context"
	"errors"
	"io"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// fakeEngine is a discovery engine in memory: lookups return the same
// nodes every time, after lookupTime, and a node answers an ENR request
// with its entry in answers (a missing entry does not answer) at once. With
// block set, lookups and requests wait until Close, like requests to silent
// nodes.
type fakeEngine struct {
	lookup     []*enode.Node
	lookupTime time.Duration
	answers    map[enode.ID]*enode.Node
	block      bool

	mu sync.Mutex
	// silentFor makes a node fail that many requests before it answers.
	silentFor map[enode.ID]int
	requests  map[enode.ID]int

	closeOnce sync.Once
	closed    chan struct{}
}

var errFakeTimeout = errors.New("timeout")

func newFakeEngine(lookup []*enode.Node, answers map[enode.ID]*enode.Node) *fakeEngine {
	return &fakeEngine{
		lookup:    lookup,
		answers:   answers,
		silentFor: make(map[enode.ID]int),
		requests:  make(map[enode.ID]int),
		closed:    make(chan struct{}),
	}
}

func (e *fakeEngine) LookupRandom(context.Context) []*enode.Node {
	if e.block {
		<-e.closed
		return nil
	}
	time.Sleep(e.lookupTime)
	return e.lookup
}

func (e *fakeEngine) RequestENR(_ context.Context, n *enode.Node) (*enode.Node, error) {
	if e.block {
		<-e.closed
		return nil, errors.New("closed")
	}
	e.mu.Lock()
	defer e.mu.Unlock()
	e.requests[n.ID()]++
	if rec := e.answers[n.ID()]; rec != nil && e.requests[n.ID()] > e.silentFor[n.ID()] {
		return rec, nil
	}
	return nil, errFakeTimeout
}

func (e *fakeEngine) TableNodes() []*enode.Node { return nil }

func (e *fakeEngine) Close() { e.closeOnce.Do(func() { close(e.closed) }) }

// TestCrawlScore checks go-ethereum's scoring rules: a node enters the set
// with its first answer, each answer adds 1 and moves lastResponse, each
// failed check halves the score and moves only lastCheck, and a node whose
// score reaches 0 leaves the set. It runs in a synctest bubble, where a
// lookup takes a second and a check no time, so that every lookup finds the
// checks of the nodes it returned done.
func TestCrawlScore(t *testing.T) {
	synctest.Test(t, testCrawlScore)
}

func testCrawlScore(t *testing.T) {
	var (
		answersNew = testRecord(t, "10.0.0.1", 1)
		silentNew  = testRecord(t, "10.0.0.2", 1)
		failsHigh  = testRecord(t, "10.0.0.3", 1)
		failsLow   = testRecord(t, "10.0.0.4", 1)
		updateKey  = mustKey(t)
		updates    = signedTestRecord(t, updateKey, "10.0.0.5", 3)
		noChance   = testRecord(t, "10.0.0.6", 1) // score 0, from go-ethereum
		late       = testRecord(t, "10.0.0.7", 1) // silent during its first check
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
	engine := newFakeEngine([]*enode.Node{answersNew, silentNew, late}, map[enode.ID]*enode.Node{
		answersNew.ID(): answersNew,
		updates.ID():    newer,
		late.ID():       late,
	})
	engine.silentFor[late.ID()] = crawlCheckTries
	engine.lookupTime = time.Second
	c := newCrawler(engine, set, io.Discard)
	before := time.Now().UTC().Truncate(time.Second)
	c.run(context.Background(), []*enode.Node{failsHigh, failsLow, updates, noChance})
	after := time.Now().UTC()

	if len(c.set) != 5 {
		t.Errorf("set has %d nodes, want 5 (answersNew, failsHigh, updates, noChance, late)", len(c.set))
	}
	if c.set[silentNew.ID()] != nil || c.set[failsLow.ID()] != nil {
		t.Error("a node that never answered or fell to score 0 is in the set")
	}
	if c.removed != 1 || c.answered != 3 {
		t.Errorf("removed %d, answered %d; want 1, 3", c.removed, c.answered)
	}
	// A new node that does not answer is checked again when lookups find
	// it again, a few times; a node of the set that failed is not.
	for _, tc := range []struct {
		name string
		n    *enode.Node
		want int
	}{
		{"silent new node", silentNew, crawlChecksPerNode * crawlCheckTries},
		{"node silent in its first check", late, crawlCheckTries + 1},
		{"failing node of the set", failsHigh, crawlCheckTries},
		{"answering node", answersNew, 1},
	} {
		if got := engine.requests[tc.n.ID()]; got != tc.want {
			t.Errorf("%s: %d requests, want %d", tc.name, got, tc.want)
		}
	}
	if e := c.set[late.ID()]; e == nil || e.Score != 1 {
		t.Errorf("node that answered its second check: %+v", e)
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
	c := newCrawler(engine, set, io.Discard)
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
