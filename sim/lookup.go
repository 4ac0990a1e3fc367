package sim

import (
	"slices"

	"github.com/devp2p-go/devp2p/enode"
)

const alpha = 3 // lookup concurrency (discv4.md)

// lookupState is one iterative Kademlia lookup, as discover.Lookup runs it:
// keep the 16 closest nodes seen, ask alpha of the closest not yet asked at
// once, stop when all of the closest have been asked.
type lookupState struct {
	m       *model
	self    int32
	gen     uint32
	target  enode.ID
	result  []int32 // closest seen, sorted, at most bucketSize
	seen    map[int32]bool
	asked   map[int32]bool
	running int
	cost    cost
	done    func(l *lookupState)
}

// lookup starts a lookup by self for target; done (if not nil) runs with
// the result when it ends.
func (m *model) lookup(self int32, target enode.ID, done func(*lookupState)) {
	l := &lookupState{
		m: m, self: self, gen: m.nodes[self].gen, target: target,
		seen: make(map[int32]bool), asked: make(map[int32]bool), done: done,
	}
	l.merge(m.closest(self, target, bucketSize))
	l.advance()
}

func (l *lookupState) merge(ns []int32) {
	for _, n := range ns {
		if n == l.self || l.seen[n] {
			continue
		}
		l.seen[n] = true
		l.result = append(l.result, n)
	}
	l.m.sortByDistance(l.result, l.target)
	if len(l.result) > bucketSize {
		l.result = l.result[:bucketSize]
	}
}

func (l *lookupState) advance() {
	m := l.m
	if !m.alive(l.self, l.gen) {
		return
	}
	for _, n := range l.result {
		if l.running >= alpha {
			break
		}
		if l.asked[n] {
			continue
		}
		l.asked[n] = true
		l.running++
		m.findnode(l.self, n, l.target, &l.cost, func(ns []int32, ok bool) {
			l.running--
			l.answer(n, ns, ok)
		})
	}
	if l.running == 0 && l.done != nil {
		done := l.done
		l.done = nil
		done(l)
	}
}

func (l *lookupState) answer(from int32, ns []int32, ok bool) {
	m := l.m
	if !ok {
		l.failed(from)
	} else if !m.nodes[l.self].sybil {
		for _, n := range ns {
			m.add(l.self, n)
		}
	}
	l.merge(ns)
	l.advance()
}

// failed counts a findnode failure of n; after maxFindFails in a row the
// entry is dropped, as discover does.
func (l *lookupState) failed(n int32) {
	m := l.m
	t := &m.nodes[l.self].table
	b := m.bucketOf(t, n)
	if i := b.index(n); i >= 0 {
		b.entries[i].findFails++
		if b.entries[i].findFails >= maxFindFails {
			m.remove(l.self, n)
		}
	}
	l.result = slices.DeleteFunc(l.result, func(r int32) bool { return r == n })
}
