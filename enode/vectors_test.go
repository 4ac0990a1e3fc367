package enode

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/netip"
	"os"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

type vector struct {
	Name     string         `json:"name"`
	Inputs   map[string]any `json:"inputs"`
	Expected map[string]any `json:"expected"`
}

func loadVectors(t testing.TB, file string) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/" + file)
	if err != nil {
		t.Fatal(err)
	}
	var f struct {
		Vectors []vector `json:"vectors"`
	}
	if err := json.Unmarshal(data, &f); err != nil {
		t.Fatal(err)
	}
	return f.Vectors
}

func str(m map[string]any, k string) (string, bool) {
	s, ok := m[k].(string)
	return s, ok
}

func num(m map[string]any, k string) (int, bool) {
	f, ok := m[k].(float64)
	return int(f), ok
}

// TestEIP778Example checks the example record of the spec: it decodes,
// verifies, has the listed ID and fields, re-encodes identically, and
// signing its content with the listed key yields the same signature.
func TestEIP778Example(t *testing.T) {
	v := loadVectors(t, "enr.json")[0]
	text, _ := str(v.Inputs, "text")
	n, err := Parse(ValidSchemes, text)
	if err != nil {
		t.Fatal(err)
	}
	wantID, _ := str(v.Expected, "node_id")
	if n.ID() != HexID(wantID) {
		t.Errorf("ID %v, want %s", n.ID(), wantID)
	}
	if n.Seq() != 1 {
		t.Errorf("seq %d", n.Seq())
	}
	if n.IPAddr() != netip.MustParseAddr("127.0.0.1") || n.UDP() != 30303 || n.TCP() != 0 {
		t.Errorf("endpoint %v udp %d tcp %d", n.IPAddr(), n.UDP(), n.TCP())
	}
	wantSig, _ := str(v.Expected, "signature")
	if hex.EncodeToString(n.Record().Signature()) != wantSig {
		t.Errorf("signature %x", n.Record().Signature())
	}
	// Pairs in order, raw values.
	i := 0
	for k, val := range n.Record().Pairs() {
		pair := v.Expected["pairs"].([]any)[i].([]any)
		if k != pair[0].(string) {
			t.Errorf("pair %d key %q, want %q", i, k, pair[0])
		}
		content, _, err := rlp.SplitString(val)
		if err != nil || hex.EncodeToString(content) != pair[1].(string) {
			t.Errorf("pair %q value %x, want %s", k, content, pair[1])
		}
		i++
	}
	if i != 4 {
		t.Errorf("%d pairs", i)
	}
	// Byte-identical re-encoding, both RLP and text.
	wantRLP, _ := str(v.Expected, "rlp")
	enc, err := rlp.EncodeToBytes(n.Record())
	if err != nil || hex.EncodeToString(enc) != wantRLP {
		t.Errorf("RLP %x (%v)", enc, err)
	}
	if n.String() != text {
		t.Errorf("String() = %s", n.String())
	}
	wantPub, _ := str(v.Expected, "public_key")
	if hex.EncodeToString(crypto.FromECDSAPub(n.Pubkey())[1:]) != wantPub {
		t.Error("public key")
	}
	// Re-sign with the listed key: deterministic (RFC 6979) signatures give
	// the same record.
	keyHex, _ := str(v.Inputs, "private_key")
	key, err := crypto.HexToECDSA(keyHex)
	if err != nil {
		t.Fatal(err)
	}
	var r enr.Record
	r.SetSeq(1)
	r.Set(enr.IPv4(netip.MustParseAddr("127.0.0.1")))
	r.Set(enr.UDP(30303))
	if err := SignV4(&r, key); err != nil {
		t.Fatal(err)
	}
	enc2, _ := rlp.EncodeToBytes(&r)
	if hex.EncodeToString(enc2) != wantRLP {
		t.Logf("re-signed record differs (signer not deterministic?):\n%x", enc2)
		// Still valid:
		if _, err := New(ValidSchemes, &r); err != nil {
			t.Error(err)
		}
	}
}

