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

// run is the run loop: the one goroutine that owns the peer set. Connection
// setups ask it at two checkpoints whether a connection may proceed, and
// peers report here when they end, so the limits hold under any number of
// concurrent connects.
func (srv *Server) run() {
	defer srv.loopWG.Done()
	// State below is owned by run.
	var (
		peers        = make(map[enode.ID]*Peer)
		inboundCount = 0
		trusted      = make(map[enode.ID]bool, len(srv.cfg.TrustedNodes))
	)
	for _, n := range srv.cfg.TrustedNodes {
		trusted[n.ID()] = true
	}
	markTrusted := func(id enode.ID, on bool) {
		if p := peers[id]; p != nil {
			p.rw.set(trustedConn, on)
		}
	}

running:
	for {
		select {
		case <-srv.quit:
			break running

		case n := <-srv.addTrusted:
			trusted[n.ID()] = true
			markTrusted(n.ID(), true)

		case n := <-srv.removeTrusted:
			delete(trusted, n.ID())
			markTrusted(n.ID(), false)

		case op := <-srv.peerOp:
			op(peers)
			srv.peerOpDone <- struct{}{}

		case c := <-srv.postHandshake:
			if trusted[c.node.ID()] {
				c.set(trustedConn, true)
			}
			c.cont <- srv.postHandshakeChecks(peers, inboundCount, c)

		case c := <-srv.addPeer:
			err := srv.addPeerChecks(peers, inboundCount, c)
			if err == nil {
				p := srv.launchPeer(c)
				peers[c.node.ID()] = p
				if c.is(inboundConn) {
					inboundCount++
				}
				if srv.peerFeed.active() {
					srv.peerFeed.send(&PeerEvent{
						Type: PeerEventTypeAdd, Peer: p.ID(),
						RemoteAddress: p.RemoteAddr().String(), LocalAddress: p.LocalAddr().String(),
					})
				}
				srv.log.Debug("Adding p2p peer", "peer", c.node.ID().TerminalString(),
					"addr", c.fd.RemoteAddr(), "conn", c.connFlags(), "name", p.Name(), "peers", len(peers))
				if srv.dialsched != nil {
					srv.dialsched.PeerAdded(c.node, c.connFlags())
				}
			}
			c.cont <- err

		case pd := <-srv.delPeer:
			id := pd.p.ID()
			delete(peers, id)
			if pd.p.Inbound() {
				inboundCount--
			}
			srv.log.Debug("Removing p2p peer", "peer", id.TerminalString(),
				"duration", srv.clock.Now().Sub(pd.p.created), "peers", len(peers), "req", pd.remoteRequested, "err", pd.err)
			if srv.dialsched != nil {
				srv.dialsched.PeerRemoved(pd.p.Node(), pd.p.rw.connFlags(), pd.err)
			}
			// Sent after the peer left the set: a subscriber that reconnects
			// on "drop" is not refused as already connected.
			if srv.peerFeed.active() {
				srv.peerFeed.send(&PeerEvent{
					Type: PeerEventTypeDrop, Peer: id, Error: pd.err.Error(),
					RemoteAddress: pd.p.RemoteAddr().String(), LocalAddress: pd.p.LocalAddr().String(),
				})
			}
		}
	}

	// Shutdown: disconnect everyone and wait until every session ended.
	for _, p := range peers {
		p.Disconnect(DiscQuitting)
	}
	for len(peers) > 0 {
		pd := <-srv.delPeer
		delete(peers, pd.p.ID())
		if srv.peerFeed.active() {
			srv.peerFeed.send(&PeerEvent{Type: PeerEventTypeDrop, Peer: pd.p.ID(), Error: pd.err.Error(),
				RemoteAddress: pd.p.RemoteAddr().String(), LocalAddress: pd.p.LocalAddr().String()})
		}
	}
}

// postHandshakeChecks runs after the RLPx handshake, when the remote's
// identity is known: it refuses ourselves, duplicates and connections beyond
// the limits. Trusted nodes bypass the limits.
func (srv *Server) postHandshakeChecks(peers map[enode.ID]*Peer, inboundCount int, c *conn) error {
	switch {
	case c.node.ID() == srv.localnode.ID():
		return DiscSelf
	case peers[c.node.ID()] != nil:
		return DiscAlreadyConnected
	case !c.is(trustedConn) && len(peers) >= srv.cfg.MaxPeers:
		return DiscTooManyPeers
	case !c.is(trustedConn) && c.is(inboundConn) && inboundCount >= srv.cfg.maxInboundConns():
		return DiscTooManyPeers
	}
	return nil
}

// addPeerChecks runs after Hello: the peer must share a protocol, and the
// post-handshake checks are repeated because the peer set changed meanwhile.
func (srv *Server) addPeerChecks(peers map[enode.ID]*Peer, inboundCount int, c *conn) error {
	if len(srv.cfg.Protocols) > 0 && !hasMatchingProtocol(srv.cfg.Protocols, c.caps) {
		return DiscUselessPeer
	}
	return srv.postHandshakeChecks(peers, inboundCount, c)
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
