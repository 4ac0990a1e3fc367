package dial

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/mclock"
)

// testNode returns a "null" scheme node with ID i at 10.x.y.z:30303.
func testNode(i int) *enode.Node {
	return testNodeAt(i, netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)}), 30303)
}

func testNodeAt(i int, ip netip.Addr, port int) *enode.Node {
	var id enode.ID
	binary.BigEndian.PutUint64(id[24:], uint64(i)+1)
	var r enr.Record
	if ip.IsValid() {
		r.Set(enr.IPv4(ip))
	}
	if port != 0 {
		r.Set(enr.TCP(uint16(port)))
	}
	return enode.SignNull(&r, id)
}

// classErr is an error of a given failure class, like the Server's DiscReason.
type classErr FailureClass

func (e classErr) Error() string                  { return "class " + FailureClass(e).String() }
func (e classErr) DialFailureClass() FailureClass { return FailureClass(e) }

// errRefused stands for a refused TCP connection.
var errRefused = &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connection refused")}

// chanIter is an iterator fed by the test.
type chanIter struct {
	ch     chan *enode.Node
	cur    *enode.Node
	closed chan struct{}
	once   sync.Once
}

func newChanIter() *chanIter {
	return &chanIter{ch: make(chan *enode.Node), closed: make(chan struct{})}
}

func (it *chanIter) Next() bool {
	select {
	case n := <-it.ch:
		it.cur = n
		return true
	case <-it.closed:
		return false
	}
}
func (it *chanIter) Node() *enode.Node { return it.cur }
func (it *chanIter) Close()            { it.once.Do(func() { close(it.closed) }) }

// harness runs a scheduler against a fake dialer and a fake Server inside a
// synctest bubble with a simulated clock.
type harness struct {
	t     *testing.T
	clock *mclock.Simulated
	iter  *chanIter
	sched *Scheduler

	mu     sync.Mutex
	events []Event
	// dialFn decides the outcome of each TCP dial (default: success).
	dialFn func(ctx context.Context, n *enode.Node) (net.Conn, error)
	// setupErr decides the outcome of each handshake (default: success).
	setupErr func(n *enode.Node) error
	dialed   []enode.ID // in dial order, from the dialer's side
	// lateAdd makes setup return before PeerAdded, like a Server that adds
	// peers asynchronously; the test then calls PeerAdded itself.
	lateAdd bool
	peers   map[enode.ID]Flags
}

func newHarness(t *testing.T, cfg Config) *harness {
	iter := newChanIter()
	h := newHarnessIter(t, cfg, iter)
	h.iter = iter
	return h
}

// newHarnessIter is newHarness with the scheduler reading candidates from
// it instead of h.iter (which stays nil).
func newHarnessIter(t *testing.T, cfg Config, it enode.Iterator) *harness {
	h := &harness{t: t, clock: new(mclock.Simulated), peers: make(map[enode.ID]Flags)}
	cfg.Clock = h.clock
	cfg.Dialer = h
	cfg.Trace = h.record
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.DiscardHandler)
	}
	if cfg.Self == (enode.ID{}) {
		cfg.Self = testNode(-2).ID()
	}
	var sched atomic.Pointer[Scheduler]
	ready := make(chan struct{})
	h.sched = New(cfg, it, func(fd net.Conn, flags Flags, dest *enode.Node) error {
		fd.Close()
		h.mu.Lock()
		f := h.setupErr
		h.mu.Unlock()
		if f != nil {
			if err := f(dest); err != nil {
				return err
			}
		}
		h.mu.Lock()
		h.peers[dest.ID()] = flags
		late := h.lateAdd
		h.mu.Unlock()
		if late {
			return nil
		}
		// Like the Server: the peer is added before setup returns.
		<-ready
		sched.Load().PeerAdded(dest, flags)
		return nil
	})
	sched.Store(h.sched)
	close(ready)
	t.Cleanup(h.sched.Stop)
	return h
}

func (h *harness) Dial(ctx context.Context, n *enode.Node) (net.Conn, error) {
	h.mu.Lock()
	h.dialed = append(h.dialed, n.ID())
	f := h.dialFn
	h.mu.Unlock()
	if f != nil {
		return f(ctx, n)
	}
	a, b := net.Pipe()
	b.Close()
	return a, nil
}

func (h *harness) record(ev Event) {
	h.mu.Lock()
	h.events = append(h.events, ev)
	h.mu.Unlock()
}

// settle lets every goroutine of the bubble run until it blocks.
func (h *harness) settle() { synctest.Wait() }

