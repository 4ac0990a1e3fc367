package dnsdisc

import (
	"fmt"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// readUntil reads from it until every node of want was seen, failing after
// limit reads or on a node not in allowed.
func readUntil(t *testing.T, it enode.Iterator, want []*enode.Node, allowed map[enode.ID]bool, limit int) {
	t.Helper()
	missing := nodeIDs(want)
	for i := 0; len(missing) > 0; i++ {
		if i == limit {
			t.Fatalf("%d of %d nodes still missing after %d reads", len(missing), len(want), limit)
		}
		if !it.Next() {
			t.Fatal("iterator ended")
		}
		id := it.Node().ID()
		if !allowed[id] {
			t.Fatalf("unexpected node %v", id)
		}
		delete(missing, id)
	}
}

func TestIteratorLinkedTrees(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := testNodes(t, 40)
		keyB := newKey(t)
		_, urlB, txtB := signedTree(t, keyB, "b.example.org", 1, nodes[20:], nil)
		_, urlA, txtA := signedTree(t, testKey(t), "a.example.org", 1, nodes[:20], []string{urlB})
		c := newTestClient(t, Config{Resolver: newMapResolver(txtA, txtB), Logger: testLogger(t)})
		it, err := c.NewIterator(urlA)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		readUntil(t, it, nodes, nodeIDs(nodes), 2000)
	})
}

// Trees linking to each other (and to themselves) are followed once each.
func TestIteratorLinkCycle(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := testNodes(t, 10)
		keyA, keyB := testKey(t), newKey(t)
		urlA := FormatURL(&keyA.PublicKey, "a")
		urlB := FormatURL(&keyB.PublicKey, "b")
		_, _, txtA := signedTree(t, keyA, "a", 1, nodes[:5], []string{urlA, urlB})
		_, _, txtB := signedTree(t, keyB, "b", 1, nodes[5:], []string{urlA})
		c := newTestClient(t, Config{Resolver: newMapResolver(txtA, txtB), Logger: testLogger(t)})
		it, err := c.NewIterator(urlA)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		readUntil(t, it, nodes, nodeIDs(nodes), 1000)
		if n := len(it.(*randomIterator).trees); n != 2 {
			t.Fatalf("following %d trees, want 2", n)
		}
	})
}

func TestIteratorMaxTrees(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := testNodes(t, 6)
		r := newMapResolver()
		var links []string
		for i := range 5 {
			k := newKey(t)
			_, url, txt := signedTree(t, k, fmt.Sprintf("l%d", i), 1, nodes[i:i+1], nil)
			r.add(txt)
			links = append(links, url)
		}
		_, url, txt := signedTree(t, testKey(t), "root", 1, nodes[5:], links)
		r.add(txt)
		c := newTestClient(t, Config{Resolver: r, MaxTrees: 3, Logger: testLogger(t)})
		it, err := c.NewIterator(url)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		for range 200 {
			if !it.Next() {
				t.Fatal("iterator ended")
			}
		}
		if n := len(it.(*randomIterator).trees); n != 3 {
			t.Fatalf("following %d trees, want MaxTrees=3", n)
		}
	})
}

// When the root's seq goes up, the new tree is walked after the recheck
// interval and the old nodes stop coming.
func TestIteratorResync(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := testNodes(t, 20)
		key := testKey(t)
		_, url, txt1 := signedTree(t, key, "n", 1, nodes[:10], nil)
		_, _, txt2 := signedTree(t, key, "n", 2, nodes[10:], nil)
		r := newMapResolver(txt1)
		cfg := Config{Resolver: r, RecheckInterval: time.Minute, Logger: testLogger(t)}
		it, err := newTestClient(t, cfg).NewIterator(url)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		readUntil(t, it, nodes[:10], nodeIDs(nodes[:10]), 500)

		r.add(txt2)
		time.Sleep(time.Minute)
		readUntil(t, it, nodes[10:], nodeIDs(nodes), 500)
		for range 50 {
			if !it.Next() {
				t.Fatal("iterator ended")
			}
			if !nodeIDs(nodes[10:])[it.Node().ID()] {
				t.Fatalf("old node %v after the update", it.Node().ID())
			}
		}
	})
}

// A replayed older root is ignored: the iterator keeps the newer tree.
func TestIteratorSeqBackwards(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := testNodes(t, 20)
		key := testKey(t)
		_, url, txt2 := signedTree(t, key, "n", 2, nodes[:10], nil)
		_, _, txt1 := signedTree(t, key, "n", 1, nodes[10:], nil)
		r := newMapResolver(txt2)
		cfg := Config{Resolver: r, RecheckInterval: time.Minute, Logger: testLogger(t)}
		it, err := newTestClient(t, cfg).NewIterator(url)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		start := time.Now()
		readUntil(t, it, nodes[:10], nodeIDs(nodes[:10]), 500)
		r.add(txt1)
		for i := 0; i < 1000; i++ {
			if !it.Next() {
				t.Fatal("iterator ended")
			}
			if !nodeIDs(nodes[:10])[it.Node().ID()] {
				t.Fatalf("node %v of the older root", it.Node().ID())
			}
		}
		if time.Since(start) < 3*time.Minute {
			t.Fatal("the root recheck was never due")
		}
	})
}

