package dial

import (
	"log/slog"
	"net/netip"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// peerlessRetryInterval is how often the peerless fallback repeats while the
// node still has no peer. It is longer than the dial history (35 s), so each
// round can dial the bootnodes again.
const peerlessRetryInterval = time.Minute

// Scheduler decides which nodes to dial and when. One goroutine (loop) owns
// all of its state; the methods hand their work to it over channels.
type Scheduler struct {
	cfg   Config
	setup SetupFunc
	it    enode.Iterator
	clock mclock.Clock
	log   *slog.Logger

	nodesIn     chan candidate
	addStaticCh chan *enode.Node
	remStaticCh chan *enode.Node
	addPeerCh   chan peerEvent
	remPeerCh   chan peerEvent
	doneCh      chan *dialTask
	callCh      chan func()
	hookDone    chan struct{}
	quit        chan struct{}
	stopOnce    sync.Once
	wg          sync.WaitGroup

	// Fields below are owned by loop().
	peers       map[enode.ID]*peer
	outPeers    int // connected outbound peers; they fill dynamic slots
	dialing     map[enode.ID]*dialTask
	dynDialing  int
	static      map[enode.ID]*staticNode
	staticDirty bool           // a static node may have become dialable
	staticWake  mclock.AbsTime // earliest time a waiting static node is due
	history     expSet[enode.ID]
	ipHistory   expSet[netip.Addr]   // non-LAN IPs of recent dynamic dials
	subnets     map[netip.Prefix]int // dynamic dials and peers per subnet and wide block (guard.go)
	failures    failureMemory
	queue       []queued // warm peers and bootnodes, dialed before candidates
	peerless    bool
	fallbackAt  mclock.AbsTime // next peerless fallback, while peerless
	hookRunning bool
	timer       mclock.ChanTimer
	timerCh     <-chan mclock.AbsTime
	timerAt     mclock.AbsTime
	sources     sourceCounts // by source label
}

type peer struct {
	node   *enode.Node
	flags  Flags
	source string // label of the source it was dialed from; "" if not dialed by us
	since  mclock.AbsTime
	spread spreadKeys // booked in subnets
}

type peerEvent struct {
	node   *enode.Node
	flags  Flags
	reason error
}

type staticNode struct {
	node         *enode.Node
	fails        int            // failed dials or bad sessions in a row
	notBefore    mclock.AbsTime // backoff: no dial before this
	resolveAt    mclock.AbsTime // no lookup before this
	resolveDelay time.Duration  // next resolve backoff
}

type queued struct {
	node *enode.Node
	why  string
}

// Stats is a snapshot of the scheduler's state.
type Stats struct {
	Dialing       int  // dials running
	DynDialing    int  // of which dynamic
	Peers         int  // connected peers the scheduler knows of
	OutboundPeers int  // of which dialed by us (they fill dynamic slots)
	Static        int  // static nodes
	Queued        int  // warm peers and bootnodes waiting for a slot
	History       int  // nodes in the dial history
	Remembered    int  // nodes with a failure record
	BackingOff    int  // nodes not dialed before their backoff ends (failure records and static nodes)
	Peerless      bool // no peer at all
	// Sources counts candidates, dials and dialed peers per source label:
	// the labels of the iterator's sources (SourceLabeller) and
	// SourceStatic, SourceWarm, SourceBootnode. Nil before the first
	// candidate.
	Sources map[string]SourceStats
}

// New starts a scheduler dialing candidates from the iterator (which may be
// nil) and handing each connection to setup. The scheduler owns the iterator
// and closes it on Stop.
func New(cfg Config, candidates enode.Iterator, setup SetupFunc) *Scheduler {
	cfg = cfg.withDefaults()
	s := &Scheduler{
		cfg:         cfg,
		setup:       setup,
		it:          candidates,
		clock:       cfg.Clock,
		log:         cfg.Logger,
		nodesIn:     make(chan candidate),
		addStaticCh: make(chan *enode.Node),
		remStaticCh: make(chan *enode.Node),
		addPeerCh:   make(chan peerEvent),
		remPeerCh:   make(chan peerEvent),
		doneCh:      make(chan *dialTask),
		callCh:      make(chan func()),
		hookDone:    make(chan struct{}),
		quit:        make(chan struct{}),
		peers:       make(map[enode.ID]*peer),
		dialing:     make(map[enode.ID]*dialTask),
		static:      make(map[enode.ID]*staticNode),
		history:     newExpSet[enode.ID](),
		ipHistory:   newExpSet[netip.Addr](),
		subnets:     make(map[netip.Prefix]int),
		failures:    newFailureMemory(maxFailureRecords),
		sources:     make(sourceCounts),
	}
	s.wg.Add(1)
	go s.loop()
	if candidates != nil {
		s.wg.Add(1)
		go s.readNodes(candidates)
	}
	return s
}

// Stop ends the scheduler: running dials are cancelled, the candidate
// iterator is closed, outbound peers still connected are remembered as good
// peers, and Stop returns once every goroutine of the scheduler (including
// running SetupFunc calls and the OnPeerless hook) has returned.
func (s *Scheduler) Stop() {
	s.stopOnce.Do(func() {
		close(s.quit)
		if s.it != nil {
			s.it.Close()
		}
	})
	s.wg.Wait()
}

// AddStatic adds n to the static nodes: it is dialed whenever it is not
// connected, whatever the dynamic slots say.
func (s *Scheduler) AddStatic(n *enode.Node) {
	select {
	case s.addStaticCh <- n:
	case <-s.quit:
	}
}

// RemoveStatic removes n from the static nodes: a running dial to it is
// cancelled and it is not redialed. Disconnecting it is the Server's job.
func (s *Scheduler) RemoveStatic(n *enode.Node) {
	select {
	case s.remStaticCh <- n:
	case <-s.quit:
	}
}

// PeerAdded tells the scheduler that n is now a peer.
func (s *Scheduler) PeerAdded(n *enode.Node, flags Flags) {
	select {
	case s.addPeerCh <- peerEvent{node: n, flags: flags}:
	case <-s.quit:
	}
}

// PeerRemoved tells the scheduler that the peer n is gone, and why (nil for
// no error; a DiscReason or other error otherwise).
func (s *Scheduler) PeerRemoved(n *enode.Node, flags Flags, reason error) {
	select {
	case s.remPeerCh <- peerEvent{node: n, flags: flags, reason: reason}:
	case <-s.quit:
	}
}

// Stats returns a snapshot of the scheduler's state (zero after Stop).
func (s *Scheduler) Stats() Stats {
	var st Stats
	s.inLoop(func() { st = s.stats() })
	return st
}

// inLoop runs f on the loop goroutine and waits for it. It does nothing
// once the scheduler stopped.
func (s *Scheduler) inLoop(f func()) {
	done := make(chan struct{})
	select {
	case s.callCh <- func() { f(); close(done) }:
		<-done
	case <-s.quit:
	}
}

// readNodes feeds discovery candidates to the loop. The send blocks while
// the loop has no free slot, so the iterator is read only as fast as slots
// free up and never blocks the loop.
func (s *Scheduler) readNodes(it enode.Iterator) {
	defer s.wg.Done()
	for it.Next() {
		select {
		case s.nodesIn <- candidate{it.Node(), labelOf(it)}:
		case <-s.quit:
			return
		}
	}
}

// loop owns the scheduler's state. It never blocks except in its select,
// so the methods above are served quickly even while every slot is busy.
func (s *Scheduler) loop() {
	defer s.wg.Done()
	defer s.shutdown()
	s.start()
	for {
		now := s.clock.Now()
		s.history.expire(now)
		s.ipHistory.expire(now)
		s.failures.expire(now)
		s.checkPeerless(now)
		s.startStaticDials(now)
		s.startQueuedDials(now)
		var nodesCh chan candidate
		if len(s.queue) == 0 && s.freeDynSlots() > 0 {
			nodesCh = s.nodesIn
		}
		s.armTimer(now)

		select {
		case c := <-nodesCh:
			s.sources.get(c.source).Candidates++
			s.tryDial(c.node, DynDialed, WhyDynamic, c.source)
		case t := <-s.doneCh:
			s.taskDone(t)
		case n := <-s.addStaticCh:
			s.addStatic(n)
		case n := <-s.remStaticCh:
			s.removeStatic(n)
		case ev := <-s.addPeerCh:
			s.peerAdded(ev)
		case ev := <-s.remPeerCh:
			s.peerRemoved(ev)
		case f := <-s.callCh:
			f()
		case <-s.hookDone:
			s.hookRunning = false
		case <-s.timerCh:
			s.timerAt = 0
		case <-s.quit:
			return
		}
	}
}

// start loads the remembered good peers: they are dialed before any
// discovery candidate (warm restart).
func (s *Scheduler) start() {
	now := s.clock.Now()
	s.peerless = true
	s.fallbackAt = now.Add(s.cfg.PeerlessDelay)
	if s.cfg.DB != nil && s.cfg.MaxDialPeers > 0 {
		for _, n := range s.cfg.DB.GoodPeers(s.cfg.WarmPeers) {
			if n != nil {
				s.queue = append(s.queue, queued{n, WhyWarm})
			}
		}
		s.log.Debug("Loaded good peers for warm restart", "count", len(s.queue))
	}
}

// shutdown cancels the running dials and remembers the connected outbound
// peers as good: their sessions end because we stop, not because of them.
func (s *Scheduler) shutdown() {
	for _, t := range s.dialing {
		t.cancel()
	}
	if s.timer != nil {
		s.timer.Stop()
	}
	for _, p := range s.peers {
		if p.flags.outbound() {
			s.rememberGood(p.node)
		}
	}
}

func (s *Scheduler) stats() Stats {
	st := Stats{
		Dialing:       len(s.dialing),
		DynDialing:    s.dynDialing,
		Peers:         len(s.peers),
		OutboundPeers: s.outPeers,
		Static:        len(s.static),
		Queued:        len(s.queue),
		History:       s.history.len(),
		Remembered:    s.failures.len(),
		Peerless:      s.peerless,
		Sources:       s.sources.snapshot(),
	}
	// A scan, but Stats is for status lines, called every few seconds at
	// most, and the failure memory is bounded (maxFailureRecords).
	now := s.clock.Now()
	st.BackingOff = s.failures.blockedCount(now)
	for _, sn := range s.static {
		if sn.notBefore > now {
			st.BackingOff++
		}
	}
	return st
}

// freeDynSlots is how many dynamic dials may start now.
func (s *Scheduler) freeDynSlots() int {
	return min(s.cfg.MaxDialPeers-s.outPeers-s.dynDialing, s.cfg.MaxActiveDials-len(s.dialing))
}

// armTimer makes sure the loop wakes up when the next static node or the
// peerless fallback is due. Spurious wake-ups are harmless.
func (s *Scheduler) armTimer(now mclock.AbsTime) {
	var wake mclock.AbsTime
	if s.staticWake > now {
		wake = s.staticWake
	}
	if s.peerless && (wake == 0 || s.fallbackAt < wake) {
		wake = s.fallbackAt
	}
	if wake == s.timerAt {
		return
	}
	if s.timer != nil {
		s.timer.Stop()
		s.timer, s.timerCh = nil, nil
	}
	s.timerAt = wake
	if wake != 0 {
		s.timer = s.clock.NewTimer(max(wake.Sub(now), 0))
		s.timerCh = s.timer.C()
	}
}

func (s *Scheduler) trace(ev Event) {
	if s.cfg.Trace != nil {
		ev.Time = s.clock.Now()
		if ev.Node != nil {
			ev.ID = ev.Node.ID()
		}
		s.cfg.Trace(ev)
	}
}
