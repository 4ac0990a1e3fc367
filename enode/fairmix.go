package enode

import (
	"sync"
	"time"
)

// FairMix mixes the nodes of several iterators (discv4, discv5, DNS lists,
// ...) so that no single source can fill the dialer with its nodes, which is
// the point of mixing against eclipse attacks (docs/SECURITY.md,
// "Eclipse attacks").
//
// Next asks the sources in turn. It waits at most the timeout for the source
// whose turn it is; if that source is slow, Next takes a node from whichever
// source has one, and halves the slow source's timeout for its next turn (it
// is restored when the source delivers). A negative timeout waits for each
// source's turn forever. Exhausted sources are dropped; with no sources left
// Next blocks until AddSource or Close.
//
// Each source is read by a goroutine of its own; Close closes all sources and
// waits for those goroutines.
//
// A source added with AddNamedSource carries a label ("discv4", "dns", ...):
// NodeSource tells which source the current node came from, so that the
// dialer can count its dials and peers per source.
type FairMix struct {
	timeout time.Duration
	fromAny chan sourcedNode // nodes offered by any source, for the fallback
	closed  chan struct{}    // closed by Close
	wg      sync.WaitGroup

	// Owned by the caller of Next.
	cur       *Node
	curSource string

	mu       sync.Mutex
	sources  []*mixSource
	last     int // index of the source asked last
	isClosed bool
}

type mixSource struct {
	name    string
	it      Iterator
	next    chan *Node    // closed when it is exhausted
	timeout time.Duration // used only by Next
}

// NewFairMix creates a mixer. timeout is how long Next waits for the source
// whose turn it is before taking a node from any source.
func NewFairMix(timeout time.Duration) *FairMix {
	return &FairMix{
		timeout: timeout,
		fromAny: make(chan sourcedNode),
		closed:  make(chan struct{}),
	}
}

// sourcedNode is a node and the label of the source it came from.
type sourcedNode struct {
	n      *Node
	source string
}

// AddSource adds an iterator without a label. After Close it just closes it.
func (m *FairMix) AddSource(it Iterator) { m.AddNamedSource("", it) }

// AddNamedSource adds an iterator whose nodes NodeSource reports as coming
// from name. After Close it just closes it.
func (m *FairMix) AddNamedSource(name string, it Iterator) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.isClosed {
		it.Close()
		return
	}
	s := &mixSource{name: name, it: it, next: make(chan *Node), timeout: m.timeout}
	m.sources = append(m.sources, s)
	m.wg.Add(1)
	go m.runSource(s)
}

// Close ends the mixer and all its sources and waits for their goroutines.
// It is safe to call more than once and concurrently with Next.
func (m *FairMix) Close() {
	m.mu.Lock()
	if m.isClosed {
		m.mu.Unlock()
		return
	}
	m.isClosed = true
	close(m.closed)
	for _, s := range m.sources {
		s.it.Close()
	}
	m.sources = nil
	m.mu.Unlock()
	m.wg.Wait()
}

// Next implements Iterator.
func (m *FairMix) Next() bool {
	m.cur, m.curSource = nil, ""
	for {
		s := m.pickSource()
		if s == nil {
			return m.nextFromAny()
		}
		var (
			timer   *time.Timer
			timeout <-chan time.Time
		)
		if s.timeout >= 0 {
			timer = time.NewTimer(s.timeout)
			timeout = timer.C
		}
		select {
		case n, ok := <-s.next:
			if timer != nil {
				timer.Stop()
			}
			if ok {
				s.timeout = m.timeout
				m.cur, m.curSource = n, s.name
				return true
			}
			m.deleteSource(s) // exhausted; try the next one
		case <-timeout:
			s.timeout /= 2
			return m.nextFromAny()
		case <-m.closed:
			if timer != nil {
				timer.Stop()
			}
			return false
		}
	}
}

// Node implements Iterator.
func (m *FairMix) Node() *Node { return m.cur }

// NodeSource returns the name of the source (AddNamedSource) that Node came
// from; "" for a source added with AddSource or when there is no node.
func (m *FairMix) NodeSource() string { return m.curSource }

func (m *FairMix) nextFromAny() bool {
	select {
	case sn := <-m.fromAny:
		m.cur, m.curSource = sn.n, sn.source
		return true
	case <-m.closed:
		return false
	}
}

// pickSource returns the source whose turn it is (round robin).
func (m *FairMix) pickSource() *mixSource {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.sources) == 0 {
		return nil
	}
	m.last = (m.last + 1) % len(m.sources)
	return m.sources[m.last]
}

func (m *FairMix) deleteSource(s *mixSource) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for i, src := range m.sources {
		if src == s {
			m.sources = append(m.sources[:i:i], m.sources[i+1:]...)
			if m.last >= i {
				m.last-- // keep the turn order: the next source is asked next
			}
			s.it.Close()
			return
		}
	}
}

// runSource reads s.it and offers each node both to the source's own turn
// and to the fallback channel, until the iterator ends or the mixer closes.
func (m *FairMix) runSource(s *mixSource) {
	defer m.wg.Done()
	defer close(s.next)
	for s.it.Next() {
		n := s.it.Node()
		select {
		case s.next <- n:
		case m.fromAny <- sourcedNode{n, s.name}:
		case <-m.closed:
			return
		}
	}
}
