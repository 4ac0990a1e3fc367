package v4wire

import (
	"bytes"
	"errors"
	"math"
	"math/big"
	"math/rand/v2"
	"net/netip"
	"reflect"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

var testKey, _ = crypto.HexToECDSA("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")

func testRecord(t testing.TB) enr.Record {
	t.Helper()
	var r enr.Record
	r.SetSeq(7)
	r.Set(enr.IPv4(netip.MustParseAddr("192.0.2.1")))
	r.Set(enr.UDP(30303))
	if err := enode.SignV4(&r, testKey); err != nil {
		t.Fatal(err)
	}
	return r
}

func fullNeighbors(n int) *Neighbors {
	p := &Neighbors{Expiration: math.MaxUint64}
	for i := range n {
		var id Pubkey
		for j := range id {
			id[j] = 0xff
		}
		p.Nodes = append(p.Nodes, Node{
			IP:  netip.MustParseAddr("2001:db8:ffff:ffff:ffff:ffff:ffff:ff00").Next(),
			UDP: math.MaxUint16, TCP: math.MaxUint16 - uint16(i), ID: id,
		})
	}
	return p
}

func roundTripPackets(t testing.TB) []Packet {
	ep4 := Endpoint{IP: netip.MustParseAddr("127.0.0.1"), UDP: 30303, TCP: 30303}
	ep6 := Endpoint{IP: netip.MustParseAddr("2001:db8::1"), UDP: 1, TCP: 0}
	target := EncodePubkey(&testKey.PublicKey)
	return []Packet{
		&Ping{Version: 4, From: ep4, To: ep6, Expiration: 1136239445},
		&Ping{Version: 4, From: ep4, To: ep6, Expiration: 1136239445, ENRSeq: 5},
		&Ping{Version: 4, From: Endpoint{}, To: ep6, Expiration: 1, Rest: []rlp.RawValue{{0x01}, {0xc1, 0x02}}},
		&Pong{To: ep4, ReplyTok: bytes.Repeat([]byte{1}, 32), Expiration: 99},
		&Pong{To: ep6, ReplyTok: bytes.Repeat([]byte{2}, 32), Expiration: 99, ENRSeq: math.MaxUint64},
		&Findnode{Target: target, Expiration: 5},
		&Findnode{Target: target, Expiration: 5, Rest: []rlp.RawValue{{0x82, 0x99, 0x99}}},
		&Neighbors{Expiration: 5},
		&Neighbors{Nodes: []Node{{IP: ep4.IP, UDP: 1, TCP: 2, ID: target}, {IP: ep6.IP, UDP: 3, TCP: 4, ID: target}}, Expiration: 5},
		fullNeighbors(MaxNeighbors),
		&ENRRequest{Expiration: 10},
		&ENRRequest{Expiration: 10, Rest: []rlp.RawValue{{0x80}}},
		&ENRResponse{ReplyTok: bytes.Repeat([]byte{3}, 32), Record: testRecord(t)},
	}
}

func TestRoundTrip(t *testing.T) {
	wantFrom := EncodePubkey(&testKey.PublicKey)
	for _, p := range roundTripPackets(t) {
		t.Run(p.Name(), func(t *testing.T) {
			pkt, hash, err := Encode(testKey, p)
			if err != nil {
				t.Fatal(err)
			}
			if len(pkt) > MaxPacketSize {
				t.Fatalf("packet of %d bytes", len(pkt))
			}
			got, from, gotHash, err := Decode(pkt)
			if err != nil {
				t.Fatal(err)
			}
			if from != wantFrom {
				t.Error("wrong sender key")
			}
			if !bytes.Equal(hash, gotHash) || !bytes.Equal(hash, pkt[:32]) {
				t.Error("hash mismatch")
			}
			if r, ok := p.(*ENRResponse); ok {
				g := got.(*ENRResponse)
				a, _ := rlp.EncodeToBytes(&r.Record)
				b, _ := rlp.EncodeToBytes(&g.Record)
				if !bytes.Equal(a, b) || !bytes.Equal(r.ReplyTok, g.ReplyTok) || len(g.Rest) != 0 {
					t.Errorf("ENRResponse mismatch")
				}
				if _, err := enode.New(enode.ValidSchemes, &g.Record); err != nil {
					t.Errorf("decoded record does not verify: %v", err)
				}
				return
			}
			normalize(p)
			normalize(got)
			if !reflect.DeepEqual(p, got) {
				t.Errorf("round trip mismatch:\n got %+v\nwant %+v", got, p)
			}
			// Re-encoding the decoded packet gives the same bytes
			// (signatures are deterministic, RFC 6979).
			again, _, err := Encode(testKey, got)
			if err != nil || !bytes.Equal(again, pkt) {
				t.Error("re-encoding differs")
			}
		})
	}
}

// normalize makes empty slices nil so that DeepEqual compares content.
func normalize(p Packet) {
	switch p := p.(type) {
	case *Ping:
		if len(p.Rest) == 0 {
			p.Rest = nil
		}
	case *Pong:
		if len(p.Rest) == 0 {
			p.Rest = nil
		}
	case *Findnode:
		if len(p.Rest) == 0 {
			p.Rest = nil
		}
	case *Neighbors:
		if len(p.Rest) == 0 {
			p.Rest = nil
		}
		if len(p.Nodes) == 0 {
			p.Nodes = nil
		}
	case *ENRRequest:
		if len(p.Rest) == 0 {
			p.Rest = nil
		}
	}
}

// MaxNeighbors is the largest count whose worst-case packet fits.
func TestMaxNeighbors(t *testing.T) {
	pkt, _, err := Encode(testKey, fullNeighbors(MaxNeighbors))
	if err != nil {
		t.Fatalf("%d worst-case nodes do not fit: %v", MaxNeighbors, err)
	}
	t.Logf("worst-case Neighbors with %d nodes: %d bytes", MaxNeighbors, len(pkt))
	if _, _, err := Encode(testKey, fullNeighbors(MaxNeighbors+1)); !errors.Is(err, ErrTooBig) {
		t.Fatalf("%d nodes: err %v, want ErrTooBig", MaxNeighbors+1, err)
	}
}

func TestDecodeErrors(t *testing.T) {
	valid, _, err := Encode(testKey, &Ping{Version: 4, Expiration: 1})
	if err != nil {
		t.Fatal(err)
	}
	rehash := func(b []byte) []byte {
		copy(b, crypto.Keccak256(b[macSize:]))
		return b
	}
	mutate := func(f func(b []byte) []byte) []byte { return f(bytes.Clone(valid)) }
	tests := []struct {
		name  string
		input []byte
		want  error
	}{
		{"empty", nil, ErrPacketTooSmall},
		{"header only", valid[:headSize], ErrPacketTooSmall},
		{"too big", make([]byte, MaxPacketSize+1), ErrTooBig},
		{"bad hash", mutate(func(b []byte) []byte { b[0] ^= 1; return b }), ErrBadHash},
		{"body changed", mutate(func(b []byte) []byte { b[len(b)-1] ^= 1; return b }), ErrBadHash},
		{"unknown type", mutate(func(b []byte) []byte { b[headSize-1] = 7; return rehash(b) }), ErrUnknownType},
		{"type 0", mutate(func(b []byte) []byte { b[headSize-1] = 0; return rehash(b) }), ErrUnknownType},
		{"signature changed", mutate(func(b []byte) []byte { b[macSize+5] ^= 1; return rehash(b) }), nil},
		{"bad recovery id", mutate(func(b []byte) []byte { b[headSize-2] = 4; return rehash(b) }), ErrBadSignature},
		{"zero signature", mutate(func(b []byte) []byte { clear(b[macSize : headSize-1]); return rehash(b) }), ErrBadSignature},
		{"truncated list", rehash(bytes.Clone(valid[:len(valid)-1])), nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, _, _, err := Decode(tt.input)
			if tt.name == "signature changed" {
				// A changed signature either fails or recovers another key.
				_, from, _, err := Decode(tt.input)
				if err == nil && from == EncodePubkey(&testKey.PublicKey) {
					t.Error("changed signature recovered the signer")
				}
				return
			}
			if err == nil {
				t.Fatalf("decoded %+v, want error", p)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("err %v, want %v", err, tt.want)
			}
		})
	}
}

