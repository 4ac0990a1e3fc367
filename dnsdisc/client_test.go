package dnsdisc

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
)

// signRootText makes a signed root entry over arbitrary subtree hashes, to
// build trees MakeTree would refuse to.
func signRootText(t *testing.T, eroot, lroot string, seq uint64) string {
	t.Helper()
	root := &rootEntry{eroot: eroot, lroot: lroot, seq: seq}
	sig, err := crypto.Sign(root.sigHash(), testKey(t))
	if err != nil {
		t.Fatal(err)
	}
	root.sig = sig
	return root.String()
}

func syncErr(t *testing.T, r Resolver, url string) error {
	t.Helper()
	c := newTestClient(t, fastConfig(t, r))
	_, err := c.SyncTree(context.Background(), url)
	return err
}

func TestSyncTreeBadSignature(t *testing.T) {
	_, _, txt := signedTree(t, newKey(t), "n", 1, testNodes(t, 2), nil)
	url := FormatURL(&testKey(t).PublicKey, "n")
	if err := syncErr(t, newMapResolver(txt), url); !errors.Is(err, ErrBadRootSig) {
		t.Fatalf("got %v, want %v", err, ErrBadRootSig)
	}
}

func TestSyncTreeNoRoot(t *testing.T) {
	r := newMapResolver()
	r.set("n", "v=spf1 -all")
	url := FormatURL(&testKey(t).PublicKey, "n")
	if err := syncErr(t, r, url); !errors.Is(err, ErrNoRoot) {
		t.Fatalf("got %v, want %v", err, ErrNoRoot)
	}
}

func TestSyncTreeHashMismatch(t *testing.T) {
	tree, url, txt := signedTree(t, testKey(t), "n", 1, testNodes(t, 2), nil)
	r := newMapResolver(txt)
	leaf := entryHash((&enrEntry{node: tree.Nodes()[0]}).String()) + ".n"
	r.set(leaf, txt[entryHash((&enrEntry{node: tree.Nodes()[1]}).String())+".n"])
	if err := syncErr(t, r, url); !errors.Is(err, ErrHashMismatch) || !strings.Contains(err.Error(), leaf) {
		t.Fatalf("got %v, want %v at %s", err, ErrHashMismatch, leaf)
	}
}

func TestSyncTreeOversizedRecord(t *testing.T) {
	huge := enrPrefix + strings.Repeat("A", 4000)
	branch := branchPrefix + entryHash(huge)
	r := newMapResolver()
	r.set("n", signRootText(t, entryHash(branch), entryHash(branchPrefix), 1))
	r.set(entryHash(branch)+".n", branch)
	r.set(entryHash(branchPrefix)+".n", branchPrefix)
	r.set(entryHash(huge)+".n", huge)
	url := FormatURL(&testKey(t).PublicKey, "n")
	if err := syncErr(t, r, url); !errors.Is(err, ErrTooLong) {
		t.Fatalf("got %v, want %v", err, ErrTooLong)
	}
	// A root that long is refused too.
	r.set("n", rootPrefix+" "+strings.Repeat("x", 2000))
	if err := syncErr(t, r, url); !errors.Is(err, ErrTooLong) {
		t.Fatalf("long root: got %v, want %v", err, ErrTooLong)
	}
}

