package devp2p

import (
	"net"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/internal/dial"
)

// connFlag says how a connection came to be. It is the dial scheduler's
// Flags type, so flags pass between the two without conversion.
type connFlag = dial.Flags

const (
	dynDialedConn    = dial.DynDialed
	staticDialedConn = dial.StaticDialed
	trustedConn      = dial.Trusted
	inboundConn      = dial.Inbound
)

// dialScheduler is what the Server needs from the dial scheduler. It is an
// interface so that tests can run the Server with a fake or none at all.
type dialScheduler interface {
	Stop()
	AddStatic(n *enode.Node)
	RemoveStatic(n *enode.Node)
	PeerAdded(n *enode.Node, flags dial.Flags)
	PeerRemoved(n *enode.Node, flags dial.Flags, reason error)
	Stats() dial.Stats
}

// DialStats is a snapshot of the dial scheduler, for status lines and
// metrics (Server.DialStats).
type DialStats struct {
	// Dialing is the number of dials running: TCP connect, RLPx and Hello
	// handshakes until the peer is added or refused. At most 16 at once.
	Dialing int
	// DynamicDialing is the part of Dialing that goes to dynamic
	// candidates (discovery, remembered good peers, bootnodes); the rest
	// are static nodes.
	DynamicDialing int
	// DialedPeers is the number of connected peers we dialed, static ones
	// included; MaxDialedPeers (MaxPeers/DialRatio) bounds the dynamic ones.
	DialedPeers    int
	MaxDialedPeers int
	// StaticNodes is the number of static nodes, connected or not.
	StaticNodes int
	// Queued is the number of remembered good peers and bootnodes waiting
	// for a free dial slot.
	Queued int
	// Recent is the number of nodes dialed recently: they are not dialed
	// again before the dial history (35 s) expires.
	Recent int
	// BackingOff is the number of nodes (static or not) whose dial or
	// session failed and that wait out a backoff before the next dial.
	BackingOff int
	// Peerless is true while the node has no peer at all.
	Peerless bool
	// Sources counts candidates, dials and dialed peers per candidate
	// source, by label (SourceDiscv4, SourceDNS, SourceStatic, ...). Only
	// sources that offered a node or were dialed appear.
	Sources map[string]DialSourceStats
}

// DialStats returns a snapshot of the dial scheduler: dials running, static
// nodes, dialed peers and the like. It is the zero value when the server is
// not running or does not dial (NoDial).
func (srv *Server) DialStats() DialStats {
	srv.mu.Lock()
	sched, running := srv.dialsched, srv.state == stateRunning
	srv.mu.Unlock()
	if sched == nil || !running {
		return DialStats{}
	}
	st := sched.Stats() // zero once the scheduler stopped
	return DialStats{
		Dialing:        st.Dialing,
		DynamicDialing: st.DynDialing,
		DialedPeers:    st.OutboundPeers,
		MaxDialedPeers: srv.cfg.maxDialedConns(),
		StaticNodes:    st.Static,
		Queued:         st.Queued,
		Recent:         st.History,
		BackingOff:     st.BackingOff,
		Peerless:       st.Peerless,
		Sources:        sourceStats(st.Sources),
	}
}

// failureClass tells the dial scheduler how a connection that ended with
// reason went, so that it can tell "try later" from "give up".
func failureClass(reason DiscReason) dial.FailureClass {
	switch reason {
	case DiscRequested:
		return dial.Requested
	case DiscNetworkError, DiscReadTimeout:
		return dial.NetworkError
	case DiscTooManyPeers:
		return dial.TooManyPeers
	case DiscAlreadyConnected:
		return dial.AlreadyConnected
	case DiscQuitting:
		return dial.Quitting
	case DiscUselessPeer, DiscIncompatibleVersion, DiscSelf:
		return dial.UselessPeer
	default: // DiscProtocolError, DiscSubprotocolError, the identity reasons, unknown ones
		return dial.ProtocolBreach
	}
}

// classified is an error the dial scheduler classifies by the DiscReason
// it carries (dial.Classifier).
type classified struct {
	error
	class dial.FailureClass
}

func (e classified) DialFailureClass() dial.FailureClass { return e.class }
func (e classified) Unwrap() error                       { return e.error }

// forDial prepares an error for the dial scheduler: one that carries a
// DiscReason gets its class; others the scheduler classifies itself.
func forDial(err error) error {
	if r, ok := reasonFor(err); ok {
		return classified{err, failureClass(r)}
	}
	return err
}

// startDialer creates the dial scheduler, which reads its candidates from
// mix (Config.DialCandidates, the protocols' DialCandidates, the discovery
// iterators and the DNS lists, each labelled) and owns it from then on.
// It returns nil with NoDial.
func (srv *Server) startDialer(mix *enode.FairMix) *dial.Scheduler {
	if srv.cfg.NoDial {
		return nil
	}
	cfg := dial.Config{
		Self:         srv.localnode.ID(),
		MaxDialPeers: srv.cfg.maxDialedConns(),
		NetRestrict:  srv.cfg.NetRestrict,
		LANExempt:    srv.lanExempt,
		Bootnodes:    srv.cfg.BootstrapNodes,
		Clock:        srv.clock,
		Logger:       srv.log,
		DB:           srv.nodedb,
		Dialer:       srv.cfg.Dialer,
		Trace:        srv.metrics.dialTrace(),
	}
	if srv.disc != nil {
		cfg.Resolver = srv.disc.resolver()
		cfg.OnPeerless = srv.disc.peerless
	}
	if srv.listener != nil {
		// Dial only the address families we listen on: a peer that dials us
		// back, and discovery, use them too (enode.AddrFamilies).
		cfg.Families = enode.AddrFamilies(srv.listener.Addr())
	}
	sched := dial.New(cfg, mix, srv.setupDialed)
	for _, n := range srv.cfg.StaticNodes {
		sched.AddStatic(n)
	}
	srv.dialsched = sched
	return sched
}

// setupDialed is the scheduler's SetupFunc.
func (srv *Server) setupDialed(fd net.Conn, flags dial.Flags, dest *enode.Node) error {
	return forDial(srv.setupConn(fd, flags, dest))
}
