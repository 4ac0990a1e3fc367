package rlpx

import (
	"fmt"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/crypto/ecies"
	"github.com/devp2p-go/devp2p/rlp"
)

// Handshake message formats (rlpx.md, Initial Handshake; eip-8.md).
const (
	sigLen   = crypto.SignatureLength // 65: R ‖ S ‖ V
	pubLen   = 64                     // public key X ‖ Y, without the 0x04 prefix
	nonceLen = 32
	hashLen  = 32

	// authVersion and ackVersion are auth-vsn and ack-vsn.
	authVersion = 4
	ackVersion  = 4

	// Pre-EIP-8 ("RLPx v4") messages are fixed-size ECIES ciphertexts of
	//   auth: sig ‖ keccak256(ephemeral-pubk) ‖ initiator-pubk ‖ nonce ‖ 0x00
	//   ack:  recipient-ephemeral-pubk ‖ nonce ‖ 0x00
	// which EIP-8 requires us to keep accepting.
	authPlainV4  = sigLen + hashLen + pubLen + nonceLen + 1 // 194
	ackPlainV4   = pubLen + nonceLen + 1                    // 97
	authPacketV4 = authPlainV4 + ecies.Overhead             // 307
	ackPacketV4  = ackPlainV4 + ecies.Overhead              // 210

	// maxHandshakeSize bounds the EIP-8 size prefix; larger prefixes are
	// rejected before the body is read (go-ethereum #30029, "2KB
	// maximum size for handshake messages"; reth uses the same).
	maxHandshakeSize = 2048

	// Random padding appended to EIP-8 messages: at least 100 bytes so they
	// are never mistaken for the 307-byte pre-EIP-8 format, and a random
	// amount up to 300 to vary the size (eip-8.md, Specification).
	minPadding = 100
	maxPadding = 300
)

// authMsg is auth-body = [sig, initiator-pubk, initiator-nonce, auth-vsn, ...].
type authMsg struct {
	Signature       [sigLen]byte
	InitiatorPubkey [pubLen]byte
	Nonce           [nonceLen]byte
	Version         uint64
	Rest            [][]byte // further list elements (EIP-8: ignored), raw RLP

	ephemeralHash [hashLen]byte // pre-EIP-8 only: keccak256(ephemeral-pubk)
}

// ackMsg is ack-body = [recipient-ephemeral-pubk, recipient-nonce, ack-vsn, ...].
type ackMsg struct {
	EphemeralPubkey [pubLen]byte
	Nonce           [nonceLen]byte
	Version         uint64
	Rest            [][]byte
}

// appendEIP8 appends the RLP encoding of the auth body.
func (m *authMsg) appendEIP8(b []byte) []byte {
	var content []byte
	content = appendString(content, m.Signature[:])
	content = appendString(content, m.InitiatorPubkey[:])
	content = appendString(content, m.Nonce[:])
	content = rlp.AppendUint64(content, m.Version)
	for _, r := range m.Rest {
		content = append(content, r...)
	}
	return appendList(b, content)
}

// appendEIP8 appends the RLP encoding of the ack body.
func (m *ackMsg) appendEIP8(b []byte) []byte {
	var content []byte
	content = appendString(content, m.EphemeralPubkey[:])
	content = appendString(content, m.Nonce[:])
	content = rlp.AppendUint64(content, m.Version)
	for _, r := range m.Rest {
		content = append(content, r...)
	}
	return appendList(b, content)
}

// appendV4 appends the pre-EIP-8 ack plaintext (97 bytes).
func (m *ackMsg) appendV4(b []byte) []byte {
	b = append(b, m.EphemeralPubkey[:]...)
	b = append(b, m.Nonce[:]...)
	return append(b, 0) // known-peer flag, always 0
}