// Every field of every packet, replaced by the wrong RLP kind or truncated,
// fails cleanly (CL-2020-08 type confusion).
func TestDecodeMalformedBodies(t *testing.T) {
	bodies := []struct {
		ptype byte
		body  string // RLP, hex
	}{
		{PingPacket, "c0"},                         // empty list
		{PingPacket, "c104"},                       // version only
		{PingPacket, "c504c0c0c0"},                 // endpoints empty, no expiration
		{PingPacket, "c9c0c3808080c380808001"},     // version is a list
		{PingPacket, "c804c38080c3808080"},         // malformed
		{PingPacket, "cb04c3808080c38080808401"},   // expiration runs past the list
		{PingPacket, "ca04c3808080c380808001"},     // valid list, then ok? (trailing check below)
		{PingPacket, "cb04c3808080c3808080018900"}, // enr-seq 9-byte string header without data
		{PingPacket, "d404c3808080c380808001890102030405060708 09"},
		{PingPacket, "cc04c4808083ffffff c380808001"}, // udp port > 16 bits
		{PingPacket, "cb04c3808080c380808001 00"},     // enr-seq non-canonical 0x00
		{PongPacket, "c0"},
		{PongPacket, "c5c380808080"},   // no expiration
		{PongPacket, "c6c3808080c001"}, // reply token is a list
		{FindnodePacket, "c0"},
		{FindnodePacket, "c3820102 01"}, // target too short
		{FindnodePacket, "c2c001"},      // target is a list
		{NeighborsPacket, "c0"},
		{NeighborsPacket, "c28001"},              // nodes is a string
		{NeighborsPacket, "c3c18001"},            // node is a string
		{NeighborsPacket, "c5c3c2808001"},        // node without id
		{NeighborsPacket, "c8c6c58080808201 01"}, // id of 2 bytes
		{ENRRequestPacket, "c0"},
		{ENRRequestPacket, "c1c0"},                    // expiration is a list
		{ENRRequestPacket, "c9890102030405060708 09"}, // expiration > 64 bits
		{ENRResponsePacket, "c0"},
		{ENRResponsePacket, "c180"},     // no record
		{ENRResponsePacket, "c380c101"}, // record is not a record
		{ENRResponsePacket, "c28080"},   // record is a string
		{PingPacket, ""},                // no list at all
		{PingPacket, "80"},              // a string instead of the list
		{PingPacket, "f9"},              // truncated header
	}
	for _, b := range bodies {
		body := mustHex(t, stripSpaces(b.body))
		pkt := signRaw(t, b.ptype, body)
		if b.body == "ca04c3808080c380808001" {
			if _, _, _, err := Decode(pkt); err != nil {
				t.Errorf("type %d body %s: minimal valid ping rejected: %v", b.ptype, b.body, err)
			}
			continue
		}
		if p, _, _, err := Decode(pkt); err == nil {
			t.Errorf("type %d body %s: decoded %+v, want error", b.ptype, b.body, p)
		}
	}
}