// run advances the simulated clock in steps, settling after each step so
// the scheduler sees every timer in turn.
func (h *harness) run(d, step time.Duration) {
	h.settle()
	for end := h.clock.Now().Add(d); h.clock.Now() < end; {
		h.clock.Run(min(step, end.Sub(h.clock.Now())))
		h.settle()
	}
}

// feed hands candidates to the scheduler; each is taken only when a dynamic
// slot is free, so feed must only be used when one is.
func (h *harness) feed(nodes ...*enode.Node) {
	for _, n := range nodes {
		h.iter.ch <- n
		h.settle()
	}
}

// offer hands a candidate over if the scheduler is reading, without blocking.
func (h *harness) offer(n *enode.Node) bool {
	h.settle()
	select {
	case h.iter.ch <- n:
		h.settle()
		return true
	default:
		return false
	}
}

func (h *harness) setDial(f func(ctx context.Context, n *enode.Node) (net.Conn, error)) {
	h.mu.Lock()
	h.dialFn = f
	h.mu.Unlock()
}

func (h *harness) setSetup(f func(n *enode.Node) error) {
	h.mu.Lock()
	h.setupErr = f
	h.mu.Unlock()
}

// eventsOf returns the recorded events of a kind.
func (h *harness) eventsOf(kind EventKind) []Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []Event
	for _, ev := range h.events {
		if ev.Kind == kind {
			out = append(out, ev)
		}
	}
	return out
}

// dials returns the IDs of started dials, in order.
func (h *harness) dials() []enode.ID {
	var ids []enode.ID
	for _, ev := range h.eventsOf(EventDial) {
		ids = append(ids, ev.ID)
	}
	return ids
}

func (h *harness) dialsOf(id enode.ID) []Event {
	var out []Event
	for _, ev := range h.eventsOf(EventDial) {
		if ev.ID == id {
			out = append(out, ev)
		}
	}
	return out
}

// skipped reports the skip reasons recorded for id.
func (h *harness) skipped(id enode.ID) []string {
	var out []string
	for _, ev := range h.eventsOf(EventSkip) {
		if ev.ID == id {
			out = append(out, ev.Reason)
		}
	}
	return out
}

func (h *harness) clearEvents() {
	h.mu.Lock()
	h.events = nil
	h.mu.Unlock()
}

// removePeer plays the Server dropping a peer.
func (h *harness) removePeer(n *enode.Node, reason error) {
	h.mu.Lock()
	flags, ok := h.peers[n.ID()]
	delete(h.peers, n.ID())
	h.mu.Unlock()
	if !ok {
		h.t.Fatalf("removePeer: %v is not a peer", n.ID().TerminalString())
	}
	h.sched.PeerRemoved(n, flags, reason)
	h.settle()
}

func (h *harness) numPeers() int {
	h.mu.Lock()
	defer h.mu.Unlock()
	return len(h.peers)
}

func hangDial(ctx context.Context, n *enode.Node) (net.Conn, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

func failDial(ctx context.Context, n *enode.Node) (net.Conn, error) { return nil, errRefused }

func ids(nodes []*enode.Node) []enode.ID {
	out := make([]enode.ID, len(nodes))
	for i, n := range nodes {
		out[i] = n.ID()
	}
	return out
}

func sameSet(a, b []enode.ID) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	cmp := func(x, y enode.ID) int { return slices.Compare(x[:], y[:]) }
	slices.SortFunc(a, cmp)
	slices.SortFunc(b, cmp)
	return slices.Equal(a, b)
}

func short(id enode.ID) string { return fmt.Sprintf("%x", id[28:]) }

// fakeMemory is a PeerMemory in memory.
type fakeMemory struct {
	mu     sync.Mutex
	good   []*enode.Node
	saved  []*enode.Node
	forgot []enode.ID
}

func (m *fakeMemory) GoodPeers(n int) []*enode.Node {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.good[:min(n, len(m.good))])
}

func (m *fakeMemory) UpdatePeerSuccess(n *enode.Node, t time.Time) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.saved = append(m.saved, n)
	return nil
}

func (m *fakeMemory) ForgetPeerSuccess(id enode.ID) error {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.forgot = append(m.forgot, id)
	return nil
}

func (m *fakeMemory) forgotIDs() []enode.ID {
	m.mu.Lock()
	defer m.mu.Unlock()
	return slices.Clone(m.forgot)
}

func (m *fakeMemory) savedIDs() []enode.ID {
	m.mu.Lock()
	defer m.mu.Unlock()
	return ids(m.saved)
}

// dialerFunc adapts a function to NodeDialer.
type dialerFunc func(ctx context.Context, n *enode.Node) (net.Conn, error)

func (f dialerFunc) Dial(ctx context.Context, n *enode.Node) (net.Conn, error) { return f(ctx, n) }