// An empty tree makes Next wait on the clock, re-reading only the root at
// the recheck interval, until Close.
func TestIteratorEmptyTreeWaits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, url, txt := signedTree(t, testKey(t), "n", 1, nil, nil)
		r := newMapResolver(txt)
		cfg := Config{Resolver: r, RecheckInterval: 10 * time.Minute, Logger: testLogger(t)}
		it, err := newTestClient(t, cfg).NewIterator(url)
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan bool)
		go func() { done <- it.Next() }()
		time.Sleep(time.Hour + time.Second)
		// The root and the empty branch (both subtrees have the same hash, the
		// second comes from the cache), then the root every 10 minutes.
		if q := r.count(); q != 2+6 {
			t.Fatalf("%d queries in an hour, want 8", q)
		}
		it.Close()
		if <-done {
			t.Fatal("Next returned true after Close")
		}
	})
}

// With DNS failing, Next backs off instead of spinning, and Close ends it.
func TestIteratorResolverFails(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		r := newMapResolver()
		cfg := Config{Resolver: r, RecheckInterval: 10 * time.Minute, Logger: testLogger(t)}
		it, err := newTestClient(t, cfg).NewIterator(FormatURL(&testKey(t).PublicKey, "n"))
		if err != nil {
			t.Fatal(err)
		}
		done := make(chan bool)
		go func() { done <- it.Next() }()
		time.Sleep(time.Hour)
		// Backoff 10s, 20s, 40s, ... capped at 10 minutes: queries at 0s,
		// 10s, 30s, 70s, 150s, 310s, 630s, then every 600s up to 3030s.
		if q := r.count(); q != 11 {
			t.Fatalf("%d queries in an hour, want 11", q)
		}
		it.Close()
		if <-done {
			t.Fatal("Next returned true after Close")
		}
	})
}

// Close ends a Next that waits for a resolver that never answers.
func TestIteratorCloseDuringQuery(t *testing.T) {
	started := make(chan string)
	c := newTestClient(t, Config{Resolver: blockingResolver{started: started}, Logger: testLogger(t)})
	it, err := c.NewIterator(FormatURL(&testKey(t).PublicKey, "n"))
	if err != nil {
		t.Fatal(err)
	}
	done := make(chan bool)
	go func() { done <- it.Next() }()
	<-started
	it.Close()
	if <-done {
		t.Fatal("Next returned true after Close")
	}
	if it.Next() {
		t.Fatal("Next after Close")
	}
}

// A bad leaf is skipped; the rest of the tree still comes.
func TestIteratorSkipsBadEntries(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := testNodes(t, 10)
		_, url, txt := signedTree(t, testKey(t), "n", 1, nodes, nil)
		r := newMapResolver(txt)
		bad := entryHash((&enrEntry{node: nodes[0]}).String()) + ".n"
		r.set(bad, "enr:garbage")
		it, err := newTestClient(t, Config{Resolver: r, Logger: testLogger(t)}).NewIterator(url)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		readUntil(t, it, nodes[1:], nodeIDs(nodes[1:]), 500)
	})
}

// A link subtree of many entries neither delays the nodes nor grows the
// sync state faster than the queries made.
func TestIteratorHugeLinkSubtree(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nodes := testNodes(t, 5)
		k := &newKey(t).PublicKey
		links := make([]string, 3000)
		for i := range links {
			links[i] = FormatURL(k, fmt.Sprintf("l%d.example.org", i))
		}
		_, url, txt := signedTree(t, testKey(t), "n", 1, nodes, links)
		r := newMapResolver(txt)
		it, err := newTestClient(t, Config{Resolver: r, Logger: testLogger(t)}).NewIterator(url)
		if err != nil {
			t.Fatal(err)
		}
		defer it.Close()
		readUntil(t, it, nodes, nodeIDs(nodes), 100)
		q := r.count()
		if q > 200 {
			t.Fatalf("%d queries before all 5 nodes", q)
		}
		for _, tree := range it.(*randomIterator).trees {
			if s := tree.links; len(s.seen) > 1+maxBranchChildren*q {
				t.Fatalf("link sync holds %d hashes after %d queries", len(s.seen), q)
			}
		}
	})
}

func TestNewIteratorBadURL(t *testing.T) {
	c := newTestClient(t, Config{Resolver: newMapResolver()})
	for _, url := range []string{"enode://x", "enrtree://nodes.example.org", "enrtree://AAAA@n"} {
		if _, err := c.NewIterator(url); err == nil {
			t.Errorf("%q accepted", url)
		}
	}
}
