package dial

import (
	"container/heap"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// maxFailureRecords bounds the failure memory. Discovery can hand us any
// number of made-up nodes; when the memory is full the record that would be
// forgotten first (the mildest one) makes room, so a flood of unreachable
// nodes cannot push out the protocol breakers.
const maxFailureRecords = 20_000

// expItem is one entry of an expHeap.
type expItem[K comparable] struct {
	key K
	exp mclock.AbsTime
}

// expHeap is a min-heap of expiry times. Entries are removed lazily: an item
// whose time no longer matches its owner's map entry is stale and skipped.
type expHeap[K comparable] []expItem[K]

func (h expHeap[K]) Len() int           { return len(h) }
func (h expHeap[K]) Less(i, j int) bool { return h[i].exp < h[j].exp }
func (h expHeap[K]) Swap(i, j int)      { h[i], h[j] = h[j], h[i] }
func (h *expHeap[K]) Push(x any)        { *h = append(*h, x.(expItem[K])) }
func (h *expHeap[K]) Pop() any {
	old := *h
	it := old[len(old)-1]
	*h = old[:len(old)-1]
	return it
}

// expSet is a set whose membership ends at a given time: the dial history
// (by node ID, and by IP for the amplification guard).
type expSet[K comparable] struct {
	m map[K]mclock.AbsTime
	h expHeap[K]
}

func newExpSet[K comparable]() expSet[K] { return expSet[K]{m: make(map[K]mclock.AbsTime)} }

// add puts key in the set until exp.
func (s *expSet[K]) add(key K, exp mclock.AbsTime) {
	s.m[key] = exp
	heap.Push(&s.h, expItem[K]{key, exp})
}

// until returns when key leaves the set, and whether it is in the set at now.
func (s *expSet[K]) until(key K, now mclock.AbsTime) (mclock.AbsTime, bool) {
	exp, ok := s.m[key]
	return exp, ok && exp > now
}

// expire removes the entries that ended at or before now.
func (s *expSet[K]) expire(now mclock.AbsTime) {
	for len(s.h) > 0 && s.h[0].exp <= now {
		it := heap.Pop(&s.h).(expItem[K])
		if exp, ok := s.m[it.key]; ok && exp == it.exp {
			delete(s.m, it.key)
		}
	}
}

func (s *expSet[K]) len() int { return len(s.m) }

// failure is what the scheduler remembers about a node that failed.
type failure struct {
	class  FailureClass   // the last failure's class
	count  int            // failures in a row
	until  mclock.AbsTime // no dial before this
	forget mclock.AbsTime // the record is dropped at this time
}

// failureMemory holds the failures of non-static nodes, each with the backoff
// of its class.
type failureMemory struct {
	m     map[enode.ID]*failure
	h     expHeap[enode.ID] // by forget time
	limit int
}

func newFailureMemory(limit int) failureMemory {
	return failureMemory{m: make(map[enode.ID]*failure), limit: limit}
}

// record notes a failure of class c at now and returns the backoff applied.
// A failure of the same kind while the previous record is still remembered
// counts as one more in a row, which doubles the backoff.
func (fm *failureMemory) record(id enode.ID, c FailureClass, now mclock.AbsTime) *failure {
	f := fm.m[id]
	if f == nil {
		if len(fm.m) >= fm.limit {
			fm.evict()
		}
		f = new(failure)
		fm.m[id] = f
	}
	f.class = c
	f.count++
	d := Backoff(c, f.count)
	f.until = now.Add(d)
	// Keep the record as long again after the backoff ends, so that a node
	// failing again soon after is backed off longer.
	f.forget = f.until.Add(d)
	heap.Push(&fm.h, expItem[enode.ID]{id, f.forget})
	return f
}

// blocked returns the failure record that keeps id from being dialed at now.
func (fm *failureMemory) blocked(id enode.ID, now mclock.AbsTime) *failure {
	if f := fm.m[id]; f != nil && f.until > now {
		return f
	}
	return nil
}

// blockedCount returns the number of nodes whose backoff runs at now.
func (fm *failureMemory) blockedCount(now mclock.AbsTime) int {
	n := 0
	for _, f := range fm.m {
		if f.until > now {
			n++
		}
	}
	return n
}

// clear forgets id (after a good session).
func (fm *failureMemory) clear(id enode.ID) { delete(fm.m, id) }

// expire drops the records whose memory time is over.
func (fm *failureMemory) expire(now mclock.AbsTime) {
	for len(fm.h) > 0 && fm.h[0].exp <= now {
		fm.popOne()
	}
	// Stale heap items (cleared or re-recorded nodes) must not pile up.
	if len(fm.h) > 2*len(fm.m)+64 {
		fm.compact()
	}
}

// evict drops the live record that would be forgotten first.
func (fm *failureMemory) evict() {
	for len(fm.h) > 0 {
		if fm.popOne() {
			return
		}
	}
}

// popOne pops the heap top and reports whether it removed a live record.
func (fm *failureMemory) popOne() bool {
	it := heap.Pop(&fm.h).(expItem[enode.ID])
	if f, ok := fm.m[it.key]; ok && f.forget == it.exp {
		delete(fm.m, it.key)
		return true
	}
	return false
}

// compact rebuilds the heap from the live records.
func (fm *failureMemory) compact() {
	fm.h = fm.h[:0]
	for id, f := range fm.m {
		fm.h = append(fm.h, expItem[enode.ID]{id, f.forget})
	}
	heap.Init(&fm.h)
}

func (fm *failureMemory) len() int { return len(fm.m) }
