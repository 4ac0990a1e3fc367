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

// run is the run loop: the one goroutine that owns the peer set, an
// admission value (admission.go). Connection setups ask it at two steps
// whether a connection may proceed, and peers report here when they end, so
// the limits hold under any number of concurrent connects. It only
// dispatches; admission decides.
func (srv *Server) run() {
	defer srv.runWG.Done()
	adm := newAdmission(srv.localnode.ID(), &srv.cfg)
	adm.lanExempt = srv.lanExempt
	for {
		select {
		case <-srv.quit:
			srv.shutdownPeers(adm)
			return
		case n := <-srv.addTrusted:
			adm.trust(n.ID(), true)
		case n := <-srv.removeTrusted:
			adm.trust(n.ID(), false)
		case m := <-srv.markStatic:
			adm.markStatic(m.id, m.on)
		case op := <-srv.peerOp:
			op(adm.peers)
			srv.peerOpDone <- struct{}{}
		case c := <-srv.securedStep:
			c.cont <- adm.secured(c)
		case c := <-srv.setupEnded:
			adm.setupEnded(c)
		case c := <-srv.addStep:
			srv.admit(adm, c)
		case pd := <-srv.delPeer:
			srv.peerDropped(adm, pd)
		}
	}
}

// admit carries out admission's decision on c after Hello.
func (srv *Server) admit(adm *admission, c *conn) {
	d := adm.add(c)
	switch {
	case d.refuse != nil:
		c.cont <- d.refuse
	case d.replace != nil:
		srv.log.Debug("Replacing p2p peer with the connection dialed by the lower ID",
			"peer", c.node.ID().TerminalString(), "old", d.replace.rw.connFlags(), "new", c.connFlags())
		d.replace.Disconnect(DiscAlreadyConnected) // c.cont is answered when its drop arrives
	default:
		srv.addToPeers(adm, c)
		c.cont <- nil
	}
}

// peerDropped handles the end of a session: the peer leaves the set, the
// dial scheduler and subscribers learn of it, and a connection waiting to
// replace it joins.
func (srv *Server) peerDropped(adm *admission, pd peerDrop) {
	w := adm.dropped(pd.p)
	srv.log.Debug("Removing p2p peer", "peer", pd.p.ID().TerminalString(), "addr", pd.p.RemoteAddr(),
		"duration", srv.clock.Now().Sub(pd.p.created), "peers", len(adm.peers), "req", pd.remoteRequested, "err", pd.err)
	if w == nil && srv.dialsched != nil {
		// With a successor waiting, PeerAdded below replaces the
		// scheduler's record: it never sees the node as gone, so it
		// neither redials it nor books a failure.
		srv.dialsched.PeerRemoved(pd.p.Node(), pd.p.rw.connFlags(), forDial(pd.err))
	}
	// Sent after the peer left the set: a subscriber that reconnects on
	// "drop" is not refused as already connected.
	srv.sendDropEvent(pd)
	if w != nil {
		srv.addToPeers(adm, w)
		w.cont <- nil
	}
}

// shutdownPeers refuses the connections waiting to replace a peer,
// disconnects everyone and waits until every session ended.
func (srv *Server) shutdownPeers(adm *admission) {
	for _, c := range adm.shutdown() {
		c.cont <- errServerStopped
	}
	for _, p := range adm.peers {
		p.Disconnect(DiscQuitting)
	}
	for len(adm.peers) > 0 {
		pd := <-srv.delPeer
		adm.dropped(pd.p)
		srv.sendDropEvent(pd)
	}
}

// addToPeers starts the session of an accepted connection and reports it.
func (srv *Server) addToPeers(adm *admission, c *conn) {
	// From here the run loop owns c: Stop must disconnect it with
	// DiscQuitting as a peer, not cut it as a connection in setup.
	srv.untrackPending(c)
	p := srv.launchPeer(c)
	adm.added(p)
	srv.metrics.peerAdded(p)
	if srv.peerFeed.active() {
		srv.peerFeed.send(&PeerEvent{
			Type: PeerEventTypeAdd, Peer: p.ID(),
			RemoteAddress: p.RemoteAddr().String(), LocalAddress: p.LocalAddr().String(),
		})
	}
	srv.log.Debug("Adding p2p peer", "peer", c.node.ID().TerminalString(),
		"addr", c.fd.RemoteAddr(), "conn", c.connFlags(), "name", p.Name(), "peers", len(adm.peers))
	if srv.dialsched != nil {
		srv.dialsched.PeerAdded(c.node, c.connFlags())
	}
}

func (srv *Server) sendDropEvent(pd peerDrop) {
	srv.metrics.peerDropped(pd, srv.clock.Now())
	if srv.peerFeed.active() {
		srv.peerFeed.send(&PeerEvent{
			Type: PeerEventTypeDrop, Peer: pd.p.ID(), Error: pd.err.Error(), Err: pd.err,
			RemoteAddress: pd.p.RemoteAddr().String(), LocalAddress: pd.p.LocalAddr().String(),
		})
	}
}

// launchPeer starts the session of an accepted connection.
func (srv *Server) launchPeer(c *conn) *Peer {
	p := newPeer(srv.log, srv.clock, c, srv.cfg.Protocols)
	p.inbound = peerInbound(srv.inbound, srv.cfg.PeerInboundRate, p.running, srv.clock.Now())
	srv.metrics.attachTraffic(p)
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
