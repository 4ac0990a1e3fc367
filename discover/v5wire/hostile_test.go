package v5wire

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"math/rand/v2"
	"net"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// pair is two codecs with real randomness.
type pair struct {
	a, b         *Codec
	keyA, keyB   *ecdsa.PrivateKey
	nodeA, nodeB *enode.Node
	clock        *mclock.Simulated
}

func newPair(t testing.TB) *pair {
	p := &pair{clock: new(mclock.Simulated)}
	var err error
	if p.keyA, err = crypto.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	if p.keyB, err = crypto.GenerateKey(); err != nil {
		t.Fatal(err)
	}
	lnA, lnB := enode.NewLocalNode(nil, p.keyA), enode.NewLocalNode(nil, p.keyB)
	lnA.SetStaticIP(net.IP{127, 0, 0, 1})
	lnA.SetFallbackUDP(30303)
	lnB.SetStaticIP(net.IP{127, 0, 0, 2})
	lnB.SetFallbackUDP(30303)
	p.nodeA, p.nodeB = lnA.Node(), lnB.Node()
	p.a = NewCodec(p.keyA, lnA.Node, p.clock, 0)
	p.b = NewCodec(p.keyB, lnB.Node, p.clock, 0)
	return p
}

const (
	addrA = "127.0.0.1:30303"
	addrB = "127.0.0.2:30303"
)