func stripSpaces(s string) string {
	return string(bytes.ReplaceAll([]byte(s), []byte(" "), nil))
}

// signRaw builds a correctly hashed and signed packet around any body.
func signRaw(t testing.TB, ptype byte, body []byte) []byte {
	b := make([]byte, headSize, headSize+len(body))
	b[headSize-1] = ptype
	b = append(b, body...)
	sig, err := crypto.Sign(crypto.Keccak256(b[headSize-1:]), testKey)
	if err != nil {
		t.Fatal(err)
	}
	copy(b[macSize:], sig)
	copy(b, crypto.Keccak256(b[macSize:]))
	return b
}

// Every prefix of every valid packet and random inputs of 0..200 bytes are
// rejected or decoded without panic (go-ethereum's ECIES slice panic, CVE-2026-22862).
func TestDecodeLengths(t *testing.T) {
	for _, p := range roundTripPackets(t) {
		pkt, _, err := Encode(testKey, p)
		if err != nil {
			t.Fatal(err)
		}
		for n := 0; n < len(pkt); n++ {
			if _, _, _, err := Decode(pkt[:n]); err == nil {
				t.Fatalf("%s truncated to %d bytes decoded", p.Name(), n)
			}
		}
	}
	rng := rand.New(rand.NewPCG(1, 2))
	for n := 0; n <= 200; n++ {
		b := make([]byte, n)
		for i := range b {
			b[i] = byte(rng.Uint32())
		}
		if _, _, _, err := Decode(b); err == nil {
			t.Errorf("random %d bytes decoded", n)
		}
		// With a valid hash and signature, only the body is random.
		if n > 0 {
			for ptype := byte(1); ptype <= 6; ptype++ {
				Decode(signRaw(t, ptype, b)) // must not panic
			}
		}
	}
}

