package enode

import "sync"

// lru is a fixed-size map that forgets its least recently used entry when a
// new one needs room. It is safe for concurrent use.
type lru[K comparable, V any] struct {
	size int

	mu   sync.Mutex
	m    map[K]*lruEntry[K, V]
	head lruEntry[K, V] // sentinel: head.next is the newest, head.prev the oldest
}

type lruEntry[K comparable, V any] struct {
	key        K
	val        V
	prev, next *lruEntry[K, V]
}

func newLRU[K comparable, V any](size int) *lru[K, V] {
	c := &lru[K, V]{size: max(size, 1), m: make(map[K]*lruEntry[K, V])}
	c.head.prev, c.head.next = &c.head, &c.head
	return c
}

// get returns the value of k and marks it as used.
func (c *lru[K, V]) get(k K) (V, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.m[k]
	if !ok {
		var zero V
		return zero, false
	}
	c.unlink(e)
	c.pushFront(e)
	return e.val, true
}

// add stores v under k as the newest entry, evicting the oldest if full.
func (c *lru[K, V]) add(k K, v V) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e, ok := c.m[k]; ok {
		e.val = v
		c.unlink(e)
		c.pushFront(e)
		return
	}
	var e *lruEntry[K, V]
	if len(c.m) >= c.size {
		e = c.head.prev // reuse the oldest entry's memory
		c.unlink(e)
		delete(c.m, e.key)
	} else {
		e = new(lruEntry[K, V])
	}
	e.key, e.val = k, v
	c.m[k] = e
	c.pushFront(e)
}

func (c *lru[K, V]) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return len(c.m)
}

func (c *lru[K, V]) unlink(e *lruEntry[K, V]) {
	e.prev.next, e.next.prev = e.next, e.prev
}

func (c *lru[K, V]) pushFront(e *lruEntry[K, V]) {
	e.prev, e.next = &c.head, c.head.next
	c.head.next.prev = e
	c.head.next = e
}
