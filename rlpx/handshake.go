package rlpx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/subtle"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/crypto/ecies"
)

// HandshakeTimeout is the deadline for the whole handshake, auth and ack
// (go-ethereum's value).
const HandshakeTimeout = 5 * time.Second

// handshakeState is the throwaway state of one handshake (rlpx.md, Initial
// Handshake). runInitiator and runRecipient are the two roles, each a
// straight line of named steps.
type handshakeState struct {
	initiator bool
	prv       *ecdsa.PrivateKey
	rand      io.Reader // ephemeral key, nonce, padding, ECIES randomness

	remote          *ecdsa.PublicKey // remote-pubk (static)
	initNonce       [nonceLen]byte
	respNonce       [nonceLen]byte
	ephemeral       *ecdsa.PrivateKey // ephemeral-privkey
	remoteEphemeral *ecdsa.PublicKey  // remote-ephemeral-pubk

	eip8       bool   // the peer's auth was EIP-8; the ack answers in kind
	authPacket []byte // auth as on the wire, for the MAC states
	ackPacket  []byte
}

// runInitiator performs the initiator's side: send auth, receive ack.
func (h *handshakeState) runInitiator(conn io.ReadWriter, buf *readBuffer) (*secrets, error) {
	if err := h.generateEphemeral(h.initNonce[:]); err != nil {
		return nil, &HandshakeError{"generate keys", err}
	}
	auth, err := h.makeAuth()
	if err != nil {
		return nil, &HandshakeError{"make auth", err}
	}
	sealed, err := h.sealEIP8(auth.appendEIP8(nil))
	if err != nil {
		return nil, &HandshakeError{"seal auth", err}
	}
	if _, err := conn.Write(sealed); err != nil {
		return nil, ioError("write auth", err)
	}
	h.authPacket = sealed

	plain, packet, eip8, err := readPacket(conn, buf, h.prv, ackPlainV4)
	if err != nil {
		return nil, ioError("read ack", err)
	}
	ack, err := decodeAck(plain, eip8)
	if err != nil {
		return nil, &HandshakeError{"read ack", err}
	}
	h.ackPacket = packet
	h.respNonce = ack.Nonce
	if h.remoteEphemeral, err = importPubkey(ack.EphemeralPubkey[:]); err != nil {
		return nil, &HandshakeError{"read ack", fmt.Errorf("%w: ephemeral key: %w", ErrWrongIdentity, err)}
	}
	return h.secrets()
}

// runRecipient performs the recipient's side: receive auth, send ack.
func (h *handshakeState) runRecipient(conn io.ReadWriter, buf *readBuffer) (*secrets, error) {
	plain, packet, eip8, err := readPacket(conn, buf, h.prv, authPlainV4)
	if err != nil {
		return nil, ioError("read auth", err)
	}
	auth, err := decodeAuth(plain, eip8)
	if err != nil {
		return nil, &HandshakeError{"read auth", err}
	}
	h.authPacket, h.eip8 = packet, eip8
	if err := h.handleAuth(auth); err != nil {
		return nil, &HandshakeError{"read auth", err}
	}

	if err := h.generateEphemeral(h.respNonce[:]); err != nil {
		return nil, &HandshakeError{"generate keys", err}
	}
	ack, err := h.makeAck()
	if err != nil {
		return nil, &HandshakeError{"seal ack", err}
	}
	if _, err := conn.Write(ack); err != nil {
		return nil, ioError("write ack", err)
	}
	h.ackPacket = ack
	return h.secrets()
}

func (h *handshakeState) secrets() (*secrets, error) {
	s, err := h.deriveSecrets()
	if err != nil {
		return nil, &HandshakeError{"derive secrets", err}
	}
	return s, nil
}

// generateEphemeral makes the ephemeral key and our nonce, in that order,
// from h.rand.
func (h *handshakeState) generateEphemeral(nonce []byte) error {
	var d [32]byte
	for tries := 0; ; tries++ {
		if _, err := io.ReadFull(h.rand, d[:]); err != nil {
			return err
		}
		key, err := crypto.ToECDSA(d[:])
		if err == nil {
			h.ephemeral = key
			break
		}
		if tries == 10 { // p(invalid scalar) ≈ 2^-128: the reader is broken
			return err
		}
	}
	_, err := io.ReadFull(h.rand, nonce)
	return err
}

// makeAuth builds auth-body. sig signs static-shared-secret ^ nonce with the
// ephemeral key, so the recipient recovers the ephemeral public key from it.
func (h *handshakeState) makeAuth() (*authMsg, error) {
	ss, err := crypto.ECDH(h.prv, h.remote)
	if err != nil {
		return nil, err
	}
	var signed [32]byte
	subtle.XORBytes(signed[:], ss, h.initNonce[:])
	sig, err := crypto.Sign(signed[:], h.ephemeral)
	if err != nil {
		return nil, err
	}
	m := &authMsg{Nonce: h.initNonce, Version: authVersion}
	copy(m.Signature[:], sig)
	copy(m.InitiatorPubkey[:], crypto.FromECDSAPub(&h.prv.PublicKey)[1:])
	return m, nil
}