// A packet's decoded fields never alias the input buffer, which the UDP
// engine reuses for the next datagram (go-ethereum e1e3eaa381).
func TestDecodeDoesNotAlias(t *testing.T) {
	pkt, _, err := Encode(testKey, &Pong{To: Endpoint{IP: netip.MustParseAddr("10.0.0.1")}, ReplyTok: bytes.Repeat([]byte{7}, 32), Expiration: 1, Rest: []rlp.RawValue{{0x05}}})
	if err != nil {
		t.Fatal(err)
	}
	buf := bytes.Clone(pkt)
	p, _, hash, err := Decode(buf)
	if err != nil {
		t.Fatal(err)
	}
	clear(buf)
	pong := p.(*Pong)
	if !bytes.Equal(pong.ReplyTok, bytes.Repeat([]byte{7}, 32)) || pong.Rest[0][0] != 0x05 || !bytes.Equal(hash, pkt[:32]) {
		t.Error("decoded packet changed when the input buffer was reused")
	}
}

// DecodeVerified, for copies of packets already checked, gives what Decode
// gave, refuses datagrams that are not packets, and does not alias input.
func TestDecodeVerified(t *testing.T) {
	for _, p := range roundTripPackets(t) {
		pkt, _, err := Encode(testKey, p)
		if err != nil {
			t.Fatal(err)
		}
		want, _, _, err := Decode(pkt)
		if err != nil {
			t.Fatal(err)
		}
		buf := bytes.Clone(pkt)
		got, err := DecodeVerified(buf)
		if err != nil {
			t.Fatalf("%s: %v", p.Name(), err)
		}
		clear(buf)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: DecodeVerified gave %+v, Decode %+v", p.Name(), got, want)
		}
		if _, err := DecodeVerified(pkt[:headSize]); err == nil {
			t.Errorf("%s: a datagram without packet data decoded", p.Name())
		}
		if _, err := DecodeVerified(pkt[:len(pkt)-1]); err == nil {
			t.Errorf("%s: truncated packet data decoded", p.Name())
		}
	}
	if _, err := DecodeVerified(make([]byte, MaxPacketSize+1)); !errors.Is(err, ErrTooBig) {
		t.Errorf("oversized datagram: %v, want ErrTooBig", err)
	}
	bad := make([]byte, minSize)
	bad[headSize-1], bad[headSize] = 0x7f, 0xc0 // an unknown type with an empty list
	if _, err := DecodeVerified(bad); !errors.Is(err, ErrUnknownType) {
		t.Errorf("unknown type: %v, want ErrUnknownType", err)
	}
}

