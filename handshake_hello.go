package devp2p

import (
	"bytes"
	"errors"
	"fmt"
	"unicode/utf8"

	"github.com/devp2p-go/devp2p/rlp"
)

// The base ("p2p") protocol's message codes (RLPx spec, "p2p" Capability:
// https://github.com/ethereum/devp2p/blob/master/rlpx.md).
const (
	handshakeMsg = 0x00
	discMsg      = 0x01
	pingMsg      = 0x02
	pongMsg      = 0x03
)

// Limits on the Hello message, checked before anything is allocated for its
// parts.
const (
	// baseProtocolVersion is the p2p version we announce; 5 adds snappy
	// (EIP-706). We compress only when the remote announces ≥ 5.
	baseProtocolVersion   = 5
	snappyProtocolVersion = 5

	// maxHelloSize bounds Hello and the Disconnect that may replace it. It is
	// go-ethereum's baseProtocolMaxMsgSize (2 KiB); a real Hello is ~200 bytes.
	maxHelloSize = 2 * 1024

	// maxHelloCaps bounds the capabilities we accept in one Hello. Clients
	// announce fewer than ten (eth/68, eth/69, snap/1, …); 256 leaves room for
	// 25× that while keeping capability matching cheap. A 2 KiB Hello could
	// carry ~680 empty caps, so the size limit alone is not a tight bound.
	maxHelloCaps = 256

	// maxHelloNameSize bounds clientId. Real names ("Geth/v1.17.0-stable-…/
	// linux-amd64/go1.26") are below 100 bytes.
	maxHelloNameSize = 512

	// maxCapNameSize bounds a capability name. The spec says "max eight
	// characters"; we accept up to 32 so that a slightly non-conforming peer
	// still matches on the protocols we share.
	maxCapNameSize = 32

	// pubkeySize is the size of the Hello nodeId: X ‖ Y of the node key.
	pubkeySize = 64
)

// protoHandshake is the Hello message:
// [protocolVersion, clientId, [[cap, version], …], listenPort, nodeId, …].
// Extra elements are ignored (EIP-8) but kept in Rest so that encoding a
// decoded Hello reproduces it.
type protoHandshake struct {
	Version    uint64
	Name       string
	Caps       []Cap
	ListenPort uint64
	ID         []byte // secp256k1 public key, X ‖ Y
	Rest       []rlp.RawValue
}

func (h *protoHandshake) encode() ([]byte, error) {
	caps := make([]any, len(h.Caps))
	for i, c := range h.Caps {
		caps[i] = []any{c.Name, uint64(c.Version)}
	}
	elems := []any{h.Version, h.Name, caps, h.ListenPort, h.ID}
	for _, r := range h.Rest {
		elems = append(elems, r)
	}
	return rlp.EncodeToBytes(elems)
}

var errHelloTooLarge = errors.New("hello message too large")

// decodeHello parses a Hello, enforcing the limits above. It never allocates
// more than the input holds and rejects structure it cannot bound. Errors
// are *peerError with DiscProtocolError (or DiscInvalidIdentity for a bad
// nodeId).
func decodeHello(b []byte) (*protoHandshake, error) {
	if len(b) > maxHelloSize {
		return nil, newPeerError(DiscProtocolError, "%v: %d bytes", errHelloTooLarge, len(b))
	}
	bad := func(what string, err error) error {
		return newPeerError(DiscProtocolError, "invalid hello %s: %v", what, err)
	}
	content, rest, err := rlp.SplitList(b)
	if err != nil {
		return nil, bad("list", err)
	}
	if len(rest) > 0 {
		return nil, bad("list", errors.New("trailing data"))
	}
	var h protoHandshake
	if h.Version, content, err = rlp.SplitUint64(content); err != nil {
		return nil, bad("version", err)
	}
	var name []byte
	if name, content, err = rlp.SplitString(content); err != nil {
		return nil, bad("name", err)
	}
	if len(name) > maxHelloNameSize {
		return nil, bad("name", fmt.Errorf("%d bytes, limit %d", len(name), maxHelloNameSize))
	}
	h.Name = string(name)
	var capsList []byte
	if capsList, content, err = rlp.SplitList(content); err != nil {
		return nil, bad("caps", err)
	}
	if h.Caps, err = decodeCaps(capsList); err != nil {
		return nil, bad("caps", err)
	}
	if h.ListenPort, content, err = rlp.SplitUint64(content); err != nil {
		return nil, bad("listen port", err)
	}
	var id []byte
	if id, content, err = rlp.SplitString(content); err != nil {
		return nil, bad("node id", err)
	}
	if len(id) != pubkeySize {
		return nil, newPeerError(DiscInvalidIdentity, "invalid hello node id: %d bytes", len(id))
	}
	if bytes.Equal(id, make([]byte, pubkeySize)) {
		return nil, newPeerError(DiscInvalidIdentity, "null node identity in hello")
	}
	h.ID = bytes.Clone(id)
	// EIP-8: further elements are ignored, but they must be well formed.
	for len(content) > 0 {
		_, _, r, err := rlp.Split(content)
		if err != nil {
			return nil, bad("extra element", err)
		}
		h.Rest = append(h.Rest, rlp.RawValue(bytes.Clone(content[:len(content)-len(r)])))
		content = r
	}
	return &h, nil
}

// decodeCaps parses [[name, version], …]. It counts the entries first, so the
// slice is sized by what is present and bounded by maxHelloCaps.
func decodeCaps(b []byte) ([]Cap, error) {
	n, err := rlp.CountValues(b)
	if err != nil {
		return nil, err
	}
	if n > maxHelloCaps {
		return nil, fmt.Errorf("%d capabilities, limit %d", n, maxHelloCaps)
	}
	caps := make([]Cap, 0, n)
	for len(b) > 0 {
		var elem []byte
		if elem, b, err = rlp.SplitList(b); err != nil {
			return nil, err
		}
		name, elem, err := rlp.SplitString(elem)
		if err != nil {
			return nil, err
		}
		if len(name) > maxCapNameSize {
			return nil, fmt.Errorf("capability name of %d bytes, limit %d", len(name), maxCapNameSize)
		}
		if !utf8.Valid(name) {
			return nil, errors.New("capability name is not UTF-8")
		}
		version, elem, err := rlp.SplitUint64(elem)
		if err != nil {
			return nil, err
		}
		if version > uint64(^uint(0)) {
			return nil, errors.New("capability version overflows")
		}
		// EIP-8: extra elements in a cap entry are ignored, like in Hello.
		if _, err := rlp.CountValues(elem); err != nil {
			return nil, err
		}
		caps = append(caps, Cap{Name: string(name), Version: uint(version)})
	}
	return caps, nil
}

// decodeDisconnect parses a Disconnect message. The spec form is [reason];
// some clients send the bare integer or an empty list, which we accept, as
// the message ends the session anyway.
func decodeDisconnect(b []byte) DiscReason {
	if content, _, err := rlp.SplitList(b); err == nil {
		b = content
	}
	if len(b) == 0 {
		return DiscRequested
	}
	v, _, err := rlp.SplitUint64(b)
	if err != nil || v > 0xff {
		return DiscRequested
	}
	return DiscReason(v)
}

// encodeDisconnect returns the payload of a Disconnect message: [reason].
func encodeDisconnect(r DiscReason) []byte {
	v := rlp.AppendUint64(nil, uint64(r))
	return append([]byte{0xc0 + byte(len(v))}, v...)
}
