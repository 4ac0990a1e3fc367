package dial

import (
	"context"
	"errors"
	"net"
	"os"
	"time"
)

// FailureClass says why a dial or a session failed. Each class drives its own
// backoff before the node is dialed again (see Backoff): a node that is merely
// full is retried soon, one that broke the protocol much later.
type FailureClass int

const (
	// NoFailure: the dial succeeded or the session ended without error.
	NoFailure FailureClass = iota
	// Unreachable: the TCP connection could not be opened (refused, no
	// route, dial timeout). Most such nodes sit behind NAT and never answer.
	Unreachable
	// HandshakeFailed: TCP connected but the RLPx or Hello handshake failed
	// (bad MAC, wrong identity, handshake timeout, garbage).
	HandshakeFailed
	// TooManyPeers: the remote is full (DiscTooManyPeers). Slots free up
	// often, so it is retried soon.
	TooManyPeers
	// AlreadyConnected: the remote already has a connection with us
	// (DiscAlreadyConnected), typically a simultaneous dial. Not the node's
	// fault; only the dial history applies.
	AlreadyConnected
	// NetworkError: an established session broke (read timeout, reset,
	// DiscNetworkError, DiscReadTimeout).
	NetworkError
	// Quitting: the remote is shutting down (DiscQuitting); it is likely back
	// after a restart.
	Quitting
	// Requested: the session was closed on request (DiscRequested), by us
	// (RemoveStatic, the Server dropping the peer) or by the remote.
	Requested
	// UselessPeer: no protocol in common, wrong network or genesis,
	// incompatible version (DiscUselessPeer, DiscIncompatibleVersion,
	// DiscSelf). That does not change soon.
	UselessPeer
	// ProtocolBreach: the remote broke the protocol (DiscProtocolError,
	// DiscSubprotocolError, DiscInvalidIdentity, DiscUnexpectedIdentity, an
	// invalid message).
	ProtocolBreach

	numClasses
)

var classNames = [numClasses]string{
	NoFailure:        "none",
	Unreachable:      "unreachable",
	HandshakeFailed:  "handshake-failed",
	TooManyPeers:     "too-many-peers",
	AlreadyConnected: "already-connected",
	NetworkError:     "network-error",
	Quitting:         "quitting",
	Requested:        "requested",
	UselessPeer:      "useless-peer",
	ProtocolBreach:   "protocol-breach",
}

func (c FailureClass) String() string {
	if c >= 0 && c < numClasses {
		return classNames[c]
	}
	return "unknown"
}

// Backoffs of dynamic candidates by failure class: the first failure waits
// base, each further failure in a row doubles it, up to max. The dial
// history (35 s) applies on top, so bases below it only matter for how fast
// repeated failures grow.
var classBackoff = [numClasses]struct{ base, max time.Duration }{
	NoFailure: {0, 0},
	// Nodes behind NAT never become reachable; probe rarely.
	Unreachable: {5 * time.Minute, 2 * time.Hour},
	// A handshake failure is a broken or foreign stack; give it time.
	HandshakeFailed: {10 * time.Minute, 6 * time.Hour},
	// "Merely full": slots open up within minutes on a busy network.
	TooManyPeers: {1 * time.Minute, 10 * time.Minute},
	// A simultaneous dial; the history alone keeps us from racing again.
	AlreadyConnected: {0, 0},
	// A broken session says little about the node; the history is enough.
	NetworkError: {0, 0},
	// A restart takes a minute or two.
	Quitting: {2 * time.Minute, 30 * time.Minute},
	// Someone asked for the disconnect; do not push back in right away.
	Requested: {5 * time.Minute, time.Hour},
	// Wrong network or no shared protocol: it will not change soon.
	UselessPeer: {time.Hour, 24 * time.Hour},
	// A peer that broke the protocol is kept away for the longest.
	ProtocolBreach: {12 * time.Hour, 48 * time.Hour},
}

// Static nodes are wanted by the operator whatever their faults, so their
// backoff is the class backoff capped by this schedule: staticBackoffMin,
// doubling per failure in a row, up to staticBackoffMax. The dial history
// (35 s) applies on top.
const (
	staticBackoffMin = 5 * time.Second
	staticBackoffMax = 5 * time.Minute
)

// Resolve backoff (go-ethereum p2p/dial.go: initialResolveDelay 60 s,
// maxResolveDelay 1 h): a static node that discovery cannot find (or finds
// at the same endpoint) is looked up again only after this delay, doubling.
const (
	initialResolveDelay = 60 * time.Second
	maxResolveDelay     = time.Hour
)

// Backoff returns how long a dynamic candidate that failed with class c for
// the n-th time in a row (n ≥ 1) waits before it is dialed again.
func Backoff(c FailureClass, n int) time.Duration {
	if c < 0 || c >= numClasses {
		c = HandshakeFailed
	}
	return doubling(classBackoff[c].base, classBackoff[c].max, n)
}

// staticBackoff returns the wait of a static node after its n-th failure in
// a row with class c.
func staticBackoff(c FailureClass, n int) time.Duration {
	return min(Backoff(c, n), doubling(staticBackoffMin, staticBackoffMax, n))
}

// doubling returns base·2^(n-1), capped at limit.
func doubling(base, limit time.Duration, n int) time.Duration {
	d := base
	for i := 1; i < n && d < limit; i++ {
		d *= 2
	}
	return min(d, limit)
}

// Classifier is implemented by errors that know their failure class, such as
// the Server's DiscReason.
type Classifier interface {
	DialFailureClass() FailureClass
}

// Classify returns the failure class of err: nil is NoFailure; an error
// (anywhere in its chain) implementing Classifier gives its own class; a
// network error, timeout or cancellation is Unreachable; anything else is
// HandshakeFailed.
func Classify(err error) FailureClass {
	if err == nil {
		return NoFailure
	}
	var c Classifier
	if errors.As(err, &c) {
		return c.DialFailureClass()
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) ||
		errors.Is(err, context.Canceled) || errors.Is(err, os.ErrDeadlineExceeded) ||
		errors.Is(err, errNoEndpoint) || errors.Is(err, errDialTimeout) {
		return Unreachable
	}
	return HandshakeFailed
}

// classifySetup classifies an error of the SetupFunc: the TCP connection was
// open, so plain network trouble during the handshake is a handshake failure.
func classifySetup(err error) FailureClass {
	c := Classify(err)
	if c == Unreachable {
		return HandshakeFailed
	}
	return c
}

// classifySession classifies the reason an established session ended: only
// a Classifier (the Server's DiscReason) blames the peer; any other error is
// taken as the network breaking the session.
func classifySession(err error) FailureClass {
	var c Classifier
	switch {
	case err == nil:
		return NoFailure
	case errors.As(err, &c):
		return c.DialFailureClass()
	default:
		return NetworkError
	}
}
