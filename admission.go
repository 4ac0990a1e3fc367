package devp2p

import (
	"bytes"
	"net/netip"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/netutil"
)

// admission is the peer set and the rules that decide who joins it: no
// connection to ourselves, one connection per node (with the tie-break of
// simultaneous dials), MaxPeers and the inbound share, the trusted nodes
// that bypass both, and the winners waiting for the peer they replace.
//
// It is a plain value: its methods take a decision and record it, and touch
// no socket, so tests drive it step by step. The server's run loop owns it;
// nothing else reads or writes it.
//
// Simultaneous dials (issue #5). When A and B dial each other at the same
// moment there are two connections, A→B and B→A, and each side sees both.
// A rule like "keep the first one that arrives" lets A keep A→B while B
// keeps B→A; each then refuses the other's choice and no peer remains
// (go-ethereum keeps the first and refuses the second as
// DiscAlreadyConnected, so it has this race). Here both sides keep the
// connection dialed by the node with the lower ID, which both compute the
// same way whatever the order the connections reach the checks in:
//
//   - A second connection in the same direction as an existing one (setup
//     or peer) is refused with DiscAlreadyConnected.
//   - A second connection in the opposite direction is compared: the loser
//     is refused with DiscAlreadyConnected. If the loser is still in setup
//     it is refused at its add step. If it already runs as a peer, it is
//     disconnected once the winner has exchanged Hello (the remote did not
//     refuse the winner), and the winner joins when the loser's drop
//     arrives. Only in this last case does the loser show up to subscribers
//     (add, then drop): when it became a peer before the winner's RLPx
//     handshake finished, which a simultaneous dial rarely allows.
//   - The winner takes the loser's place, so the inbound limit does not
//     apply to it (MaxPeers still does): a node dialing us while we dial it
//     would otherwise be refused as TooManyPeers on one side after the other
//     side dropped the loser, leaving no connection again.
//
// Against a remote that does not break ties (go-ethereum), nothing changes
// when the remote's choice happens to match ours; otherwise both
// connections may still end, as without the tie-break.
type admission struct {
	self       enode.ID
	maxPeers   int
	maxInbound int
	protocols  []Protocol // a peer must share one of them, when there are any

	peers   map[enode.ID]*Peer
	inbound int // inbound peers in peers
	trusted map[enode.ID]bool
	// setups holds, per remote ID, the connection that passed the secured
	// step and is not a peer yet. A second connection to the same node is
	// decided against it.
	setups map[enode.ID]setupEntry
	// waiting holds connections that won the tie-break against a running
	// peer. The loser is disconnected; the winner joins when the loser's
	// drop arrives, so subscribers see "drop" before the new "add".
	waiting map[enode.ID]*conn
	// spread counts inbound peers per host and subnet (diversity.go);
	// lanExempt says which sources skip its caps (Server.lanExempt; by
	// default every LAN address).
	spread    inboundSpread
	lanExempt func(netip.Addr) bool
	// static holds Config.StaticNodes and those of Server.AddPeer: their
	// inbound connections skip the caps per host and subnet, as their
	// dials skip the dialer's.
	static map[enode.ID]bool
}

// setupEntry is a connection between its secured and add steps.
type setupEntry struct {
	c *conn
	// wonTieBreak: c won against a connection in the opposite direction,
	// so it takes that one's place and the inbound limit does not apply.
	wonTieBreak bool
}

func newAdmission(self enode.ID, cfg *Config) *admission {
	a := &admission{
		self:       self,
		maxPeers:   cfg.MaxPeers,
		maxInbound: cfg.maxInboundConns(),
		protocols:  cfg.Protocols,
		peers:      make(map[enode.ID]*Peer),
		trusted:    make(map[enode.ID]bool, len(cfg.TrustedNodes)),
		setups:     make(map[enode.ID]setupEntry),
		waiting:    make(map[enode.ID]*conn),
		spread:     newInboundSpread(),
		lanExempt:  netutil.IsLAN,
		static:     make(map[enode.ID]bool, len(cfg.StaticNodes)),
	}
	for _, n := range cfg.StaticNodes {
		a.static[n.ID()] = true
	}
	for _, n := range cfg.TrustedNodes {
		a.trusted[n.ID()] = true
	}
	return a
}

// markStatic adds id to the static set (on) or removes it.
func (a *admission) markStatic(id enode.ID, on bool) {
	if on {
		a.static[id] = true
	} else {
		delete(a.static, id)
	}
}

// addDecision is the outcome of the add step.
type addDecision struct {
	refuse error // non-nil: c is refused with this DiscReason
	// replace, when set, is the running peer c won the tie-break against:
	// the caller disconnects it, and c joins when its drop arrives (dropped
	// returns c then).
	replace *Peer
}

// secured decides on c once the RLPx handshake told its remote: nil lets it
// go on to Hello, and registers it against other connections to that node.
// A trusted node's connection is marked trusted here.
func (a *admission) secured(c *conn) error {
	id := c.node.ID()
	if a.trusted[id] {
		c.set(trustedConn, true)
	}
	won, err := a.check(c, false)
	if err == nil {
		// A connection registered before under this ID lost the
		// tie-break to c; its add step refuses it.
		a.setups[id] = setupEntry{c, won}
	}
	return err
}

