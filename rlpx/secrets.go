package rlpx

import (
	"crypto/ecdsa"
	"crypto/subtle"

	"github.com/devp2p-go/devp2p/crypto"
)

// secrets are the session keys agreed in the handshake (rlpx.md, "Secrets
// generated following the exchange of handshake messages" and "MAC").
type secrets struct {
	aes, mac              [32]byte
	egressMAC, ingressMAC macHash
	remote                *ecdsa.PublicKey
}

// deriveSecrets computes
//
//	ephemeral-key = ecdh.agree(ephemeral-privkey, remote-ephemeral-pubk)
//	shared-secret = keccak256(ephemeral-key ‖ keccak256(nonce ‖ initiator-nonce))
//	aes-secret    = keccak256(ephemeral-key ‖ shared-secret)
//	mac-secret    = keccak256(ephemeral-key ‖ aes-secret)
//
// and the two MAC states; nonce is the recipient's. auth and ack are the
// packets as sent on the wire (with the EIP-8 size prefix).
func (h *handshakeState) deriveSecrets() (*secrets, error) {
	ek, err := crypto.ECDH(h.ephemeral, h.remoteEphemeral)
	if err != nil {
		return nil, err
	}
	nonceHash := crypto.Keccak256Hash(h.respNonce[:], h.initNonce[:])
	shared := crypto.Keccak256Hash(ek, nonceHash[:])
	s := &secrets{remote: h.remote}
	s.aes = crypto.Keccak256Hash(ek, shared[:])
	s.mac = crypto.Keccak256Hash(ek, s.aes[:])

	// The state keyed with the recipient's nonce covers auth: the
	// initiator's egress-mac and the recipient's ingress-mac.
	authMAC := macState(&s.mac, &h.respNonce, h.authPacket)
	ackMAC := macState(&s.mac, &h.initNonce, h.ackPacket)
	if h.initiator {
		s.egressMAC, s.ingressMAC = authMAC, ackMAC
	} else {
		s.egressMAC, s.ingressMAC = ackMAC, authMAC
	}
	return s, nil
}

// macState returns keccak256.init((mac-secret ^ nonce) ‖ packet).
func macState(macSecret, nonce *[32]byte, packet []byte) macHash {
	var x [32]byte
	subtle.XORBytes(x[:], macSecret[:], nonce[:])
	h := newKeccak()
	h.Write(x[:])
	h.Write(packet)
	return h
}
