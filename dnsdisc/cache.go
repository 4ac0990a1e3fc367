package dnsdisc

import (
	"container/list"
	"sync"
)

// entryCache keeps the most recently used verified entries, keyed by their
// full DNS name, so that walking a tree again (after a full pass or a
// re-sync with an unchanged subtree) costs no queries. It is bounded: the
// least recently used entry goes when a new one does not fit.
type entryCache struct {
	mu    sync.Mutex
	limit int
	order *list.List // front is most recent; values are *cacheItem
	items map[string]*list.Element
}

type cacheItem struct {
	name string
	e    entry
}

func newEntryCache(limit int) *entryCache {
	return &entryCache{limit: limit, order: list.New(), items: make(map[string]*list.Element)}
}

func (c *entryCache) get(name string) (entry, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	el, ok := c.items[name]
	if !ok {
		return nil, false
	}
	c.order.MoveToFront(el)
	return el.Value.(*cacheItem).e, true
}

func (c *entryCache) add(name string, e entry) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.limit <= 0 {
		return
	}
	if el, ok := c.items[name]; ok {
		el.Value.(*cacheItem).e = e
		c.order.MoveToFront(el)
		return
	}
	c.items[name] = c.order.PushFront(&cacheItem{name: name, e: e})
	for c.order.Len() > c.limit {
		old := c.order.Remove(c.order.Back()).(*cacheItem)
		delete(c.items, old.name)
	}
}

func (c *entryCache) len() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.order.Len()
}
