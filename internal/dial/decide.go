package dial

import (
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// This file holds the loop's decisions: whom to dial, and what a finished
// dial or session teaches. Everything here runs on the loop goroutine.

// checkDial returns why n must not be dialed now for the given reason, or ""
// if it may be. The cheap checks come first; the application filter last.
func (s *Scheduler) checkDial(n *enode.Node, why string, now mclock.AbsTime) string {
	id := n.ID()
	if id == s.cfg.Self {
		return SkipSelf
	}
	if _, ok := s.peers[id]; ok {
		return SkipConnected
	}
	if why != WhyStatic {
		if _, ok := s.static[id]; ok {
			return SkipStatic
		}
	}
	if _, ok := s.dialing[id]; ok {
		return SkipDialing
	}
	if r := s.restricted(n); r != "" {
		return r
	}
	if _, ok := s.history.until(id, now); ok {
		return SkipRecent
	}
	switch why {
	case WhyDynamic, WhyWarm:
		if g := s.checkGuards(n, now); g != "" {
			return g
		}
		if s.failures.blocked(id, now) != nil {
			return SkipBackoff
		}
		if s.cfg.Filter != nil && !s.cfg.Filter(n) {
			return SkipFilter
		}
	}
	return ""
}

// restricted checks the endpoint of n against NetRestrict.
func (s *Scheduler) restricted(n *enode.Node) string {
	ep, ok := n.TCPEndpoint()
	if !ok {
		return SkipNoAddr
	}
	if s.cfg.NetRestrict != nil && !s.cfg.NetRestrict.Contains(ep.Addr()) {
		return SkipRestricted
	}
	return ""
}

// tryDial dials n if checkDial allows it and reports the decision.
// source is the label of the candidate's source (sources.go).
func (s *Scheduler) tryDial(n *enode.Node, flags Flags, why, source string) bool {
	if n == nil {
		return false
	}
	if n = s.reachable(n); n == nil {
		return false
	}
	now := s.clock.Now()
	if skip := s.checkDial(n, why, now); skip != "" {
		s.trace(Event{Kind: EventSkip, Node: n, Reason: skip})
		return false
	}
	s.startDial(n, flags, why, source, nil, now)
	return true
}

// startStaticDials dials the static nodes that are due, while dial slots
// are free. It rescans only when something changed or a backoff ended.
func (s *Scheduler) startStaticDials(now mclock.AbsTime) {
	if !s.staticDirty && (s.staticWake == 0 || now < s.staticWake) {
		return
	}
	s.staticDirty = false
	s.staticWake = 0
	for id, st := range s.static {
		if _, ok := s.peers[id]; ok {
			continue
		}
		if _, ok := s.dialing[id]; ok {
			continue
		}
		due := st.notBefore
		if exp, ok := s.history.until(id, now); ok {
			due = max(due, exp)
		}
		if due > now {
			if s.staticWake == 0 || due < s.staticWake {
				s.staticWake = due
			}
			continue
		}
		if len(s.dialing) >= s.cfg.MaxActiveDials {
			// Due but no slot: taskDone marks the statics dirty again.
			continue
		}
		if _, ok := st.node.TCPEndpoint(); !ok && s.cfg.Resolver == nil {
			continue // reported once by addStatic; nothing to dial
		}
		if _, ok := st.node.TCPEndpoint(); ok {
			if r := s.restricted(st.node); r != "" {
				continue // reported by addStatic
			}
		}
		s.startDial(st.node, StaticDialed, WhyStatic, SourceStatic, st, now)
	}
}

// startQueuedDials dials warm peers and bootnodes while dynamic slots are free.
func (s *Scheduler) startQueuedDials(now mclock.AbsTime) {
	for len(s.queue) > 0 && s.freeDynSlots() > 0 {
		q := s.queue[0]
		s.queue[0] = queued{}
		s.queue = s.queue[1:]
		s.tryDial(q.node, DynDialed, q.why, q.why) // SourceWarm or SourceBootnode
	}
	if len(s.queue) == 0 {
		s.queue = nil // release the backing array
	}
}

// startDial launches a dial task.
func (s *Scheduler) startDial(n *enode.Node, flags Flags, why, source string, st *staticNode, now mclock.AbsTime) {
	id := n.ID()
	s.history.add(id, now.Add(s.cfg.HistoryExpiration))
	t := newDialTask(n, flags, why)
	t.source = source
	s.sources.get(source).Dials++
	if st != nil && s.cfg.Resolver != nil {
		t.needResolve = !hasEndpoint(n)
		t.mayResolve = now >= st.resolveAt
	}
	s.dialing[id] = t
	if flags&DynDialed != 0 {
		s.dynDialing++
		t.spread = s.guardDial(n)
	}
	s.trace(Event{Kind: EventDial, Node: n, Flags: flags, Reason: why, Source: source})
	s.wg.Add(1)
	go func() {
		defer s.wg.Done()
		t.run(s)
		select {
		case s.doneCh <- t:
		case <-s.quit:
		}
	}()
}

func hasEndpoint(n *enode.Node) bool {
	_, ok := n.TCPEndpoint()
	return ok
}

// taskDone books the end of a dial task.
func (s *Scheduler) taskDone(t *dialTask) {
	now := s.clock.Now()
	id := t.dest.ID()
	t.cancel()
	delete(s.dialing, id)
	if t.flags&DynDialed != 0 {
		s.dynDialing--
	}
	s.releaseSubnet(t.spread)
	s.staticDirty = true // a dial slot is free
	st := s.static[id]
	if st != nil && t.flags&StaticDialed != 0 && t.resolveTried {
		s.resolveDone(t, st, now)
	}
	s.trace(Event{Kind: EventDialDone, Node: t.dest, Flags: t.flags, Err: t.err, Class: t.class, Source: t.source})

	switch {
	case t.err == nil:
		if !t.sawAdd {
			if _, ok := s.peers[id]; !ok {
				// SetupFunc succeeded without PeerAdded: count the peer
				// from now on, so that slots are not overfilled.
				s.addPeer(t.dest, t.flags, t.source, now)
			}
		}
	case t.removed:
		// RemoveStatic cancelled it; the node owes us nothing.
	case st != nil && t.flags&StaticDialed != 0:
		st.fails++
		st.notBefore = now.Add(staticBackoff(t.class, st.fails))
		s.log.Debug("Static dial failed", "id", id, "class", t.class, "fails", st.fails, "err", t.err)
	default:
		f := s.failures.record(id, t.class, now)
		s.log.Debug("Dial failed", "id", id, "class", t.class, "backoff", f.until.Sub(now), "err", t.err)
	}
}

// resolveDone books a resolve attempt of a static node's dial task.
func (s *Scheduler) resolveDone(t *dialTask, st *staticNode, now mclock.AbsTime) {
	reason := "not-found"
	if t.resolved != nil {
		reason = "found"
		st.node = t.resolved
		st.resolveDelay = 0
		st.resolveAt = 0
	} else {
		if st.resolveDelay == 0 {
			st.resolveDelay = initialResolveDelay
		} else {
			st.resolveDelay = min(2*st.resolveDelay, maxResolveDelay)
		}
		st.resolveAt = now.Add(st.resolveDelay)
	}
	s.trace(Event{Kind: EventResolve, Node: t.dest, ID: t.dest.ID(), Reason: reason})
}

func (s *Scheduler) addStatic(n *enode.Node) {
	if n == nil {
		return
	}
	id := n.ID()
	if id == s.cfg.Self {
		s.trace(Event{Kind: EventSkip, Node: n, Reason: SkipSelf})
		return
	}
	if n = s.reachable(n); n == nil {
		return
	}
	if hasEndpoint(n) {
		if r := s.restricted(n); r != "" {
			s.trace(Event{Kind: EventSkip, Node: n, Reason: r})
			return
		}
	} else if s.cfg.Resolver == nil {
		s.trace(Event{Kind: EventSkip, Node: n, Reason: SkipNoAddr})
	}
	if st := s.static[id]; st != nil {
		if n.Seq() >= st.node.Seq() {
			st.node = n
		}
	} else {
		s.static[id] = &staticNode{node: n}
	}
	s.staticDirty = true
}

func (s *Scheduler) removeStatic(n *enode.Node) {
	if n == nil {
		return
	}
	id := n.ID()
	delete(s.static, id)
	if t := s.dialing[id]; t != nil && t.flags&StaticDialed != 0 {
		t.removed = true
		t.cancel()
	}
}

func (s *Scheduler) peerAdded(ev peerEvent) {
	if ev.node == nil {
		return
	}
	now := s.clock.Now()
	id := ev.node.ID()
	source := ""
	if t := s.dialing[id]; t != nil {
		t.sawAdd = true
		if ev.flags.outbound() {
			source = t.source
		}
	}
	if st := s.static[id]; st != nil && ev.node.Seq() > st.node.Seq() {
		st.node = ev.node
	}
	s.addPeer(ev.node, ev.flags, source, now)
	if ev.flags.outbound() {
		// The session qualifies for the warm restart as soon as it is up
		// (handshakes, Hello and a common protocol passed): remembering it
		// only when it ends would lose it to a crash. An end the peer is to
		// blame for forgets it again (peerRemoved).
		s.rememberGood(ev.node)
	}
}

// addPeer books a new peer; source is the label of the source we dialed it
// from, "" if we did not.
func (s *Scheduler) addPeer(n *enode.Node, flags Flags, source string, now mclock.AbsTime) {
	id := n.ID()
	if old := s.peers[id]; old != nil {
		s.dropPeer(old)
	}
	p := &peer{node: n, flags: flags, source: source, since: now}
	s.peers[id] = p
	if source != "" {
		s.sources.get(source).Peers++
	}
	if flags.outbound() {
		s.outPeers++
	}
	_, p.spread = s.guardPeer(n)
	s.peerless = false
}

// dropPeer releases what addPeer booked for p.
func (s *Scheduler) dropPeer(p *peer) {
	if p.source != "" {
		s.sources.get(p.source).Peers--
	}
	if p.flags.outbound() {
		s.outPeers--
	}
	s.releaseSubnet(p.spread)
}

func (s *Scheduler) peerRemoved(ev peerEvent) {
	if ev.node == nil {
		return
	}
	now := s.clock.Now()
	id := ev.node.ID()
	p := s.peers[id]
	if p == nil {
		return
	}
	delete(s.peers, id)
	s.dropPeer(p)
	if len(s.peers) == 0 {
		s.peerless = true
		s.fallbackAt = now.Add(s.cfg.PeerlessDelay)
	}

	class := classifySession(ev.reason)
	lasted := now.Sub(p.since)
	good := s.goodSession(class, lasted)
	if good {
		s.failures.clear(id)
		if p.flags.outbound() {
			s.rememberGood(ev.node)
		}
	} else if p.flags.outbound() && (class == ProtocolBreach || class == UselessPeer) {
		s.forgetGood(id)
	}
	if st := s.static[id]; st != nil {
		if good {
			st.fails = 0
			st.notBefore = 0
		} else {
			st.fails++
			st.notBefore = now.Add(staticBackoff(class, st.fails))
		}
		s.staticDirty = true
	} else if !good && Backoff(class, 1) > 0 {
		s.failures.record(id, class, now)
	}
	s.log.Debug("Peer removed", "id", id, "flags", p.flags, "class", class, "lasted", lasted, "good", good)
}

// goodSession decides whether a session was good: it ended without blame
// (no error, or the remote or we shut down), or it lasted GoodSession and
// did not end with the peer breaking the protocol or being useless.
func (s *Scheduler) goodSession(class FailureClass, lasted time.Duration) bool {
	switch class {
	case NoFailure, Quitting:
		return true
	case ProtocolBreach, UselessPeer:
		return false
	}
	return lasted >= s.cfg.GoodSession
}

// rememberGood records n in the peer memory for warm restarts.
func (s *Scheduler) rememberGood(n *enode.Node) {
	if s.cfg.DB == nil {
		return
	}
	// The database keeps wall-clock time: it must make sense after a restart.
	if err := s.cfg.DB.UpdatePeerSuccess(n, s.clock.Wall()); err != nil {
		s.log.Debug("Could not remember good peer", "id", n.ID(), "err", err)
	}
}

// forgetGood removes a peer remembered when its session began, because the
// session ended with the peer to blame.
func (s *Scheduler) forgetGood(id enode.ID) {
	if s.cfg.DB == nil {
		return
	}
	if err := s.cfg.DB.ForgetPeerSuccess(id); err != nil {
		s.log.Debug("Could not forget peer", "id", id, "err", err)
	}
}

// checkPeerless runs the fallback when the node has had no peer for
// PeerlessDelay: bootnodes are queued for dialing and OnPeerless is called
// to re-seed discovery. It repeats every peerlessRetryInterval.
func (s *Scheduler) checkPeerless(now mclock.AbsTime) {
	if !s.peerless || now < s.fallbackAt {
		return
	}
	s.fallbackAt = now.Add(peerlessRetryInterval)
	s.trace(Event{Kind: EventPeerless})
	s.log.Debug("No peers, dialing bootnodes", "bootnodes", len(s.cfg.Bootnodes))
	for _, n := range s.cfg.Bootnodes {
		if !s.isQueued(n.ID()) {
			s.queue = append(s.queue, queued{n, WhyBootnode})
		}
	}
	if s.cfg.OnPeerless != nil && !s.hookRunning {
		s.hookRunning = true
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.cfg.OnPeerless()
			select {
			case s.hookDone <- struct{}{}:
			case <-s.quit:
			}
		}()
	}
}

func (s *Scheduler) isQueued(id enode.ID) bool {
	for _, q := range s.queue {
		if q.node.ID() == id {
			return true
		}
	}
	return false
}

// reachable returns n with its endpoint in a family of Config.Families (see
// enode.Node.ForFamilies), or nil, after tracing the skip, when its record
// has no address there.
func (s *Scheduler) reachable(n *enode.Node) *enode.Node {
	f := s.cfg.Families
	if f == 0 {
		return n
	}
	r := n.ForFamilies(f)
	if r == nil {
		s.trace(Event{Kind: EventSkip, Node: n, Reason: SkipFamily})
	}
	return r
}
