package enode

import (
	"encoding/binary"
	"runtime"
	"strings"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enr"
)

// testNode makes a "null" scheme node with an ID derived from id and the
// given seq.
func testNode(id, seq uint64) *Node {
	var nodeID ID
	binary.BigEndian.PutUint64(nodeID[:], id)
	var r enr.Record
	r.SetSeq(seq)
	return SignNull(&r, nodeID)
}

func testNodes(n int) []*Node {
	nodes := make([]*Node, n)
	for i := range nodes {
		nodes[i] = testNode(uint64(i), 1)
	}
	return nodes
}

func TestReadNodes(t *testing.T) {
	nodes := []*Node{testNode(1, 1), testNode(2, 1), testNode(1, 5), testNode(3, 1), testNode(1, 2)}
	got := ReadNodes(IterNodes(nodes), 10)
	if len(got) != 3 {
		t.Fatalf("%d nodes", len(got))
	}
	if got[0].Seq() != 5 {
		t.Fatal("duplicate did not keep the highest seq")
	}
	// Calls Next at most n times, even on a cycle.
	got = ReadNodes(CycleNodes(testNodes(2)), 10)
	if len(got) != 2 {
		t.Fatalf("cycle: %d nodes", len(got))
	}
	if len(ReadNodes(IterNodes(nil), 5)) != 0 {
		t.Fatal("empty")
	}
}

func TestIterNodesCycleNodes(t *testing.T) {
	nodes := testNodes(3)
	it := IterNodes(nodes)
	for i := range 3 {
		if !it.Next() || it.Node() != nodes[i] {
			t.Fatalf("node %d", i)
		}
	}
	if it.Next() || it.Next() {
		t.Fatal("IterNodes did not end")
	}
	c := CycleNodes(nodes)
	for i := range 10 {
		if !c.Next() || c.Node() != nodes[i%3] {
			t.Fatalf("cycle node %d", i)
		}
	}
	c.Close()
	if c.Next() || c.Node() != nil {
		t.Fatal("closed cycle continues")
	}
	if CycleNodes(nil).Next() {
		t.Fatal("empty cycle")
	}
}

func TestFilter(t *testing.T) {
	it := Filter(IterNodes(testNodes(10)), func(n *Node) bool { return n.ID()[7]%2 == 0 })
	got := ReadNodes(it, 100)
	if len(got) != 5 {
		t.Fatalf("%d nodes", len(got))
	}
	it.Close()
	if it.Next() {
		t.Fatal("closed filter continues")
	}
}

// chanIter is an iterator fed through a channel, for FairMix tests: Next
// blocks until a node arrives, the channel is closed, or Close.
type chanIter struct {
	ch        chan *Node
	cur       *Node
	closed    chan struct{}
	closeOnce sync.Once
}

func newChanIter() *chanIter {
	return &chanIter{ch: make(chan *Node), closed: make(chan struct{})}
}

func (it *chanIter) Next() bool {
	select {
	case n, ok := <-it.ch:
		it.cur = n
		return ok
	case <-it.closed:
		return false
	}
}

func (it *chanIter) Node() *Node { return it.cur }
func (it *chanIter) Close()      { it.closeOnce.Do(func() { close(it.closed) }) }

const mixTimeout = 50 * time.Millisecond

func TestFairMixFairness(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mix := NewFairMix(mixTimeout)
		// Three always-ready sources of different sizes.
		srcA, srcB, srcC := testNodes(1000), testNodes(1000), testNodes(1000)
		for i := range srcB {
			srcB[i] = testNode(uint64(10000+i), 1)
			srcC[i] = testNode(uint64(20000+i), 1)
		}
		mix.AddSource(CycleNodes(srcA))
		mix.AddSource(CycleNodes(srcB))
		mix.AddSource(CycleNodes(srcC))
		counts := map[uint64]int{}
		for range 300 {
			if !mix.Next() {
				t.Fatal("mix ended")
			}
			id := mix.Node().ID()
			counts[binary.BigEndian.Uint64(id[:8])/10000]++
		}
		mix.Close()
		for src, c := range counts {
			// Round robin over ready sources, plus a little slack for the
			// fromAny fallback.
			if c < 90 || c > 110 {
				t.Errorf("source %d: %d of 300 nodes (%v)", src, c, counts)
			}
		}
	})
}

