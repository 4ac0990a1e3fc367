package discover

import (
	"context"
	"crypto/rand"
	"fmt"
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

func randomID() enode.ID {
	var id enode.ID
	rand.Read(id[:])
	return id
}

func TestLookupConverges(t *testing.T) {
	for _, ndead := range []int{0, 20} {
		t.Run(fmt.Sprintf("dead=%d", ndead), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) { testLookupConverges(t, ndead) })
		})
	}
}

// testLookupConverges runs lookups in a network of 200 Kademlia nodes of
// which ndead are silent. Without silent nodes a lookup finds the true 16
// closest nodes; with them, it finds the 16 closest of those that answered
// (silent ones can hide a live node from every answer), asks each node
// once, and never returns a silent node.
func testLookupConverges(t *testing.T, ndead int) {
	tab, tr := newTestTable(t, Config{})
	for i := range 200 {
		tr.known = append(tr.known, newNode(randomID(), ipFor(i)))
	}
	for _, n := range tr.known[:ndead] {
		tr.dead[n.ID()] = true
	}
	for _, n := range tr.known[ndead : ndead+10] {
		tab.handleAdd(addOp{n: n})
	}
	tab.Start()
	defer tab.Close()
	time.Sleep(time.Minute) // let the start refresh finish
	synctest.Wait()

	for range 5 {
		target := randomID()
		var (
			mu    sync.Mutex
			asked = map[enode.ID]int{}
			q     = tr.queryFor(target)
		)
		got := tab.NewLookup(context.Background(), target, func(ctx context.Context, n *enode.Node) ([]*enode.Node, error) {
			mu.Lock()
			asked[n.ID()]++
			mu.Unlock()
			return q(ctx, n)
		}).Run()
		for id, c := range asked {
			if c > 1 {
				t.Errorf("lookup asked %v %d times", id, c)
			}
		}

		var answered []enode.ID
		tr.mu.Lock()
		for id := range asked {
			if !tr.dead[id] {
				answered = append(answered, id)
			}
		}
		if ndead == 0 {
			answered = answered[:0]
			for _, n := range tr.known {
				answered = append(answered, n.ID())
			}
		}
		tr.mu.Unlock()
		slices.SortFunc(answered, func(a, b enode.ID) int { return enode.DistCmp(target, a, b) })
		// Silent nodes can hide so much that fewer than k nodes answered
		// (every live node near the target returned the same few records).
		want := answered[:min(BucketSize, len(answered))]
		gotIDs := make([]enode.ID, len(got))
		for i, n := range got {
			gotIDs[i] = n.ID()
		}
		if !slices.Equal(gotIDs, want) {
			for i := range max(len(gotIDs), len(want)) {
				var g, w enode.ID
				if i < len(gotIDs) {
					g = gotIDs[i]
				}
				if i < len(want) {
					w = want[i]
				}
				t.Logf("%2d got %x want %x", i, g[:4], w[:4])
			}
			t.Fatalf("lookup result is not the %d closest nodes", BucketSize)
		}
	}
}

func TestLookupWaitsForRefreshOnEmptyTable(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		boot := newNode(randomID(), ipFor(1))
		tab, tr := newTestTable(t, Config{TableConfig: TableConfig{Bootnodes: []*enode.Node{boot}}})
		tr.known = []*enode.Node{boot}
		tab.Start()
		defer tab.Close()
		synctest.Wait()
		// Empty the table by hand; a lookup must refill it first.
		tab.mu.Lock()
		for _, b := range tab.buckets {
			for len(b.entries) > 0 {
				tab.removeEntry(b, b.entries[0])
			}
		}
		tab.mu.Unlock()
		target := randomID()
		got := tab.NewLookup(context.Background(), target, tr.queryFor(target)).Run()
		if len(got) != 1 || got[0].ID() != boot.ID() {
			t.Fatalf("lookup on empty table found %v", got)
		}
	})
}

func TestLookupCancel(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		for i := range 50 {
			n := newNode(randomID(), ipFor(i))
			tr.known = append(tr.known, n)
			tr.dead[n.ID()] = true
			tab.handleAdd(addOp{n: n})
		}
		tab.Start()
		defer tab.Close()
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		if got := tab.NewLookup(ctx, randomID(), tr.query).Run(); len(got) != 0 {
			t.Fatalf("cancelled lookup returned %d nodes", len(got))
		}
	})
}

func TestIterators(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		for i := range 40 {
			n := newNode(randomID(), ipFor(i))
			tr.known = append(tr.known, n)
			tab.handleAdd(addOp{n: n})
		}
		tab.Start()
		defer tab.Close()

		it := tab.RandomNodes()
		seen := map[enode.ID]bool{}
		for range tab.Len() {
			if !it.Next() {
				t.Fatal("RandomNodes ended")
			}
			seen[it.Node().ID()] = true
		}
		if len(seen) != tab.Len() {
			t.Fatalf("one round yielded %d distinct of %d nodes", len(seen), tab.Len())
		}
		it.Close()
		if it.Next() {
			t.Fatal("Next after Close")
		}

		lit := tab.NewLookupIterator(func(ctx context.Context) *Lookup {
			target := randomID()
			return tab.NewLookup(ctx, target, tr.queryFor(target))
		})
		if got := enode.ReadNodes(lit, 400); len(got) != 40 {
			t.Fatalf("lookup iterator yielded %d distinct nodes, want 40", len(got))
		}
		// Close unblocks a Next waiting on an empty network.
		done := make(chan bool)
		lit2 := tab.NewLookupIterator(func(ctx context.Context) *Lookup {
			return tab.NewLookup(ctx, randomID(), func(context.Context, *enode.Node) ([]*enode.Node, error) {
				return nil, errFakeTimeout
			})
		})
		go func() { done <- lit2.Next() }()
		synctest.Wait()
		lit2.Close()
		if <-done {
			t.Fatal("Next returned true after Close")
		}
		lit.Close()
	})
}

// TestLookupIteratorSpacing: an iterator whose nodes are all thrown away
// starts at most one lookup per minLookupInterval, however fast it is
// drained (a dialer whose peers fill a small network drains it so).
func TestLookupIteratorSpacing(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{})
		for i := range 8 {
			n := newNode(randomID(), ipFor(i))
			tr.known = append(tr.known, n)
			tab.handleAdd(addOp{n: n})
		}
		tab.Start()
		defer tab.Close()

		var lookups int
		it := tab.NewLookupIterator(func(ctx context.Context) *Lookup {
			lookups++
			target := randomID()
			return tab.NewLookup(ctx, target, tr.queryFor(target))
		})
		defer it.Close()
		const run = 10 * time.Second
		start := time.Now()
		for i := 0; time.Since(start) < run && i < 10_000; i++ { // bounded: lookups here take no time
			if !it.Next() {
				t.Fatal("iterator ended")
			}
		}
		if max := int(run/minLookupInterval) + 1; lookups > max || lookups < 2 {
			t.Fatalf("%d lookups in %v, want 2..%d", lookups, run, max)
		}
	})
}
