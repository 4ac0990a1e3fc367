package rlpx

import (
	"bytes"
	"crypto/rand"
	"net"
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/crypto/ecies"
)

// oldPeer plays an RLPx v4 (pre-EIP-8) node with our handshake helpers.
func newOldPeer(t *testing.T, initiator bool) *handshakeState {
	h := &handshakeState{initiator: initiator, prv: newKey(t), rand: rand.Reader}
	var nonce []byte
	if initiator {
		nonce = h.initNonce[:]
	} else {
		nonce = h.respNonce[:]
	}
	if err := h.generateEphemeral(nonce); err != nil {
		t.Fatal(err)
	}
	return h
}

// session turns a finished fake handshake into a Conn on fd.
func (h *handshakeState) session(t *testing.T, fd net.Conn) *Conn {
	sec, err := h.deriveSecrets()
	if err != nil {
		t.Fatal(err)
	}
	c := NewConn(fd, nil)
	if err := c.initSession(sec); err != nil {
		t.Fatal(err)
	}
	return c
}

// exchange checks that a and b can talk both ways.
func exchange(t *testing.T, a, b *Conn) {
	go a.Write(3, []byte("ping"))
	if code, data, _, err := b.Read(); err != nil || code != 3 || string(data) != "ping" {
		t.Fatalf("a->b: %d %q %v", code, data, err)
	}
	go b.Write(4, []byte("pong"))
	if code, data, _, err := a.Read(); err != nil || code != 4 || string(data) != "pong" {
		t.Fatalf("b->a: %d %q %v", code, data, err)
	}
}

// TestPreEIP8Initiator: an old initiator's 307-byte auth gets a 210-byte
// ack and a working session.
func TestPreEIP8Initiator(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		old := newOldPeer(t, true)
		us := newKey(t)
		old.remote = &us.PublicKey
		p1, p2 := net.Pipe()
		defer p1.Close()
		defer p2.Close()
		ours := NewConn(p2, nil)
		errc := make(chan error, 1)
		go func() { _, err := ours.Handshake(us); errc <- err }()

		// auth = ecies(sig ‖ keccak256(ephemeral-pubk) ‖ pubk ‖ nonce ‖ 0)
		auth, err := old.makeAuth()
		if err != nil {
			t.Fatal(err)
		}
		ephPub := crypto.FromECDSAPub(&old.ephemeral.PublicKey)[1:]
		eh := crypto.Keccak256(ephPub)
		plain := bytes.Join([][]byte{auth.Signature[:], eh, auth.InitiatorPubkey[:], auth.Nonce[:], {0}}, nil)
		packet, err := ecies.Encrypt(rand.Reader, &us.PublicKey, plain, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(packet) != authPacketV4 {
			t.Fatalf("auth is %d bytes", len(packet))
		}
		go p1.Write(packet)
		old.authPacket = packet

		ackPacket := make([]byte, ackPacketV4)
		if _, err := readFull(p1, ackPacket); err != nil {
			t.Fatal(err)
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		ackPlain, err := ecies.Decrypt(old.prv, ackPacket, nil, nil)
		if err != nil {
			t.Fatal("ack is not a pre-EIP-8 packet:", err)
		}
		ack, err := decodeAck(ackPlain, false)
		if err != nil {
			t.Fatal(err)
		}
		old.ackPacket, old.respNonce = ackPacket, ack.Nonce
		if old.remoteEphemeral, err = importPubkey(ack.EphemeralPubkey[:]); err != nil {
			t.Fatal(err)
		}
		exchange(t, old.session(t, p1), ours)
	})
}

// TestPreEIP8Recipient: our initiator accepts an old recipient's 210-byte ack.
func TestPreEIP8Recipient(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		old := newOldPeer(t, false)
		us := newKey(t)
		p1, p2 := net.Pipe()
		defer p1.Close()
		defer p2.Close()
		ours := NewConn(p2, &old.prv.PublicKey)
		errc := make(chan error, 1)
		go func() { _, err := ours.Handshake(us); errc <- err }()

		var buf readBuffer
		plain, packet, eip8, err := readPacket(p1, &buf, old.prv, authPlainV4)
		if err != nil || !eip8 {
			t.Fatal(err, eip8)
		}
		auth, err := decodeAuth(plain, eip8)
		if err != nil {
			t.Fatal(err)
		}
		old.authPacket, old.eip8 = packet, true
		if err := old.handleAuth(auth); err != nil {
			t.Fatal(err)
		}
		old.eip8 = false // an old node answers in the old format
		ack, err := old.makeAck()
		if err != nil {
			t.Fatal(err)
		}
		if len(ack) != ackPacketV4 {
			t.Fatalf("ack is %d bytes", len(ack))
		}
		go p1.Write(ack)
		old.ackPacket = ack
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		exchange(t, old.session(t, p1), ours)
	})
}

func readFull(c net.Conn, b []byte) (int, error) {
	n := 0
	for n < len(b) {
		k, err := c.Read(b[n:])
		n += k
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