// setupEnded forgets c, which passed the secured step and failed before its
// add step (Hello), so that another connection to the node may proceed.
func (a *admission) setupEnded(c *conn) {
	if id := c.node.ID(); a.setups[id].c == c {
		delete(a.setups, id)
	}
}

// add decides on c after Hello. c must not have lost a tie-break meanwhile,
// must share a protocol, and the secured checks are repeated because the
// peer set changed meanwhile. On success without replace, the caller starts
// the session and reports it with added.
func (a *admission) add(c *conn) addDecision {
	id := c.node.ID()
	e := a.setups[id]
	if e.c != c {
		return addDecision{refuse: DiscAlreadyConnected} // a connection dialed by the lower ID won
	}
	delete(a.setups, id)
	if len(a.protocols) > 0 && !hasMatchingProtocol(a.protocols, c.caps) {
		return addDecision{refuse: DiscUselessPeer}
	}
	if _, err := a.check(c, e.wonTieBreak); err != nil {
		return addDecision{refuse: err}
	}
	if p := a.peers[id]; p != nil {
		// c won the tie-break against the running session p (check
		// refuses every other duplicate).
		a.waiting[id] = c
		return addDecision{replace: p}
	}
	return addDecision{}
}

// added records p, the session of a connection add allowed (directly or as
// the successor dropped returned).
func (a *admission) added(p *Peer) {
	a.peers[p.ID()] = p
	if p.Inbound() {
		a.inbound++
		a.spread.add(p.rw.node.IPAddr())
	}
}

// dropped removes p, whose session ended, and returns the connection
// waiting to replace it, if any; the caller starts that one's session.
func (a *admission) dropped(p *Peer) (successor *conn) {
	id := p.ID()
	if a.peers[id] == p {
		delete(a.peers, id)
		if p.Inbound() {
			a.inbound--
			a.spread.remove(p.rw.node.IPAddr())
		}
	}
	successor = a.waiting[id]
	delete(a.waiting, id)
	return successor
}

// trust adds id to the trusted set or removes it, and marks a connected
// peer at once.
func (a *admission) trust(id enode.ID, on bool) {
	if on {
		a.trusted[id] = true
	} else {
		delete(a.trusted, id)
	}
	if p := a.peers[id]; p != nil {
		p.rw.set(trustedConn, on)
	}
}

// shutdown empties the waiting list and returns its connections, to be
// refused: the server is stopping.
func (a *admission) shutdown() []*conn {
	var ws []*conn
	for id, c := range a.waiting {
		delete(a.waiting, id)
		ws = append(ws, c)
	}
	return ws
}

// check refuses ourselves, duplicates and connections beyond the limits
// (MaxPeers, the inbound share, the inbound caps per host and subnet);
// trusted nodes bypass the limits. wonBefore says c won a tie-break at its
// secured step, against a connection that may be gone by now. won reports
// that c wins against another connection to the same node. check changes
// nothing.
func (a *admission) check(c *conn, wonBefore bool) (won bool, err error) {
	if c.node.ID() == a.self {
		return false, DiscSelf
	}
	won, replaced, err := a.duplicate(c)
	if err != nil {
		return false, err
	}
	if c.is(trustedConn) {
		return won, nil
	}
	peers := len(a.peers)
	if replaced {
		peers-- // c takes its place
	}
	switch {
	case peers >= a.maxPeers:
		return false, DiscTooManyPeers
	case c.is(inboundConn) && !won && !wonBefore && a.inbound >= a.maxInbound:
		return false, DiscTooManyPeers
	}
	if c.is(inboundConn) && !won && !wonBefore && !a.static[c.node.ID()] {
		if ip := c.node.IPAddr(); !a.lanExempt(ip) {
			if err := a.spread.check(ip); err != nil {
				return false, err
			}
		}
	}
	return won, nil
}

// duplicate compares c with the other connections to the same node: a
// winner waiting to replace a peer, a connection in setup, a running peer.
// It refuses c with DiscAlreadyConnected unless c wins against each of them.
// won reports that c wins against another connection; replaced, that the
// one it wins against is a running peer.
func (a *admission) duplicate(c *conn) (won, replaced bool, err error) {
	id := c.node.ID()
	if w := a.waiting[id]; w != nil && w != c {
		return false, false, DiscAlreadyConnected // decided already
	}
	if other := a.setups[id].c; other != nil && other != c {
		if !beats(c, other, a.self) {
			return false, false, DiscAlreadyConnected
		}
		won = true
	}
	if p := a.peers[id]; p != nil {
		if !beats(c, p.rw, a.self) {
			return false, false, DiscAlreadyConnected
		}
		won, replaced = true, true
	}
	return won, replaced, nil
}

// beats reports whether c wins the tie-break against other, a connection to
// the same node: they go in opposite directions and c was dialed by the node
// with the lower ID. Connections in the same direction never beat each
// other: the first one stays.
func beats(c, other *conn, self enode.ID) bool {
	if c.is(inboundConn) == other.is(inboundConn) {
		return false
	}
	return c.is(inboundConn) != keepOutbound(self, c.node.ID())
}

// keepOutbound reports whether, between self and remote, the connection
// self dialed is the one to keep: self has the lower ID (bytewise).
func keepOutbound(self, remote enode.ID) bool {
	return bytes.Compare(self[:], remote[:]) < 0
}
