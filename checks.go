package devp2p

import (
	"bytes"

	"github.com/devp2p-go/devp2p/enode"
)

// The run loop's two checks of a connection in setup, and the tie-break
// between two connections to the same node.
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
//     or peer) is refused with DiscAlreadyConnected, as before.
//   - A second connection in the opposite direction is compared: the loser
//     is refused with DiscAlreadyConnected. If the loser is still in setup
//     it is refused at its add-peer check. If it already runs as a peer, it
//     is disconnected once the winner has exchanged Hello (the remote did not
//     refuse the winner), and the winner joins when the loser's drop
//     arrives. Only in this last case does the loser show up to subscribers
//     (add, then drop) — when it became a peer before the winner's RLPx
//     handshake finished, which a simultaneous dial rarely allows.
//   - The winner takes the loser's place, so the inbound limit does not
//     apply to it (MaxPeers still does): a node dialing us while we dial it
//     would otherwise be refused as TooManyPeers on one side after the other
//     side dropped the loser, leaving no connection again.
//
// Against a remote that does not break ties (go-ethereum), nothing changes
// when the remote's choice happens to match ours; otherwise both
// connections may still end, as without the tie-break.

// postHandshakeChecks runs after the RLPx handshake, when the remote's
// identity is known: it refuses ourselves, duplicates and connections beyond
// the limits. Trusted nodes bypass the limits.
func (srv *Server) postHandshakeChecks(st *runState, c *conn) error {
	self := srv.localnode.ID()
	if c.node.ID() == self {
		return DiscSelf
	}
	superseded, replaced, err := duplicateCheck(st, c, self)
	if err != nil {
		return err
	}
	if superseded {
		// Remembered for the add-peer check, when the loser in setup is
		// no longer registered.
		c.wonTieBreak = true
	}
	if c.is(trustedConn) {
		return nil
	}
	peers := len(st.peers)
	if replaced {
		peers-- // c takes its place
	}
	switch {
	case peers >= srv.cfg.MaxPeers:
		return DiscTooManyPeers
	case c.is(inboundConn) && !c.wonTieBreak && st.inbound >= srv.cfg.maxInboundConns():
		return DiscTooManyPeers
	}
	return nil
}

// addPeerChecks runs after Hello: the connection must not have lost a
// tie-break meanwhile, the peer must share a protocol, and the
// post-handshake checks are repeated because the peer set changed meanwhile.
func (srv *Server) addPeerChecks(st *runState, c *conn) error {
	if st.setups[c.node.ID()] != c {
		return DiscAlreadyConnected // a connection dialed by the lower ID won
	}
	if len(srv.cfg.Protocols) > 0 && !hasMatchingProtocol(srv.cfg.Protocols, c.caps) {
		return DiscUselessPeer
	}
	return srv.postHandshakeChecks(st, c)
}

// duplicateCheck compares c with the other connections to the same node:
// a winner waiting to replace a peer, a connection in setup, a running peer.
// It refuses c with DiscAlreadyConnected unless c wins against each of them.
// superseded reports that c wins against another connection; replaced, that
// the one it wins against is a running peer.
func duplicateCheck(st *runState, c *conn, self enode.ID) (superseded, replaced bool, err error) {
	id := c.node.ID()
	if w := st.waiting[id]; w != nil && w != c {
		return false, false, DiscAlreadyConnected // decided already
	}
	if other := st.setups[id]; other != nil && other != c {
		if !beats(c, other, self) {
			return false, false, DiscAlreadyConnected
		}
		superseded = true
	}
	if p := st.peers[id]; p != nil {
		if !beats(c, p.rw, self) {
			return false, false, DiscAlreadyConnected
		}
		superseded, replaced = true, true
	}
	return superseded, replaced, nil
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