func TestENRVectors(t *testing.T) {
	for _, v := range loadVectors(t, "enr.json") {
		text, ok := str(v.Inputs, "text")
		if !ok {
			continue
		}
		t.Run(v.Name, func(t *testing.T) {
			valid, _ := v.Expected["valid"].(bool)
			if _, hasID := v.Expected["node_id"]; hasID {
				valid = true
			}
			n, err := Parse(ValidSchemes, text)
			if !valid {
				if err == nil {
					t.Fatal("accepted")
				}
				if kind, _ := str(v.Expected, "error_kind"); kind == "invalid_signature" && !errors.Is(err, enr.ErrInvalidSig) {
					t.Fatalf("got %v, want invalid signature", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkNode(t, n, v.Expected)
			if want, ok := str(v.Expected, "rlp"); ok {
				enc, _ := rlp.EncodeToBytes(n.Record())
				if hex.EncodeToString(enc) != want {
					t.Errorf("RLP %x", enc)
				}
			}
			if n.String() != text {
				t.Errorf("text round trip: %s", n.String())
			}
		})
	}
}

func checkNode(t *testing.T, n *Node, exp map[string]any) {
	t.Helper()
	if id, ok := str(exp, "node_id"); ok && n.ID() != HexID(id) {
		t.Errorf("ID %v, want %s", n.ID(), id)
	}
	if seq, ok := num(exp, "seq"); ok && n.Seq() != uint64(seq) {
		t.Errorf("seq %d, want %d", n.Seq(), seq)
	}
	if pub, ok := str(exp, "public_key"); ok && hex.EncodeToString(crypto.FromECDSAPub(n.Pubkey())[1:]) != pub {
		t.Errorf("public key %x", crypto.FromECDSAPub(n.Pubkey()))
	}
	if ip, ok := exp["ip"]; ok {
		if ip == nil {
			if n.IPAddr().IsValid() {
				t.Errorf("IP %v, want none", n.IPAddr())
			}
		} else if n.IPAddr() != netip.MustParseAddr(ip.(string)) {
			t.Errorf("IP %v, want %s", n.IPAddr(), ip)
		}
	}
	if p, ok := num(exp, "tcp"); ok && n.TCP() != p {
		t.Errorf("tcp %d, want %d", n.TCP(), p)
	}
	if p, ok := num(exp, "udp"); ok && n.UDP() != p {
		t.Errorf("udp %d, want %d", n.UDP(), p)
	}
	if h, ok := str(exp, "hostname"); ok && n.Hostname() != h {
		t.Errorf("hostname %q, want %q", n.Hostname(), h)
	}
}

func TestEnodeURLVectors(t *testing.T) {
	for _, v := range loadVectors(t, "enode-url.json") {
		url, _ := str(v.Inputs, "url")
		t.Run(v.Name, func(t *testing.T) {
			n, err := Parse(ValidSchemes, url)
			if !v.Expected["valid"].(bool) {
				if err == nil {
					t.Fatalf("accepted: %v", n)
				}
				t.Logf("error: %v", err)
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			checkNode(t, n, v.Expected)
			if rt, _ := v.Expected["string_roundtrip"].(bool); rt {
				if n.String() != url {
					t.Errorf("String() = %s", n.String())
				}
				if n.URLv4() != url {
					t.Errorf("URLv4() = %s", n.URLv4())
				}
			}
		})
	}
}

// bad public keys (CVE-2025-24883, GHSA-2gjw-fg97-vg3r; docs/SECURITY.md): the point at infinity / (0,0), an
// off-curve point, and coordinates aliased by +p.
func badPubkeys(t *testing.T) map[string][]byte {
	key, _ := crypto.HexToECDSA("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	good := crypto.FromECDSAPub(&key.PublicKey)[1:]
	offCurve := bytes.Clone(good)
	offCurve[63] ^= 1
	p, _ := hex.DecodeString("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f")
	xPlusP := bytes.Clone(good)
	addBE(xPlusP[:32], p)
	yPlusP := bytes.Clone(good)
	addBE(yPlusP[32:], p)
	pp := append(bytes.Clone(p), p...)
	return map[string][]byte{
		"zero":     make([]byte, 64),
		"offcurve": offCurve,
		"x+p":      xPlusP,
		"y+p":      yPlusP,
		"x=y=p":    pp,
	}
}

// addBE adds b to a (32-byte big-endian), ignoring overflow beyond 256 bits
// (which still leaves a value >= p or off-curve).
func addBE(a, b []byte) {
	var carry uint16
	for i := len(a) - 1; i >= 0; i-- {
		s := uint16(a[i]) + uint16(b[i]) + carry
		a[i], carry = byte(s), s>>8
	}
}

func TestParseV4InvalidPubkey(t *testing.T) {
	for name, pub := range badPubkeys(t) {
		for _, suffix := range []string{"", "@127.0.0.1:30303"} {
			url := "enode://" + hex.EncodeToString(pub) + suffix
			if n, err := ParseV4(url); err == nil {
				t.Errorf("%s%s: accepted %v", name, suffix, n)
			}
		}
	}
}

func TestRecordInvalidPubkey(t *testing.T) {
	key, _ := crypto.GenerateKey()
	for name, pub := range [][]byte{
		append([]byte{0x02}, make([]byte, 32)...),               // x = 0: not on the curve
		append([]byte{0x04}, bytes.Repeat([]byte{0xff}, 32)...), // bad prefix
		append([]byte{0x02}, bytes.Repeat([]byte{0xff}, 32)...), // x >= p
	} {
		var r enr.Record
		if err := SignV4(&r, key); err != nil {
			t.Fatal(err)
		}
		// Replace the key: the signature no longer matters, the key must
		// be rejected before use.
		r.Set(enr.Generic{Key: "secp256k1", Value: pub})
		if err := r.SetSig(v4CompatID{}, make([]byte, 64)); err != nil {
			t.Fatal(err)
		}
		enc, _ := rlp.EncodeToBytes(&r)
		dec, err := enr.DecodeRecordUnverified(enc)
		if err != nil {
			t.Fatal(err)
		}
		if n, err := New(ValidSchemes, dec); err == nil {
			t.Errorf("key %d: accepted %v", name, n)
		}
		var k Secp256k1
		if err := dec.Load(&k); err == nil {
			t.Errorf("key %d: Load accepted it", name)
		}
	}
}