// decodeAuth decodes an auth plaintext in EIP-8 (RLP) or pre-EIP-8 format.
func decodeAuth(plain []byte, eip8 bool) (*authMsg, error) {
	m := new(authMsg)
	if !eip8 {
		if len(plain) != authPlainV4 {
			return nil, fmt.Errorf("%w: pre-EIP-8 auth of %d bytes", ErrUnknownFormat, len(plain))
		}
		b := plain
		b = b[copy(m.Signature[:], b):]
		b = b[copy(m.ephemeralHash[:], b):]
		b = b[copy(m.InitiatorPubkey[:], b):]
		copy(m.Nonce[:], b)
		m.Version = authVersion
		return m, nil
	}
	// Trailing bytes after the list are the padding; extra list elements are
	// allowed and kept raw (EIP-8: ignore them, ignore auth-vsn).
	content, _, err := rlp.SplitList(plain)
	if err != nil {
		return nil, fmt.Errorf("%w: auth: %w", ErrUnknownFormat, err)
	}
	if content, err = splitFixed(content, m.Signature[:], "signature"); err != nil {
		return nil, err
	}
	if content, err = splitFixed(content, m.InitiatorPubkey[:], "initiator-pubk"); err != nil {
		return nil, err
	}
	if content, err = splitFixed(content, m.Nonce[:], "nonce"); err != nil {
		return nil, err
	}
	if m.Version, m.Rest, err = splitVersionRest(content); err != nil {
		return nil, err
	}
	return m, nil
}

// decodeAck decodes an ack plaintext in EIP-8 (RLP) or pre-EIP-8 format.
func decodeAck(plain []byte, eip8 bool) (*ackMsg, error) {
	m := new(ackMsg)
	if !eip8 {
		if len(plain) != ackPlainV4 {
			return nil, fmt.Errorf("%w: pre-EIP-8 ack of %d bytes", ErrUnknownFormat, len(plain))
		}
		copy(m.Nonce[:], plain[copy(m.EphemeralPubkey[:], plain):])
		m.Version = ackVersion
		return m, nil
	}
	content, _, err := rlp.SplitList(plain)
	if err != nil {
		return nil, fmt.Errorf("%w: ack: %w", ErrUnknownFormat, err)
	}
	if content, err = splitFixed(content, m.EphemeralPubkey[:], "recipient-ephemeral-pubk"); err != nil {
		return nil, err
	}
	if content, err = splitFixed(content, m.Nonce[:], "nonce"); err != nil {
		return nil, err
	}
	if m.Version, m.Rest, err = splitVersionRest(content); err != nil {
		return nil, err
	}
	return m, nil
}

// splitFixed reads an RLP string of exactly len(dst) bytes into dst.
func splitFixed(b, dst []byte, field string) ([]byte, error) {
	v, rest, err := rlp.SplitString(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", ErrUnknownFormat, field, err)
	}
	if len(v) != len(dst) {
		return nil, fmt.Errorf("%w: %s is %d bytes, want %d", ErrUnknownFormat, field, len(v), len(dst))
	}
	copy(dst, v)
	return rest, nil
}

// splitVersionRest reads the version and keeps any further elements raw.
func splitVersionRest(b []byte) (uint64, [][]byte, error) {
	vsn, b, err := rlp.SplitUint64(b)
	if err != nil {
		return 0, nil, fmt.Errorf("%w: version: %w", ErrUnknownFormat, err)
	}
	var rest [][]byte
	for len(b) > 0 {
		_, _, tail, err := rlp.Split(b)
		if err != nil {
			return 0, nil, fmt.Errorf("%w: extra element: %w", ErrUnknownFormat, err)
		}
		rest = append(rest, b[:len(b)-len(tail)])
		b = tail
	}
	return vsn, rest, nil
}

// appendString appends the RLP encoding of a byte string of 2..2^16-1 bytes
// (every string the handshake writes is in that range).
func appendString(b, s []byte) []byte {
	return append(appendHeader(b, 0x80, len(s)), s...)
}

// appendList appends an RLP list with the given encoded content.
func appendList(b, content []byte) []byte {
	return append(appendHeader(b, 0xc0, len(content)), content...)
}

// appendHeader appends an RLP string (base 0x80) or list (base 0xc0) header
// for a payload of n < 2^16 bytes.
func appendHeader(b []byte, base byte, n int) []byte {
	switch {
	case n < 56:
		return append(b, base+byte(n))
	case n < 256:
		return append(b, base+56, byte(n))
	default:
		return append(b, base+57, byte(n>>8), byte(n))
	}
}