// A name may carry several TXT records (other services share the domain);
// the one matching the hash, or the root, is picked.
func TestSyncTreeSeveralRecords(t *testing.T) {
	nodes := testNodes(t, 3)
	_, url, txt := signedTree(t, testKey(t), "n", 1, nodes, nil)
	r := newMapResolver()
	for name, rec := range txt {
		r.set(name, "v=spf1 -all", strings.Repeat("z", 3000), rec)
	}
	c := newTestClient(t, fastConfig(t, r))
	tree, err := c.SyncTree(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	sameNodes(t, tree.Nodes(), nodes)
}

// DNS names are case-insensitive: a URL in mixed case and branch children in
// lower case name the same entries.
func TestSyncTreeMixedCase(t *testing.T) {
	nodes := testNodes(t, 2)
	r := newMapResolver()
	var children []string
	for _, n := range nodes {
		text := (&enrEntry{node: n}).String()
		h := entryHash(text)
		r.set(h+".nodes.example.org", text)
		children = append(children, strings.ToLower(h))
	}
	branch := branchPrefix + strings.Join(children, ",")
	r.set(entryHash(branch)+".nodes.example.org", branch)
	r.set(entryHash(branchPrefix)+".nodes.example.org", branchPrefix)
	r.set("nodes.example.org", signRootText(t, entryHash(branch), entryHash(branchPrefix), 1))

	url := FormatURL(&testKey(t).PublicKey, "Nodes.Example.ORG")
	c := newTestClient(t, fastConfig(t, r))
	tree, err := c.SyncTree(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	sameNodes(t, tree.Nodes(), nodes)
}

func TestSyncTreeSeqBackwards(t *testing.T) {
	key := testKey(t)
	_, url, txt2 := signedTree(t, key, "n", 2, testNodes(t, 2), nil)
	_, _, txt1 := signedTree(t, key, "n", 1, testNodes(t, 3), nil)
	r := newMapResolver(txt2)
	c := newTestClient(t, fastConfig(t, r))
	if _, err := c.SyncTree(context.Background(), url); err != nil {
		t.Fatal(err)
	}
	r.add(txt1)
	if _, err := c.SyncTree(context.Background(), url); !errors.Is(err, ErrSeqBackwards) {
		t.Fatalf("got %v, want %v", err, ErrSeqBackwards)
	}
	r.add(txt2)
	if _, err := c.SyncTree(context.Background(), url); err != nil {
		t.Fatalf("same seq again: %v", err)
	}
}

func TestSyncTreeLinkCycle(t *testing.T) {
	self := FormatURL(&testKey(t).PublicKey, "n")
	_, url, txt := signedTree(t, testKey(t), "n", 1, nil, []string{self})
	if err := syncErr(t, newMapResolver(txt), url); !errors.Is(err, ErrLinkCycle) {
		t.Fatalf("got %v, want %v", err, ErrLinkCycle)
	}
}

// A link in the enr subtree (or a node in the link subtree) is refused.
func TestSyncTreeWrongSubtree(t *testing.T) {
	link := FormatURL(&newKey(t).PublicKey, "other")
	node := (&enrEntry{node: testNodes(t, 1)[0]}).String()
	for _, tc := range []struct{ name, eleaf, lleaf string }{
		{"link in enr subtree", link, ""},
		{"node in link subtree", "", node},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r := newMapResolver()
			sub := func(leaf string) string {
				b := branchPrefix
				if leaf != "" {
					r.set(entryHash(leaf)+".n", leaf)
					b += entryHash(leaf)
				}
				r.set(entryHash(b)+".n", b)
				return entryHash(b)
			}
			r.set("n", signRootText(t, sub(tc.eleaf), sub(tc.lleaf), 1))
			err := syncErr(t, r, FormatURL(&testKey(t).PublicKey, "n"))
			if !errors.Is(err, ErrWrongType) {
				t.Fatalf("got %v, want %v", err, ErrWrongType)
			}
		})
	}
}

// A branch naming the same subtree many times is walked once.
func TestSyncTreeDuplicateChildren(t *testing.T) {
	node := (&enrEntry{node: testNodes(t, 1)[0]}).String()
	r := newMapResolver()
	r.set(entryHash(node)+".n", node)
	inner := branchPrefix + strings.Repeat(entryHash(node)+",", 12) + entryHash(node)
	r.set(entryHash(inner)+".n", inner)
	outer := branchPrefix + strings.Repeat(entryHash(inner)+",", 12) + entryHash(inner)
	r.set(entryHash(outer)+".n", outer)
	r.set(entryHash(branchPrefix)+".n", branchPrefix)
	r.set("n", signRootText(t, entryHash(outer), entryHash(branchPrefix), 1))
	c := newTestClient(t, fastConfig(t, r))
	tree, err := c.SyncTree(context.Background(), FormatURL(&testKey(t).PublicKey, "n"))
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Nodes()) != 1 {
		t.Fatalf("%d nodes", len(tree.Nodes()))
	}
	if q := r.count(); q != 5 { // root, two branches, one leaf, empty link branch
		t.Fatalf("%d queries, want 5", q)
	}
}

