package devp2p

import (
	"errors"
	"fmt"
)

// DiscReason is the reason carried by a devp2p Disconnect message
// (https://github.com/ethereum/devp2p/blob/master/rlpx.md, "Disconnect
// (0x01)"). It implements error, so the reason a peer was dropped
// travels through the same paths as every other error.
type DiscReason uint8

// The reasons defined by the devp2p spec. 0x0c–0x0f are unassigned; a peer
// may still send them and we report them by number.
const (
	DiscRequested           DiscReason = 0x00
	DiscNetworkError        DiscReason = 0x01
	DiscProtocolError       DiscReason = 0x02
	DiscUselessPeer         DiscReason = 0x03
	DiscTooManyPeers        DiscReason = 0x04
	DiscAlreadyConnected    DiscReason = 0x05
	DiscIncompatibleVersion DiscReason = 0x06
	DiscInvalidIdentity     DiscReason = 0x07
	DiscQuitting            DiscReason = 0x08
	DiscUnexpectedIdentity  DiscReason = 0x09
	DiscSelf                DiscReason = 0x0a
	DiscReadTimeout         DiscReason = 0x0b
	DiscSubprotocolError    DiscReason = 0x10
)

var discReasonNames = [...]string{
	DiscRequested:           "disconnect requested",
	DiscNetworkError:        "network error",
	DiscProtocolError:       "breach of protocol",
	DiscUselessPeer:         "useless peer",
	DiscTooManyPeers:        "too many peers",
	DiscAlreadyConnected:    "already connected",
	DiscIncompatibleVersion: "incompatible p2p protocol version",
	DiscInvalidIdentity:     "invalid node identity",
	DiscQuitting:            "client quitting",
	DiscUnexpectedIdentity:  "unexpected identity",
	DiscSelf:                "connected to self",
	DiscReadTimeout:         "read timeout",
	DiscSubprotocolError:    "subprotocol error",
}

// String returns the reason's name as the spec words it.
func (d DiscReason) String() string {
	if int(d) < len(discReasonNames) && discReasonNames[d] != "" {
		return discReasonNames[d]
	}
	return fmt.Sprintf("unknown disconnect reason %d", uint8(d))
}

func (d DiscReason) Error() string { return d.String() }

// peerError is a local error that ends a peer session; reason is the
// DiscReason we send for it.
type peerError struct {
	reason DiscReason
	msg    string
}

func (e *peerError) Error() string { return e.msg }

func newPeerError(reason DiscReason, format string, args ...any) *peerError {
	return &peerError{reason: reason, msg: fmt.Sprintf(format, args...)}
}

// Errors of our own that end a session or a setup with DiscQuitting.
var (
	// errProtocolReturned ends a session whose protocol's Run returned nil.
	errProtocolReturned = newPeerError(DiscQuitting, "protocol returned")
	errServerStopped    = newPeerError(DiscQuitting, "server stopped")
)

// reasonFor is the one place an error becomes a DiscReason: the reason err
// carries, as a DiscReason (ours, or the remote's Disconnect) or a peerError
// anywhere in its chain. ok is false for an error that carries none (a
// broken connection, a protocol's own error); what that means depends on
// where it ended things, so callers use reasonOr there.
func reasonFor(err error) (r DiscReason, ok bool) {
	var pe *peerError
	switch {
	case errors.As(err, &r):
		return r, true
	case errors.As(err, &pe):
		return pe.reason, true
	}
	return 0, false
}

// reasonOr is reasonFor with the reason to use for an error carrying none.
func reasonOr(err error, fallback DiscReason) DiscReason {
	if r, ok := reasonFor(err); ok {
		return r
	}
	return fallback
}
