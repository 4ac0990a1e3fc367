package rlpx

import (
	"errors"
	"fmt"
)

// Sentinel errors a caller can branch on with errors.Is. Handshake failures
// come wrapped in a *HandshakeError; frame errors from Read wrap ErrBadMAC or
// ErrMessageTooLarge directly.
var (
	// ErrHandshakeTimeout means the handshake did not finish within its
	// deadline (HandshakeTimeout).
	ErrHandshakeTimeout = errors.New("handshake timeout")

	// ErrBadMAC means a message failed authentication: an auth or ack whose
	// ECIES envelope does not decrypt with our key (corrupted, or encrypted to
	// another node's key), or a frame whose header or body MAC is wrong.
	ErrBadMAC = errors.New("bad MAC")

	// ErrUnknownFormat means a handshake message is neither a valid EIP-8
	// packet nor a valid pre-EIP-8 packet: bad size prefix (0, too small, or
	// over maxHandshakeSize), undecodable RLP, missing or wrongly sized fields.
	ErrUnknownFormat = errors.New("unknown handshake message format")

	// ErrWrongIdentity means the remote presented a key that cannot be its
	// identity: a static or ephemeral public key that is not a valid
	// secp256k1 point (off the curve, coordinates >= p, infinity), or a
	// signature from which no ephemeral key can be recovered.
	ErrWrongIdentity = errors.New("invalid remote identity")

	// ErrMessageTooLarge means a message is at or over the size limit
	// (MaxMessageSize, or the lower limit set with SetMaxReadSize): a frame
	// whose header declares too much, a snappy block whose header claims too
	// much, or a Write of too much data.
	ErrMessageTooLarge = errors.New("message too large")
)

// Errors for misuse and malformed frames; not meant for branching.
var (
	errNoSession   = errors.New("rlpx: handshake not done")
	errHandshook   = errors.New("rlpx: handshake already done")
	errInvalidCode = errors.New("rlpx: invalid message code")
	errClosed      = errors.New("rlpx: connection closed")
	errNilAlloc    = errors.New("rlpx: ReadTo with a nil alloc")
)

// HandshakeError is the error returned by Conn.Handshake. Op names the step
// that failed ("write auth", "read ack", ...); Err wraps one of the sentinels
// above (when the failure falls in one of their classes) and the underlying
// cause, so errors.Is(err, ErrHandshakeTimeout) and errors.Is(err,
// os.ErrDeadlineExceeded) both work.
type HandshakeError struct {
	Op  string
	Err error
}

func (e *HandshakeError) Error() string { return "rlpx handshake: " + e.Op + ": " + e.Err.Error() }

func (e *HandshakeError) Unwrap() error { return e.Err }

// classify wraps err with the sentinel matching its class, unless it already
// carries one.
func classify(sentinel, err error) error {
	if errors.Is(err, sentinel) {
		return err
	}
	return fmt.Errorf("%w: %w", sentinel, err)
}