func TestFairMixSlowSource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mix := NewFairMix(mixTimeout)
		slow := newChanIter()
		mix.AddSource(slow)
		mix.AddSource(CycleNodes(testNodes(5)))
		// The slow source never delivers: every Next still returns, by
		// waiting at most the (halving) timeout and falling back.
		start := time.Now()
		for range 20 {
			if !mix.Next() || mix.Node() == nil {
				t.Fatal("mix stalled on a slow source")
			}
		}
		// Waits are bounded: the slow source's timeout halves each round.
		if el := time.Since(start); el > 2*mixTimeout {
			t.Fatalf("waited %v for 20 nodes", el)
		}
		// When the slow source finally delivers on its turn, it is used.
		node := testNode(99, 1)
		go func() { slow.ch <- node }()
		synctest.Wait()
		found := false
		for range 10 {
			mix.Next()
			if mix.Node() == node {
				found = true
				break
			}
		}
		if !found {
			t.Fatal("node from slow source never returned")
		}
		mix.Close()
	})
}

func TestFairMixExhaustedAndEmpty(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mix := NewFairMix(mixTimeout)
		mix.AddSource(IterNodes(testNodes(3)))
		mix.AddSource(IterNodes(nil))
		for i := range 3 {
			if !mix.Next() {
				t.Fatalf("Next %d", i)
			}
		}
		// All sources exhausted: Next blocks until Close.
		done := make(chan bool)
		go func() { done <- mix.Next() }()
		synctest.Wait()
		select {
		case <-done:
			t.Fatal("Next returned with no sources")
		default:
		}
		// A source added later unblocks it.
		mix.AddSource(IterNodes(testNodes(1)))
		if !<-done {
			t.Fatal("Next did not take the new source")
		}
		go func() { done <- mix.Next() }()
		synctest.Wait()
		mix.Close()
		if <-done {
			t.Fatal("Next returned true after Close")
		}
		if mix.Next() {
			t.Fatal("Next after Close")
		}
		mix.Close() // idempotent
	})
}

func TestFairMixCloseEndsSources(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mix := NewFairMix(-1) // wait for each source's turn forever
		srcs := []*chanIter{newChanIter(), newChanIter(), newChanIter()}
		for _, s := range srcs {
			mix.AddSource(s)
		}
		done := make(chan bool)
		go func() { done <- mix.Next() }()
		synctest.Wait()
		if n := sourceReaders(); n != len(srcs) {
			t.Fatalf("%d source goroutines before Close, want %d", n, len(srcs))
		}
		mix.Close()
		// Close returns only once the source goroutines are gone.
		if n := sourceReaders(); n != 0 {
			t.Errorf("%d source goroutines left after Close", n)
		}
		if <-done {
			t.Fatal("Next returned true after Close")
		}
		synctest.Wait() // let the Next goroutine finish exiting
		for i, s := range srcs {
			select {
			case <-s.closed:
			default:
				t.Errorf("source %d not closed", i)
			}
		}
		late := newChanIter()
		mix.AddSource(late)
		select {
		case <-late.closed:
		default:
			t.Error("source added after Close not closed")
		}
	})
}

func BenchmarkFairMix(b *testing.B) {
	mix := NewFairMix(mixTimeout)
	for range 3 {
		mix.AddSource(CycleNodes(testNodes(100)))
	}
	defer mix.Close()
	b.ReportAllocs()
	for b.Loop() {
		mix.Next()
	}
}

// TestFairMixNodeSource: each node comes with the label of the source that
// gave it, on its own turn and through the fallback that takes a node from
// any source while the one whose turn it is stays silent.
func TestFairMixNodeSource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		mix := NewFairMix(mixTimeout)
		defer mix.Close()
		a, b := testNodes(3), make([]*Node, 3)
		for i := range b {
			b[i] = testNode(uint64(100+i), 1)
		}
		silent := newChanIter()
		mix.AddNamedSource("a", CycleNodes(a))
		mix.AddNamedSource("silent", silent)
		mix.AddNamedSource("b", CycleNodes(b))
		mix.AddSource(IterNodes([]*Node{testNode(200, 1)}))
		want := map[ID]string{testNode(200, 1).ID(): ""}
		for _, n := range a {
			want[n.ID()] = "a"
		}
		for _, n := range b {
			want[n.ID()] = "b"
		}
		seen := map[string]int{}
		for range 30 {
			if !mix.Next() {
				t.Fatal("mix ended")
			}
			src, ok := want[mix.Node().ID()]
			if !ok || mix.NodeSource() != src {
				t.Fatalf("node %v reported from %q, want %q", mix.Node().ID(), mix.NodeSource(), src)
			}
			seen[src]++
		}
		if seen["a"] == 0 || seen["b"] == 0 || seen[""] != 1 {
			t.Errorf("nodes per source: %v", seen)
		}
	})
}

// sourceReaders counts the goroutines reading FairMix sources. It looks at
// their stacks rather than at runtime.NumGoroutine, which also counts
// goroutines of the test runner that come and go.
func sourceReaders() int {
	buf := make([]byte, 1<<20)
	return strings.Count(string(buf[:runtime.Stack(buf, true)]), "enode.(*FairMix).runSource(")
}