// handshake runs A→B: random packet, WHOAREYOU, handshake. It returns the
// handshake packet.
func (p *pair) handshake(t testing.TB) []byte {
	t.Helper()
	ping := &Ping{ReqID: []byte{1}, ENRSeq: 1}
	pkt, nonce, err := p.a.Encode(p.nodeB.ID(), addrB, ping, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, dec, err := p.b.Decode(pkt, addrA)
	if err != nil {
		t.Fatal(err)
	}
	if u, ok := dec.(*Unknown); !ok || u.Nonce != nonce {
		t.Fatalf("B decoded %#v, want Unknown", dec)
	}
	w, _, err := p.b.Encode(p.nodeA.ID(), addrA, &Whoareyou{Nonce: nonce}, nil)
	if err != nil {
		t.Fatal(err)
	}
	_, _, chal, err := p.a.Decode(w, addrB)
	if err != nil {
		t.Fatal(err)
	}
	c := chal.(*Whoareyou)
	c.Node = p.nodeB
	hs, _, err := p.a.Encode(p.nodeB.ID(), addrB, ping, c)
	if err != nil {
		t.Fatal(err)
	}
	return hs
}

func TestSessionRoundTrip(t *testing.T) {
	p := newPair(t)
	hs := p.handshake(t)
	src, n, dec, err := p.b.Decode(hs, addrA)
	if err != nil {
		t.Fatal(err)
	}
	if src != p.nodeA.ID() || n == nil || n.ID() != src || dec.Kind() != PingMsg {
		t.Fatalf("handshake decoded as %v %v %#v", src, n, dec)
	}
	// Both directions on the new session.
	msg := &TalkRequest{ReqID: []byte{2}, Protocol: "x", Message: bytes.Repeat([]byte{7}, 900)}
	pkt, _, err := p.b.Encode(p.nodeA.ID(), addrA, msg, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, dec, err := p.a.Decode(pkt, addrB); err != nil || dec.Kind() != TalkReqMsg {
		t.Fatalf("A got %#v, %v", dec, err)
	}
	pkt, _, err = p.a.Encode(p.nodeB.ID(), addrB, &Pong{ReqID: []byte{3}, ToIP: net.IP{1, 2, 3, 4}, ToPort: 9}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, _, dec, err := p.b.Decode(pkt, addrA); err != nil || dec.Kind() != PongMsg {
		t.Fatalf("B got %#v, %v", dec, err)
	}
	// Replay of the same packet is rejected.
	if _, _, _, err := p.b.Decode(pkt, addrA); !errors.Is(err, ErrReplay) {
		t.Fatalf("replay: got %v, want ErrReplay", err)
	}
	// The session is bound to the address: from elsewhere it is unknown.
	pkt, _, _ = p.a.Encode(p.nodeB.ID(), addrB, &Ping{ReqID: []byte{4}}, nil)
	if _, _, dec, err := p.b.Decode(pkt, "127.0.0.9:1"); err != nil || dec.Kind() != UnknownPacket {
		t.Fatalf("other address: got %#v, %v", dec, err)
	}
	// A handshake replayed after the session exists has no challenge.
	if _, _, _, err := p.b.Decode(hs, addrA); !errors.Is(err, ErrUnexpectedHandshake) {
		t.Fatalf("handshake replay: got %v", err)
	}
}

func TestOversizedMessage(t *testing.T) {
	p := newPair(t)
	p.b.Decode(p.handshake(t), addrA)
	msg := &TalkRequest{ReqID: []byte{2}, Protocol: "x", Message: make([]byte, MaxPacketSize)}
	if _, _, err := p.b.Encode(p.nodeA.ID(), addrA, msg, nil); !errors.Is(err, ErrPacketTooBig) {
		t.Fatalf("got %v, want ErrPacketTooBig", err)
	}
}

func TestPacketSizeLimits(t *testing.T) {
	p := newPair(t)
	for _, size := range []int{0, 1, 62} {
		if _, _, _, err := p.b.Decode(make([]byte, size), addrA); !errors.Is(err, ErrPacketTooSmall) {
			t.Errorf("size %d: %v", size, err)
		}
	}
	if _, _, _, err := p.b.Decode(make([]byte, 1281), addrA); !errors.Is(err, ErrPacketTooBig) {
		t.Errorf("size 1281: %v", err)
	}
	if _, _, _, err := p.b.Decode(make([]byte, 63), addrA); !errors.Is(err, ErrInvalidHeader) {
		t.Errorf("size 63 of zeros: %v", err)
	}
}

// TestForgedHandshake: handshakes that must not establish a session.
func TestForgedHandshake(t *testing.T) {
	vs := loadVectors(t)
	keyA, keyB := vectorKeys(t, vs)
	v := vs[vecHSENR]
	good := hexb(t, v.Expected["packet"])
	idA := enode.PubkeyToIDV4(&keyA.PublicKey)
	decode := func(pkt []byte) error {
		b := vectorCodec(t, keyB, nil, nil, nil)
		b.sc.storeSentHandshake(idA, vecAddr, &Whoareyou{ChallengeData: hexb(t, v.Inputs["whoareyou_challenge_data"])})
		_, _, _, err := b.Decode(pkt, vecAddr)
		if err == nil && b.sc.Len() != 1 {
			t.Fatal("no session after success")
		}
		if err != nil && b.sc.Len() != 0 {
			t.Fatalf("session stored despite %v", err)
		}
		return err
	}
	if err := decode(good); err != nil {
		t.Fatal(err)
	}
	// Flip each byte after the masking IV: every variant must fail (or,
	// for the record's content, fail the signature).
	for i := sizeofMaskingIV; i < len(good); i++ {
		bad := bytes.Clone(good)
		bad[i] ^= 0x01
		if err := decode(bad); err == nil {
			t.Fatalf("flipped byte %d: accepted", i)
		}
	}
	// Wrong challenge (a different id-nonce).
	b := vectorCodec(t, keyB, nil, nil, nil)
	cd := hexb(t, v.Inputs["whoareyou_challenge_data"])
	cd[len(cd)-9] ^= 1
	b.sc.storeSentHandshake(idA, vecAddr, &Whoareyou{ChallengeData: cd})
	if _, _, _, err := b.Decode(good, vecAddr); err == nil {
		t.Fatal("handshake for another challenge accepted")
	}
	// Expired challenge.
	clock := new(mclock.Simulated)
	b = NewCodec(keyB, nil, clock, 0)
	b.sc.storeSentHandshake(idA, vecAddr, &Whoareyou{ChallengeData: hexb(t, v.Inputs["whoareyou_challenge_data"])})
	clock.Run(handshakeTimeout + 1)
	if _, _, _, err := b.Decode(good, vecAddr); !errors.Is(err, ErrUnexpectedHandshake) {
		t.Fatalf("expired challenge: %v", err)
	}
}

// TestRandomPackets: 100,000 random packets are dropped without panics, and
// the codec's state stays bounded.
func TestRandomPackets(t *testing.T) {
	n := 100_000
	if testing.Short() {
		n = 10_000
	}
	c := fuzzCodec(t)
	rng := rand.New(rand.NewPCG(1, 2))
	buf := make([]byte, MaxPacketSize+10)
	for i := range n {
		size := rng.IntN(len(buf))
		pkt := buf[:size]
		for j := range pkt {
			pkt[j] = byte(rng.Uint32())
		}
		// Half of them with a valid header for us, to reach the flag paths.
		if i%2 == 0 && size >= sizeofStaticPacket {
			h := header{flag: byte(i/2) % 4}
			copy(h.iv[:], pkt)
			hdr := h.append(nil)
			copy(pkt, hdr[:sizeofStaticPacket-2])
			mask(c.localID, pkt[:sizeofStaticPacket])
		}
		c.Decode(pkt, vecAddr)
	}
	if c.sc.Len() > 1 || c.sc.PendingHandshakes() > 1 {
		t.Fatalf("state grew: %d sessions, %d handshakes", c.sc.Len(), c.sc.PendingHandshakes())
	}
}

// TestSessionCacheBounded: a flood of sessions and challenges stays bounded.
func TestSessionCacheBounded(t *testing.T) {
	sc := NewSessionCache(10, new(mclock.Simulated))
	for i := range 1000 {
		var id enode.ID
		id[0], id[1] = byte(i), byte(i>>8)
		sc.storeNewSession(id, "1.2.3.4:5", &session{})
		sc.storeSentHandshake(id, "1.2.3.4:5", &Whoareyou{})
	}
	if sc.Len() != 10 {
		t.Fatalf("%d sessions, want 10", sc.Len())
	}
	if sc.PendingHandshakes() > maxPendingHandshakes {
		t.Fatalf("%d pending handshakes", sc.PendingHandshakes())
	}
}

func TestBadEphemeralKey(t *testing.T) {
	for _, k := range [][]byte{nil, make([]byte, 33), append([]byte{2}, bytes.Repeat([]byte{0xff}, 32)...)} {
		if _, err := decodePubkey(k); err == nil {
			t.Errorf("key %x accepted", k)
		}
	}
}

func BenchmarkDecodeHandshake(b *testing.B) {
	vs := loadVectors(b)
	keyA, keyB := vectorKeys(b, vs)
	v := vs[vecHSENR]
	pkt := hexb(b, v.Expected["packet"])
	idA := enode.PubkeyToIDV4(&keyA.PublicKey)
	cd := hexb(b, v.Inputs["whoareyou_challenge_data"])
	c := vectorCodec(b, keyB, nil, nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		c.sc.storeSentHandshake(idA, vecAddr, &Whoareyou{ChallengeData: cd})
		if _, _, _, err := c.Decode(pkt, vecAddr); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeMessage(b *testing.B) {
	vs := loadVectors(b)
	keyA, keyB := vectorKeys(b, vs)
	pkt := hexb(b, vs[vecPing].Expected["packet"])
	idA := enode.PubkeyToIDV4(&keyA.PublicKey)
	c := vectorCodec(b, keyB, nil, nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		c.sc.storeNewSession(idA, vecAddr, &session{}) // fresh replay window
		if _, _, _, err := c.Decode(pkt, vecAddr); err != nil {
			b.Fatal(err)
		}
	}
}