// handleAuth checks the initiator's keys and recovers its ephemeral key.
func (h *handshakeState) handleAuth(m *authMsg) error {
	var err error
	if h.remote, err = importPubkey(m.InitiatorPubkey[:]); err != nil {
		return fmt.Errorf("%w: initiator key: %w", ErrWrongIdentity, err)
	}
	h.initNonce = m.Nonce
	ss, err := crypto.ECDH(h.prv, h.remote)
	if err != nil {
		return fmt.Errorf("%w: initiator key: %w", ErrWrongIdentity, err)
	}
	var signed [32]byte
	subtle.XORBytes(signed[:], ss, h.initNonce[:])
	if h.remoteEphemeral, err = crypto.SigToPub(signed[:], m.Signature[:]); err != nil {
		return fmt.Errorf("%w: signature: %w", ErrWrongIdentity, err)
	}
	if !h.eip8 {
		// The pre-EIP-8 auth also carries the ephemeral key's hash.
		eh := crypto.Keccak256Hash(crypto.FromECDSAPub(h.remoteEphemeral)[1:])
		if subtle.ConstantTimeCompare(eh[:], m.ephemeralHash[:]) != 1 {
			return fmt.Errorf("%w: ephemeral key hash mismatch", ErrWrongIdentity)
		}
	}
	return nil
}

// makeAck builds and seals the ack, in the format the auth came in.
func (h *handshakeState) makeAck() ([]byte, error) {
	m := &ackMsg{Nonce: h.respNonce, Version: ackVersion}
	copy(m.EphemeralPubkey[:], crypto.FromECDSAPub(&h.ephemeral.PublicKey)[1:])
	if !h.eip8 {
		return ecies.Encrypt(h.rand, h.remote, m.appendV4(nil), nil, nil)
	}
	return h.sealEIP8(m.appendEIP8(nil))
}

// sealEIP8 pads an auth or ack body and encrypts it to the remote static key:
// size ‖ ecies.encrypt(remote-pubk, body ‖ padding, size), the 2-byte size
// prefix being the ECIES shared MAC data.
func (h *handshakeState) sealEIP8(body []byte) ([]byte, error) {
	var r [2]byte
	if _, err := io.ReadFull(h.rand, r[:]); err != nil {
		return nil, err
	}
	pad := minPadding + int(uint16(r[0])<<8|uint16(r[1]))%(maxPadding-minPadding+1)
	body = append(body, make([]byte, pad)...)
	size := len(body) + ecies.Overhead
	if size > maxHandshakeSize {
		return nil, fmt.Errorf("rlpx: handshake message of %d bytes", size)
	}
	prefix := []byte{byte(size >> 8), byte(size)}
	enc, err := ecies.Encrypt(h.rand, h.remote, body, nil, prefix)
	if err != nil {
		return nil, err
	}
	return append(prefix, enc...), nil
}

// readPacket reads one auth or ack packet and decrypts it with prv. It
// returns the plaintext, a copy of the packet as received and whether it was
// EIP-8. plainV4 is the plaintext size of the pre-EIP-8 format.
//
// A pre-EIP-8 packet starts with the 0x04 of its uncompressed ECIES point.
// Read as an EIP-8 size prefix, 0x04xx is 1024..1279, more than a pre-EIP-8
// packet, so reading that many bytes first is safe for both formats
// (eip-8.md, Rationale, with the read bounded by the prefix).
func readPacket(r io.Reader, buf *readBuffer, prv *ecdsa.PrivateKey, plainV4 int) (plain, packet []byte, eip8 bool, err error) {
	prefix, err := buf.peek(r, 2)
	if err != nil {
		return nil, nil, false, err
	}
	if prefix[0] == 0x04 {
		n := plainV4 + ecies.Overhead
		p, err := buf.peek(r, n)
		if err != nil {
			return nil, nil, false, err
		}
		if plain, err := ecies.Decrypt(prv, p, nil, nil); err == nil {
			packet = bytes.Clone(p)
			buf.skip(n)
			return plain, packet, false, nil
		}
		prefix = p[:2]
	}
	size := int(prefix[0])<<8 | int(prefix[1])
	if size > maxHandshakeSize {
		return nil, nil, false, fmt.Errorf("%w: size prefix %d over %d", ErrUnknownFormat, size, maxHandshakeSize)
	}
	if size <= ecies.Overhead {
		return nil, nil, false, fmt.Errorf("%w: size prefix %d too small", ErrUnknownFormat, size)
	}
	p, err := buf.peek(r, 2+size)
	if err != nil {
		return nil, nil, false, err
	}
	plain, err = ecies.Decrypt(prv, p[2:], nil, p[:2])
	if err != nil {
		return nil, nil, false, classify(ErrBadMAC, err)
	}
	packet = bytes.Clone(p)
	buf.skip(2 + size)
	return plain, packet, true, nil
}

// importPubkey parses a 64-byte X ‖ Y public key, rejecting invalid points.
func importPubkey(b []byte) (*ecdsa.PublicKey, error) {
	var k [1 + pubLen]byte
	k[0] = 0x04
	copy(k[1:], b)
	return crypto.UnmarshalPubkey(k[:])
}

// ioError wraps a read or write failure, marking deadline expiry as
// ErrHandshakeTimeout.
func ioError(op string, err error) *HandshakeError {
	var ne net.Error
	if errors.Is(err, os.ErrDeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
		err = classify(ErrHandshakeTimeout, err)
	}
	return &HandshakeError{op, err}
}
