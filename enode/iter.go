package enode

import "sync"

// Iterator is a sequence of nodes. Next moves to the next node and reports
// whether there is one; it may block (e.g. while a discovery lookup runs).
// Node returns the current node. Close ends the iteration: it may be called
// concurrently with Next, which then returns false. An Iterator is used by one
// goroutine at a time, apart from Close.
type Iterator interface {
	Next() bool
	Node() *Node
	Close()
}

// ReadNodes reads at most n nodes from it, calling Next at most n times so
// that a short repeating source (CycleNodes) cannot loop forever. The result
// has no duplicates (a node seen twice keeps the highest seq) and no nils.
func ReadNodes(it Iterator, n int) []*Node {
	seen := make(map[ID]int, n)
	var nodes []*Node
	for i := 0; i < n && it.Next(); i++ {
		node := it.Node()
		if node == nil {
			continue
		}
		if j, ok := seen[node.ID()]; ok {
			if node.Seq() > nodes[j].Seq() {
				nodes[j] = node
			}
			continue
		}
		seen[node.ID()] = len(nodes)
		nodes = append(nodes, node)
	}
	return nodes
}

// IterNodes returns an iterator over nodes, in order, once.
func IterNodes(nodes []*Node) Iterator {
	return &sliceIter{nodes: append([]*Node(nil), nodes...), index: -1}
}

// CycleNodes returns an iterator that cycles through nodes forever (until
// Close). It ends at once if nodes is empty.
func CycleNodes(nodes []*Node) Iterator {
	return &sliceIter{nodes: append([]*Node(nil), nodes...), index: -1, cycle: true}
}

type sliceIter struct {
	mu    sync.Mutex // Close may run concurrently with Next
	nodes []*Node
	index int
	cycle bool
}

func (it *sliceIter) Next() bool {
	it.mu.Lock()
	defer it.mu.Unlock()
	if len(it.nodes) == 0 {
		return false
	}
	it.index++
	if it.index == len(it.nodes) {
		if !it.cycle {
			it.nodes = nil
			return false
		}
		it.index = 0
	}
	return true
}

func (it *sliceIter) Node() *Node {
	it.mu.Lock()
	defer it.mu.Unlock()
	if it.index < 0 || it.index >= len(it.nodes) {
		return nil
	}
	return it.nodes[it.index]
}

func (it *sliceIter) Close() {
	it.mu.Lock()
	defer it.mu.Unlock()
	it.nodes = nil
}

// Filter returns an iterator over the nodes of it for which check is true.
// Closing it closes the underlying iterator.
func Filter(it Iterator, check func(*Node) bool) Iterator {
	return &filterIter{Iterator: it, check: check}
}

type filterIter struct {
	Iterator
	check func(*Node) bool
}

func (f *filterIter) Next() bool {
	for f.Iterator.Next() {
		if n := f.Node(); n != nil && f.check(n) {
			return true
		}
	}
	return false
}
