package devp2p

import (
	"github.com/devp2p-go/devp2p/enode"
)

// peerDrop reports the end of a peer session to the run loop.
type peerDrop struct {
	p               *Peer
	err             error
	remoteRequested bool
}

type peerOpFunc func(map[enode.ID]*Peer)

// runState is what the run loop owns: the peer set and the connections in
// setup whose remote is known (checks.go decides on them).
type runState struct {
	peers   map[enode.ID]*Peer
	inbound int // inbound peers in peers
	trusted map[enode.ID]bool
	// setups holds, per remote ID, the connection that passed the
	// post-handshake check and is not a peer yet. A second connection to
	// the same node is decided against it (checks.go, tie-break).
	setups map[enode.ID]*conn
	// waiting holds connections that won the tie-break against a running
	// peer. The loser is disconnected; the winner joins when the loser's
	// drop arrives, so subscribers see "drop" before the new "add".
	waiting map[enode.ID]*conn
}

// run is the run loop: the one goroutine that owns the peer set. Connection
// setups ask it at two checkpoints whether a connection may proceed, and
// peers report here when they end, so the limits hold under any number of
// concurrent connects.
func (srv *Server) run() {
	defer srv.loopWG.Done()
	st := &runState{
		peers:   make(map[enode.ID]*Peer),
		trusted: make(map[enode.ID]bool, len(srv.cfg.TrustedNodes)),
		setups:  make(map[enode.ID]*conn),
		waiting: make(map[enode.ID]*conn),
	}
	for _, n := range srv.cfg.TrustedNodes {
		st.trusted[n.ID()] = true
	}
	markTrusted := func(id enode.ID, on bool) {
		if p := st.peers[id]; p != nil {
			p.rw.set(trustedConn, on)
		}
	}

running:
	for {
		select {
		case <-srv.quit:
			break running

		case n := <-srv.addTrusted:
			st.trusted[n.ID()] = true
			markTrusted(n.ID(), true)

		case n := <-srv.removeTrusted:
			delete(st.trusted, n.ID())
			markTrusted(n.ID(), false)

		case op := <-srv.peerOp:
			op(st.peers)
			srv.peerOpDone <- struct{}{}

		case c := <-srv.postHandshake:
			if st.trusted[c.node.ID()] {
				c.set(trustedConn, true)
			}
			err := srv.postHandshakeChecks(st, c)
			if err == nil {
				// A connection registered before under this ID lost
				// the tie-break to c; its add-peer check refuses it.
				st.setups[c.node.ID()] = c
			}
			c.cont <- err

		case c := <-srv.setupEnded:
			// c failed between the checkpoints (Hello).
			if st.setups[c.node.ID()] == c {
				delete(st.setups, c.node.ID())
			}

		case c := <-srv.addPeer:
			id := c.node.ID()
			err := srv.addPeerChecks(st, c)
			if st.setups[id] == c {
				delete(st.setups, id)
			}
			if err != nil {
				c.cont <- err
				continue
			}
			if p := st.peers[id]; p != nil {
				// c won the tie-break against the running session p
				// (addPeerChecks refuses every other duplicate).
				srv.log.Debug("Replacing p2p peer with the connection dialed by the lower ID",
					"peer", id.TerminalString(), "old", p.rw.connFlags(), "new", c.connFlags())
				st.waiting[id] = c
				p.Disconnect(DiscAlreadyConnected)
				continue // c.cont is answered when p's drop arrives
			}
			srv.addToPeers(st, c)
			c.cont <- nil

		case pd := <-srv.delPeer:
			id := pd.p.ID()
			delete(st.peers, id)
			if pd.p.Inbound() {
				st.inbound--
			}
			srv.log.Debug("Removing p2p peer", "peer", id.TerminalString(), "addr", pd.p.RemoteAddr(),
				"duration", srv.clock.Now().Sub(pd.p.created), "peers", len(st.peers), "req", pd.remoteRequested, "err", pd.err)
			w := st.waiting[id]
			if w == nil && srv.dialsched != nil {
				// With a successor waiting, PeerAdded below replaces the
				// scheduler's record: it never sees the node as gone, so
				// it neither redials it nor books a failure.
				srv.dialsched.PeerRemoved(pd.p.Node(), pd.p.rw.connFlags(), pd.err)
			}
			// Sent after the peer left the set: a subscriber that reconnects
			// on "drop" is not refused as already connected.
			srv.sendDropEvent(pd)
			if w != nil {
				delete(st.waiting, id)
				srv.addToPeers(st, w)
				w.cont <- nil
			}
		}
	}

	// Shutdown: refuse the connections waiting to replace a peer, disconnect
	// everyone and wait until every session ended.
	for id, c := range st.waiting {
		delete(st.waiting, id)
		c.cont <- errServerStopped
	}
	for _, p := range st.peers {
		p.Disconnect(DiscQuitting)
	}
	for len(st.peers) > 0 {
		pd := <-srv.delPeer
		delete(st.peers, pd.p.ID())
		srv.sendDropEvent(pd)
	}
}

// addToPeers starts the session of an accepted connection and reports it.
func (srv *Server) addToPeers(st *runState, c *conn) {
	// From here the run loop owns c: Stop must disconnect it with
	// DiscQuitting as a peer, not cut it as a connection in setup.
	srv.untrackPending(c)
	p := srv.launchPeer(c)
	st.peers[c.node.ID()] = p
	if c.is(inboundConn) {
		st.inbound++
	}
	if srv.peerFeed.active() {
		srv.peerFeed.send(&PeerEvent{
			Type: PeerEventTypeAdd, Peer: p.ID(),
			RemoteAddress: p.RemoteAddr().String(), LocalAddress: p.LocalAddr().String(),
		})
	}
	srv.log.Debug("Adding p2p peer", "peer", c.node.ID().TerminalString(),
		"addr", c.fd.RemoteAddr(), "conn", c.connFlags(), "name", p.Name(), "peers", len(st.peers))
	if srv.dialsched != nil {
		srv.dialsched.PeerAdded(c.node, c.connFlags())
	}
}

func (srv *Server) sendDropEvent(pd peerDrop) {
	if srv.peerFeed.active() {
		srv.peerFeed.send(&PeerEvent{
			Type: PeerEventTypeDrop, Peer: pd.p.ID(), Error: pd.err.Error(),
			RemoteAddress: pd.p.RemoteAddr().String(), LocalAddress: pd.p.LocalAddr().String(),
		})
	}
}

// launchPeer starts the session of an accepted connection.
func (srv *Server) launchPeer(c *conn) *Peer {
	p := newPeer(srv.log, srv.clock, c, srv.cfg.Protocols)
	if srv.cfg.EnableMsgEvents {
		p.events = &srv.peerFeed
	}
	go srv.runPeer(p)
	return p
}

// runPeer runs a session and reports its end. Its lifetime is covered by the
// run loop, which waits for every peer's drop before returning.
func (srv *Server) runPeer(p *Peer) {
	remoteRequested, err := p.run()
	srv.delPeer <- peerDrop{p, err, remoteRequested}
}

// doPeerOp runs fn on the run loop with the peer set. It does nothing when
// the server is not running.
func (srv *Server) doPeerOp(fn peerOpFunc) {
	quit := srv.quitChan()
	select {
	case srv.peerOp <- fn:
		<-srv.peerOpDone // the loop answers every op it took
	case <-quit:
	}
}