// A resolver that never answers costs one timeout per query.
func TestQueryTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		c := newTestClient(t, Config{Resolver: blockingResolver{}, Logger: testLogger(t)})
		start := time.Now()
		_, err := c.SyncTree(context.Background(), FormatURL(&testKey(t).PublicKey, "n"))
		if !errors.Is(err, ErrTimeout) {
			t.Fatalf("got %v, want %v", err, ErrTimeout)
		}
		if d := time.Since(start); d != DefaultTimeout {
			t.Fatalf("returned after %v, want %v", d, DefaultTimeout)
		}
	})
}

func TestSyncTreeCancel(t *testing.T) {
	started := make(chan string)
	c := newTestClient(t, Config{Resolver: blockingResolver{started: started}, Logger: testLogger(t)})
	ctx, cancel := context.WithCancel(context.Background())
	errc := make(chan error)
	go func() {
		_, err := c.SyncTree(ctx, FormatURL(&testKey(t).PublicKey, "n"))
		errc <- err
	}()
	<-started
	cancel()
	if err := <-errc; !errors.Is(err, context.Canceled) {
		t.Fatalf("got %v, want %v", err, context.Canceled)
	}
}

// timedResolver records when each query is made.
type timedResolver struct {
	*mapResolver
	times []time.Time
}

func (r *timedResolver) LookupTXT(ctx context.Context, name string) ([]string, error) {
	r.mu.Lock()
	r.times = append(r.times, time.Now())
	r.mu.Unlock()
	return r.mapResolver.LookupTXT(ctx, name)
}

func TestRateLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, url, txt := signedTree(t, testKey(t), "n", 1, testNodes(t, 4), nil)
		r := &timedResolver{mapResolver: newMapResolver(txt)}
		c := newTestClient(t, Config{Resolver: r, RateLimit: 2, RateBurst: 3, Logger: testLogger(t)})
		start := time.Now()
		if _, err := c.SyncTree(context.Background(), url); err != nil {
			t.Fatal(err)
		}
		// root, enr branch, 4 leaves, link branch: 7 queries; 3 at once, then
		// one every 500 ms.
		if len(r.times) != 7 {
			t.Fatalf("%d queries", len(r.times))
		}
		for i, at := range r.times {
			want := time.Duration(max(0, i-2)) * 500 * time.Millisecond
			if got := at.Sub(start); got != want {
				t.Errorf("query %d at %v, want %v", i, got, want)
			}
		}
	})
}

// The rate limit applies to cached entries too, so a walk over a cached tree
// cannot spin.
func TestRateLimitCoversCache(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		_, url, txt := signedTree(t, testKey(t), "n", 1, testNodes(t, 4), nil)
		r := newMapResolver(txt)
		c := newTestClient(t, Config{Resolver: r, RateLimit: 1, RateBurst: 1, Logger: testLogger(t)})
		if _, err := c.SyncTree(context.Background(), url); err != nil {
			t.Fatal(err)
		}
		start := time.Now()
		if _, err := c.SyncTree(context.Background(), url); err != nil {
			t.Fatal(err)
		}
		if r.count() != 8 { // the second sync asks DNS only for the root
			t.Fatalf("%d queries, want 8", r.count())
		}
		if d := time.Since(start); d != 7*time.Second {
			t.Fatalf("cached sync took %v, want 7s", d)
		}
	})
}

func TestCacheBounded(t *testing.T) {
	c := newEntryCache(3)
	for i := range 10 {
		c.add(fmt.Sprint(i), &branchEntry{})
		if i == 5 {
			c.get("4") // used: it outlives 3
		}
	}
	if c.len() != 3 {
		t.Fatalf("cache holds %d", c.len())
	}
	for _, name := range []string{"7", "8", "9"} {
		if _, ok := c.get(name); !ok {
			t.Errorf("%s evicted", name)
		}
	}
	c = newEntryCache(3)
	for i := range 6 {
		c.add(fmt.Sprint(i), &branchEntry{})
		c.get("0")
	}
	if _, ok := c.get("0"); !ok {
		t.Error("recently used entry evicted")
	}
}

func TestConfigValidate(t *testing.T) {
	for _, cfg := range []Config{{Timeout: -1}, {CacheLimit: -1}, {RateLimit: -1}, {MaxTrees: -1}, {RecheckInterval: -1}} {
		if _, err := NewClient(cfg); err == nil {
			t.Errorf("%+v accepted", cfg)
		}
	}
}
