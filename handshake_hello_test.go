package devp2p

import (
	"bytes"
	"encoding/hex"
	"errors"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/rlp"
)

// eip8Hello is the EIP-8 test vector: a Hello advertising version 22 with
// additional list elements (https://eips.ethereum.org/EIPS/eip-8, "devp2p Base Protocol").
const eip8Hello = "f87137916b6e6574682f76302e39312f706c616e39cdc5836574683dc6846d6f726b1682270fb840" +
	"fda1cff674c90c9a197539fe3dfb53086ace64f83ed7c6eabec741f7f381cc803e52ab2cd55d5569" +
	"bce4347107a310dfd5f88a010cd2ffd1005ca406f1842877c883666f6f836261720304"

func TestHelloEIP8Vector(t *testing.T) {
	b, _ := hex.DecodeString(eip8Hello)
	h, err := decodeHello(b)
	if err != nil {
		t.Fatal(err)
	}
	if h.Version != 55 || h.Name != "kneth/v0.91/plan9" || h.ListenPort != 9999 {
		t.Errorf("decoded %+v", h)
	}
	want := []Cap{{"eth", 61}, {"mork", 22}}
	if len(h.Caps) != 2 || h.Caps[0] != want[0] || h.Caps[1] != want[1] {
		t.Errorf("caps %v, want %v", h.Caps, want)
	}
	if len(h.Rest) != 3 { // ["foo", "bar"], 3, 4
		t.Errorf("extra elements %d, want 3", len(h.Rest))
	}
	enc, err := h.encode()
	if err != nil || !bytes.Equal(enc, b) {
		t.Errorf("re-encoding differs:\n got %x\nwant %x", enc, b)
	}
}

func TestHelloLimits(t *testing.T) {
	id := bytes.Repeat([]byte{1}, 64)
	mk := func(name string, caps []Cap, id []byte) []byte {
		b, err := (&protoHandshake{Version: 5, Name: name, Caps: caps, ID: id}).encode()
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	manyCaps := make([]Cap, maxHelloCaps+1)
	for i := range manyCaps {
		manyCaps[i] = Cap{"", 0}
	}
	tests := []struct {
		name string
		in   []byte
		want DiscReason
	}{
		{"too large", mk(strings.Repeat("x", maxHelloSize), nil, id), DiscProtocolError},
		{"long name", mk(strings.Repeat("x", maxHelloNameSize+1), nil, id), DiscProtocolError},
		{"too many caps", mk("x", manyCaps, id), DiscProtocolError},
		{"long cap name", mk("x", []Cap{{strings.Repeat("c", maxCapNameSize+1), 1}}, id), DiscProtocolError},
		{"short id", mk("x", nil, id[:63]), DiscInvalidIdentity},
		{"null id", mk("x", nil, make([]byte, 64)), DiscInvalidIdentity},
		{"not a list", []byte{0x80}, DiscProtocolError},
		{"trailing", append(mk("x", nil, id), 0x80), DiscProtocolError},
		{"caps not list", mustRLP(t, []any{uint(5), "x", "notcaps", uint(0), id}), DiscProtocolError},
		{"truncated", mk("x", nil, id)[:20], DiscProtocolError},
	}
	for _, tt := range tests {
		_, err := decodeHello(tt.in)
		var pe *peerError
		if !errors.As(err, &pe) || pe.reason != tt.want {
			t.Errorf("%s: error %v, want reason %v", tt.name, err, tt.want)
		}
	}
	// The limits themselves are accepted.
	okCaps := manyCaps[:maxHelloCaps]
	if _, err := decodeHello(mk("x", okCaps, id)); err != nil {
		t.Errorf("%d caps rejected: %v", maxHelloCaps, err)
	}
}

func mustRLP(t testing.TB, v any) []byte {
	b, err := rlp.EncodeToBytes(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func TestDisconnectCodec(t *testing.T) {
	for r := DiscReason(0); r <= 0x10; r++ {
		if got := decodeDisconnect(encodeDisconnect(r)); got != r {
			t.Errorf("round trip %v: got %v", r, got)
		}
	}
	// Lenient forms some clients send.
	if got := decodeDisconnect([]byte{0x04}); got != DiscTooManyPeers {
		t.Errorf("bare reason: %v", got)
	}
	if got := decodeDisconnect([]byte{0xc0}); got != DiscRequested {
		t.Errorf("empty list: %v", got)
	}
	if got := decodeDisconnect(nil); got != DiscRequested {
		t.Errorf("empty: %v", got)
	}
}

func FuzzDecodeHello(f *testing.F) {
	b, _ := hex.DecodeString(eip8Hello)
	f.Add(b)
	ours, _ := (&protoHandshake{Version: 5, Name: "devp2p", Caps: []Cap{{"eth", 68}}, ID: bytes.Repeat([]byte{1}, 64)}).encode()
	f.Add(ours)
	f.Add([]byte{0xc0})
	f.Fuzz(func(t *testing.T, data []byte) {
		h, err := decodeHello(data)
		if err != nil {
			return
		}
		if len(h.Caps) > maxHelloCaps || len(h.Name) > maxHelloNameSize || len(h.ID) != pubkeySize {
			t.Fatalf("limits not enforced: %d caps, name %d, id %d", len(h.Caps), len(h.Name), len(h.ID))
		}
		enc, err := h.encode()
		if err != nil {
			t.Fatal(err)
		}
		h2, err := decodeHello(enc)
		if err != nil {
			t.Fatalf("re-encoded hello does not decode: %v", err)
		}
		if h2.Name != h.Name || len(h2.Caps) != len(h.Caps) || !bytes.Equal(h2.ID, h.ID) {
			t.Fatal("round trip changed the hello")
		}
	})
}
