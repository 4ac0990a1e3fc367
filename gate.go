package devp2p

import (
	"net"

	"github.com/devp2p-go/devp2p/enode"
)

// Gate lets an application refuse connections at three stages of their
// setup, as go-libp2p's ConnectionGater does. Each method returns nil to let
// the connection go on, or the DiscReason to refuse it with (another error
// refuses it with the DiscReason it wraps, or DiscUselessPeer).
//
// The server's own limits form the default gate and are always applied:
// NetRestrict, the inbound throttle and the pending handshake slots at
// StageAccept (MaxPendingPeers in all, a few per host and subnet; when all
// are taken a connection from a less crowded subnet takes over the slot of
// an unauthenticated one from the most crowded, which then fails at
// StageSecured); the self check, one connection per node, MaxPeers, the
// inbound share and the inbound caps per host and subnet at StageSecured
// and again at StageHello, with trusted nodes bypassing the limits; a
// shared protocol at StageHello. Config.LANExempt says which LAN sources
// skip the per-host and per-subnet limits. Config.Gate is asked in
// addition: a connection goes on only when both allow it.
//
// The methods run on the server's goroutines and must not block for long:
// InterceptAccept holds up the listener. They may be called concurrently.
// Every verdict, the Gate's and the server's, is reported to
// Server.SubscribeVerdicts subscribers.
type Gate interface {
	// InterceptAccept is asked when the listener accepted a connection
	// from remote, before any handshake. A refused connection is closed
	// without a word: there is no session yet to carry the reason.
	// Connections handed to Server.SetupConn skip this stage.
	InterceptAccept(remote net.Addr) error
	// InterceptSecured is asked after the RLPx handshake, once the
	// remote's node ID is known, for inbound and dialed connections.
	InterceptSecured(inbound bool, id enode.ID, remote net.Addr) error
	// InterceptHello is asked after the Hello exchange, with the client
	// name and capabilities the remote announced (peer-controlled).
	InterceptHello(id enode.ID, name string, caps []Cap) error
}

// GateFuncs is a Gate made of functions; a nil function allows everything
// at its stage.
type GateFuncs struct {
	Accept  func(remote net.Addr) error
	Secured func(inbound bool, id enode.ID, remote net.Addr) error
	Hello   func(id enode.ID, name string, caps []Cap) error
}

func (g GateFuncs) InterceptAccept(remote net.Addr) error {
	if g.Accept == nil {
		return nil
	}
	return g.Accept(remote)
}

func (g GateFuncs) InterceptSecured(inbound bool, id enode.ID, remote net.Addr) error {
	if g.Secured == nil {
		return nil
	}
	return g.Secured(inbound, id, remote)
}

func (g GateFuncs) InterceptHello(id enode.ID, name string, caps []Cap) error {
	if g.Hello == nil {
		return nil
	}
	return g.Hello(id, name, caps)
}

// Stage is a point of a connection's setup where the server decides
// whether it goes on.
type Stage uint8

const (
	// StageAccept: the listener accepted the connection; only the remote
	// address is known.
	StageAccept Stage = iota + 1
	// StageSecured: the RLPx handshake is done (or failed); the remote's
	// node ID is known.
	StageSecured
	// StageHello: Hello was exchanged (or the exchange failed); the
	// remote's name and capabilities are known.
	StageHello
)

func (s Stage) String() string {
	switch s {
	case StageAccept:
		return "accept"
	case StageSecured:
		return "secured"
	case StageHello:
		return "hello"
	}
	return "unknown stage"
}

// Verdict is the server's decision on a connection at one stage of its
// setup: allowed, or refused by the server's limits, by Config.Gate, or by
// the failure of that stage's handshake.
type Verdict struct {
	Stage   Stage
	Allowed bool
	// Reason is why the connection was refused: the DiscReason sent to the
	// remote when the session could carry it, DiscNetworkError when the
	// connection broke. Zero when Allowed.
	Reason DiscReason
	// Err is the refusal or the failure itself, nil when Allowed.
	Err error
	// ID is the remote's node ID, zero at StageAccept and when the RLPx
	// handshake failed.
	ID      enode.ID
	Addr    net.Addr // the remote address
	Inbound bool
}

// SubscribeVerdicts registers ch for verdicts on connections in setup. As
// with SubscribeEvents, delivery never blocks the server: a verdict that
// does not fit in ch's buffer is dropped and counted.
func (srv *Server) SubscribeVerdicts(ch chan<- *Verdict) *Subscription {
	return srv.verdictFeed.subscribe(ch)
}

// sendVerdict reports a verdict, when anyone listens.
func (srv *Server) sendVerdict(stage Stage, inbound bool, id enode.ID, addr net.Addr, err error) {
	srv.metrics.verdict(stage, inbound, err)
	if !srv.verdictFeed.active() {
		return
	}
	v := &Verdict{Stage: stage, Allowed: err == nil, Err: err, ID: id, Addr: addr, Inbound: inbound}
	if err != nil {
		v.Reason = reasonOr(err, DiscNetworkError)
	}
	srv.verdictFeed.send(v)
}

// gateRefusal is what a Gate's refusal ends the setup with: the reason it
// returned, or DiscUselessPeer wrapping an error that carries none.
func gateRefusal(err error) error {
	if err == nil {
		return nil
	}
	if _, ok := reasonFor(err); ok {
		return err
	}
	return &peerError{reason: DiscUselessPeer, msg: "refused by gate: " + err.Error()}
}
