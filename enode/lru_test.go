package enode

import (
	"sync"
	"testing"
)

func TestLRUEvictsLeastRecentlyUsed(t *testing.T) {
	c := newLRU[int, string](3)
	c.add(1, "a")
	c.add(2, "b")
	c.add(3, "c")
	if v, ok := c.get(1); !ok || v != "a" { // 1 is now the newest
		t.Fatalf("get(1) = %q, %v", v, ok)
	}
	c.add(4, "d") // evicts 2, the least recently used
	if _, ok := c.get(2); ok {
		t.Fatal("2 not evicted")
	}
	for _, k := range []int{1, 3, 4} {
		if _, ok := c.get(k); !ok {
			t.Fatalf("%d evicted", k)
		}
	}
	c.add(3, "c2") // replacing keeps the size
	if v, _ := c.get(3); v != "c2" || c.len() != 3 {
		t.Fatalf("after replace: %q, len %d", v, c.len())
	}
	for i := range 100 {
		c.add(100+i, "x")
	}
	if c.len() != 3 {
		t.Fatalf("len %d, want 3", c.len())
	}
}

func TestLRUConcurrent(t *testing.T) {
	c := newLRU[int, int](64)
	var wg sync.WaitGroup
	for g := range 4 {
		wg.Go(func() {
			for i := range 1000 {
				k := (g*7 + i) % 100
				if v, ok := c.get(k); ok && v != k {
					t.Errorf("get(%d) = %d", k, v)
					return
				}
				c.add(k, k)
			}
		})
	}
	wg.Wait()
	if c.len() > 64 {
		t.Fatalf("len %d over the size", c.len())
	}
}