// Invalid points: (0,0), off-curve (x, y+1), coordinates ≥ p (x+p), and
// infinity are rejected by DecodePubkey and Node.Enode (CVE-2025-24883,
// GHSA-2gjw-fg97-vg3r).
func TestBadPubkeys(t *testing.T) {
	good := EncodePubkey(&testKey.PublicKey)
	p := crypto.S256().Params().P
	offCurve := good
	y := new(big.Int).SetBytes(good[32:])
	y.Add(y, big.NewInt(1)).Mod(y, p)
	y.FillBytes(offCurve[32:])
	var xPlusP Pubkey
	x := new(big.Int).SetBytes(good[:32])
	if x.Add(x, p).BitLen() <= 256 {
		x.FillBytes(xPlusP[:32])
		copy(xPlusP[32:], good[32:])
	} else {
		// x + p overflows 32 bytes for this key; use x = p instead.
		p.FillBytes(xPlusP[:32])
		copy(xPlusP[32:], good[32:])
	}
	var pEq Pubkey
	p.FillBytes(pEq[:32])
	p.FillBytes(pEq[32:])
	bad := map[string]Pubkey{"zero": {}, "off-curve": offCurve, "x+p": xPlusP, "x=y=p": pEq}
	for name, k := range bad {
		if _, err := DecodePubkey(k); !errors.Is(err, ErrBadPoint) {
			t.Errorf("%s: DecodePubkey err %v, want ErrBadPoint", name, err)
		}
		n := Node{IP: netip.MustParseAddr("10.0.0.1"), UDP: 30303, TCP: 30303, ID: k}
		if _, err := n.Enode(); err == nil {
			t.Errorf("%s: Node.Enode accepted the key", name)
		}
	}
	key, err := DecodePubkey(good)
	if err != nil || !key.Equal(&testKey.PublicKey) {
		t.Errorf("valid key: %v", err)
	}
}

func TestNodeConversion(t *testing.T) {
	id := EncodePubkey(&testKey.PublicKey)
	n := Node{IP: netip.MustParseAddr("203.0.113.9"), UDP: 30301, TCP: 30303, ID: id}
	en, err := n.Enode()
	if err != nil {
		t.Fatal(err)
	}
	if en.ID() != id.ID() || en.IPAddr() != n.IP || en.UDP() != 30301 || en.TCP() != 30303 {
		t.Errorf("Enode() = %v", en)
	}
	if back := NewNode(en); back != n {
		t.Errorf("NewNode(Enode()) = %+v, want %+v", back, n)
	}
	for _, bad := range []Node{
		{IP: netip.Addr{}, UDP: 1, ID: id},
		{IP: netip.IPv4Unspecified(), UDP: 1, ID: id},
		{IP: n.IP, UDP: 0, ID: id},
	} {
		if _, err := bad.Enode(); !errors.Is(err, ErrInvalidNode) {
			t.Errorf("%+v: err %v, want ErrInvalidNode", bad, err)
		}
	}
	if got := NewEndpoint(netip.MustParseAddrPort("[::ffff:10.0.0.1]:30303"), 5); got.IP != netip.MustParseAddr("10.0.0.1") || got.UDP != 30303 || got.TCP != 5 {
		t.Errorf("NewEndpoint = %+v", got)
	}
}

func TestExpired(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	for _, tt := range []struct {
		ts   uint64
		want bool
	}{
		{0, true},
		{1_699_999_999, true},
		{1_700_000_000, false},
		{1_700_000_020, false},
		{math.MaxInt64, false},
		{math.MaxInt64 + 1, true},              // negative as int64: the past
		{math.MaxUint64 - 1_700_000_019, true}, // -(now+20) wrapped, as conformance suites send
		{math.MaxUint64, true},
	} {
		if got := Expired(tt.ts, now); got != tt.want {
			t.Errorf("Expired(%d) = %v, want %v", tt.ts, got, tt.want)
		}
	}
}

// An unsigned record cannot be sent.
func TestEncodeErrors(t *testing.T) {
	if _, _, err := Encode(testKey, &ENRResponse{}); err == nil {
		t.Error("ENRResponse with an unsigned record encoded")
	}
	if _, _, err := Encode(testKey, &unknownPacket{}); !errors.Is(err, ErrUnknownType) {
		t.Errorf("unknown packet: err %v", err)
	}
}

type unknownPacket struct{}

func (*unknownPacket) Name() string { return "UNKNOWN" }
func (*unknownPacket) Kind() byte   { return 9 }
