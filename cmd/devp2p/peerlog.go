package main

import (
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/enode"
)

// peerEventBuffer holds the add/drop events of a burst of connections; an
// event that does not fit is lost (and counted by the subscription), never
// blocking the Server.
const peerEventBuffer = 256

// dropHints explain the reasons a newcomer meets most, in the node's terms.
var dropHints = map[string]string{
	devp2p.DiscUselessPeer.String():  "no common sub-protocol: devp2p node runs none, so clients that need one (execution clients need eth) drop it",
	devp2p.DiscTooManyPeers.String(): "the peer has no free slot",
}

// peerSession is what the watcher remembers of a running peer, to say at
// its end who it was.
type peerSession struct {
	name  string
	caps  string
	since time.Time
}

// watchPeerDrops logs at Info, once per peer session, why the session
// ended: the disconnect reason either side gave, or the error that ended
// it. The Server logs the details at Debug; this line is for a user at the
// default level who wonders why peers come and go. The returned function
// stops the watcher and waits for it (more calls do nothing); call it before stopping the Server,
// so that the shutdown's own disconnects are not logged one by one.
func watchPeerDrops(srv *devp2p.Server, log *slog.Logger) (stop func()) {
	events := make(chan *devp2p.PeerEvent, peerEventBuffer)
	sub := srv.SubscribeEvents(events)
	quit, done := make(chan struct{}), make(chan struct{})
	go func() {
		defer close(done)
		sessions := make(map[enode.ID]peerSession)
		for {
			select {
			case ev := <-events:
				switch ev.Type {
				case devp2p.PeerEventTypeAdd:
					sessions[ev.Peer] = describePeer(srv, ev.Peer)
				case devp2p.PeerEventTypeDrop:
					s := sessions[ev.Peer]
					delete(sessions, ev.Peer)
					logDrop(log, ev, s)
				}
			case <-quit:
				return
			}
		}
	}()
	return sync.OnceFunc(func() {
		sub.Unsubscribe()
		close(quit)
		<-done
	})
}

// describePeer looks up a just-added peer's name and capabilities. A peer
// gone again already is described by its drop event alone.
func describePeer(srv *devp2p.Server, id enode.ID) peerSession {
	s := peerSession{since: time.Now()}
	for _, p := range srv.Peers() {
		if p.ID() == id {
			s.name = p.Name()
			var caps []string
			for _, c := range p.Caps() {
				caps = append(caps, c.String())
			}
			s.caps = strings.Join(caps, " ")
		}
	}
	return s
}

func logDrop(log *slog.Logger, ev *devp2p.PeerEvent, s peerSession) {
	args := []any{"peer", ev.Peer.TerminalString(), "addr", ev.RemoteAddress}
	if s.name != "" {
		args = append(args, "name", s.name)
	}
	if s.caps != "" {
		args = append(args, "caps", s.caps)
	}
	if !s.since.IsZero() {
		args = append(args, "after", time.Since(s.since).Round(time.Millisecond))
	}
	args = append(args, "reason", ev.Error)
	if hint, ok := dropHints[ev.Error]; ok {
		args = append(args, "why", hint)
	}
	log.Info("Peer dropped", args...)
}
