package ecies

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"math/big"
	"os"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
)

// handshakeVector is one ECIES-encrypted packet of testdata/rlpx-handshake.json.
type handshakeVector struct {
	name    string
	message []byte            // size prefix (EIP-8) ‖ ECIES ciphertext
	key     *ecdsa.PrivateKey // decrypt_with
	expect  [][]byte          // byte strings the plaintext must contain
}

func loadVectors(t testing.TB) []handshakeVector {
	t.Helper()
	raw, err := os.ReadFile("testdata/rlpx-handshake.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Vectors []struct {
			Name     string         `json:"name"`
			Inputs   map[string]any `json:"inputs"`
			Expected map[string]any `json:"expected"`
		} `json:"vectors"`
	}
	if err := json.Unmarshal(raw, &file); err != nil {
		t.Fatal(err)
	}
	keys := map[string]*ecdsa.PrivateKey{}
	for name, v := range file.Vectors[0].Inputs {
		if strings.HasPrefix(name, "static_key") {
			k, err := crypto.HexToECDSA(v.(string))
			if err != nil {
				t.Fatal(err)
			}
			keys[name] = k
		}
	}
	var out []handshakeVector
	for _, v := range file.Vectors {
		with, ok := v.Inputs["decrypt_with"].(string)
		if !ok {
			continue
		}
		hv := handshakeVector{name: v.Name, key: keys[with]}
		if hv.message, err = hex.DecodeString(v.Inputs["message"].(string)); err != nil {
			t.Fatal(err)
		}
		for _, field := range []string{"initiator_public_key", "recipient_ephemeral_public_key", "nonce"} {
			if s, ok := v.Expected[field].(string); ok {
				b, _ := hex.DecodeString(s)
				hv.expect = append(hv.expect, b)
			}
		}
		out = append(out, hv)
	}
	if len(out) != 6 {
		t.Fatalf("found %d encrypted vectors, want 6 (auth1-3, ack1-3)", len(out))
	}
	return out
}

// split separates an EIP-8 packet into its size prefix (the MAC's s2) and
// ciphertext. Pre-EIP-8 packets start with R's 0x04 and have no prefix.
func split(msg []byte) (prefix, ct []byte) {
	if msg[0] == 0x04 {
		return nil, msg
	}
	return msg[:2], msg[2:]
}

func TestDecryptVectors(t *testing.T) {
	for _, v := range loadVectors(t) {
		prefix, ct := split(v.message)
		if prefix != nil && int(prefix[0])<<8|int(prefix[1]) != len(ct) {
			t.Fatalf("%s: size prefix does not match", v.name)
		}
		pt, err := Decrypt(v.key, ct, nil, prefix)
		if err != nil {
			t.Errorf("%s: %v", v.name, err)
			continue
		}
		if len(pt) != len(ct)-Overhead {
			t.Errorf("%s: plaintext length %d, want %d", v.name, len(pt), len(ct)-Overhead)
		}
		for _, want := range v.expect {
			if !bytes.Contains(pt, want) {
				t.Errorf("%s: plaintext lacks %x", v.name, want)
			}
		}
		// The prefix is authenticated: a wrong s2 fails.
		if prefix != nil {
			if _, err := Decrypt(v.key, ct, nil, []byte{prefix[0], prefix[1] ^ 1}); !errors.Is(err, ErrInvalidMessage) {
				t.Errorf("%s: wrong s2: err = %v", v.name, err)
			}
		}
		// The invalid-curve oracle PoC: keep 0x04, zero R's coordinates.
		tampered := bytes.Clone(ct)
		clear(tampered[1:65])
		if _, err := Decrypt(v.key, tampered, nil, prefix); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("%s: R = (0,0): err = %v, want ErrInvalidPublicKey", v.name, err)
		}
		// Wrong key and non-nil s1 fail with a MAC error.
		other, _ := crypto.GenerateKey()
		if _, err := Decrypt(other, ct, nil, prefix); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: wrong key: err = %v", v.name, err)
		}
		if _, err := Decrypt(v.key, ct, []byte{0}, prefix); !errors.Is(err, ErrInvalidMessage) {
			t.Errorf("%s: wrong s1: err = %v", v.name, err)
		}
	}
}

func TestRoundTrip(t *testing.T) {
	key, _ := crypto.GenerateKey()
	for _, size := range []int{0, 1, 15, 16, 17, 100, 4096} {
		m := make([]byte, size)
		rand.Read(m)
		for _, s := range []struct{ s1, s2 []byte }{{nil, nil}, {[]byte("s1"), nil}, {nil, []byte("s2")}, {[]byte("a"), []byte("b")}} {
			ct, err := Encrypt(rand.Reader, &key.PublicKey, m, s.s1, s.s2)
			if err != nil {
				t.Fatal(err)
			}
			if len(ct) != size+Overhead {
				t.Fatalf("ciphertext length %d, want %d", len(ct), size+Overhead)
			}
			pt, err := Decrypt(key, ct, s.s1, s.s2)
			if err != nil {
				t.Fatalf("size %d: %v", size, err)
			}
			if !bytes.Equal(pt, m) {
				t.Fatalf("size %d: round trip changed the message", size)
			}
		}
	}
}

// TestDecryptAllLengths: CVE-2026-22862. Every length 0..200 of a real
// ciphertext (a prefix of it) and of random bytes must fail cleanly.
func TestDecryptAllLengths(t *testing.T) {
	key, _ := crypto.GenerateKey()
	full, _ := Encrypt(rand.Reader, &key.PublicKey, make([]byte, 200), nil, nil)
	junk := make([]byte, 201)
	rand.Read(junk)
	junk[0] = 4
	for n := 0; n <= 200; n++ {
		for _, c := range [][]byte{full[:n], junk[:n]} {
			_, err := Decrypt(key, c, nil, nil)
			if err == nil {
				t.Fatalf("length %d: no error", n)
			}
			if n < Overhead && !errors.Is(err, ErrInvalidMessage) {
				t.Fatalf("length %d: err = %v, want ErrInvalidMessage", n, err)
			}
		}
	}
	// The shortest valid message: empty plaintext.
	empty, _ := Encrypt(rand.Reader, &key.PublicKey, nil, nil, nil)
	if pt, err := Decrypt(key, empty, nil, nil); err != nil || len(pt) != 0 {
		t.Fatalf("empty message: %v", err)
	}
}

func TestBitFlips(t *testing.T) {
	key, _ := crypto.GenerateKey()
	m := []byte("the quick brown fox jumps over the lazy dog")
	s2 := []byte{0x01, 0x02}
	ct, _ := Encrypt(rand.Reader, &key.PublicKey, m, nil, s2)
	for i := range ct {
		for bit := range 8 {
			c := bytes.Clone(ct)
			c[i] ^= 1 << bit
			if _, err := Decrypt(key, c, nil, s2); err == nil {
				t.Fatalf("flip of byte %d bit %d accepted", i, bit)
			}
		}
	}
}

// TestInvalidEphemeralKey: the invalid-curve oracle (docs/SECURITY.md). A bad R must be rejected
// with ErrInvalidPublicKey (not the MAC error), i.e. before ECDH.
func TestInvalidEphemeralKey(t *testing.T) {
	key, _ := crypto.GenerateKey()
	ct, _ := Encrypt(rand.Reader, &key.PublicKey, []byte("hello"), nil, nil)
	p, _ := new(big.Int).SetString("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", 16)
	coord := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	alias := func(s string) []byte {
		v := new(big.Int).SetBytes(coord(s))
		return v.Add(v, p).FillBytes(make([]byte, 32))
	}
	const (
		smallX   = "0000000000000000000000000000000000000000000000000000000000000001"
		smallXy  = "4218f20ae6c646b363db68605822fb14264ca8d2587fdd6fbc750d587e76a7ee"
		smallYx  = "146d3b65add9f54ccca28533c88e2cbc63f7443e1658783ab41f8ef97c2a10b5"
		smallY   = "0000000000000000000000000000000000000000000000000000000000000001"
		twoCoord = "0000000000000000000000000000000000000000000000000000000000000002"
	)
	realY := bytes.Clone(ct[33:65])
	realY[31]++
	bad := map[string][]byte{
		"(0,0)":              append(make([]byte, 32), make([]byte, 32)...),
		"(x,y+1)":            append(bytes.Clone(ct[1:33]), realY...),
		"x+p alias":          append(alias(smallX), coord(smallXy)...),
		"y+p alias":          append(coord(smallYx), alias(smallY)...),
		"x=p,y=p":            append(p.Bytes(), p.Bytes()...),
		"invalid curve b'=3": append(coord(smallX), coord(twoCoord)...), // (1,2) on y² = x³ + 3
	}
	// Count uses of the private key: a bad R must be turned away before any.
	ecdhCalls := 0
	defer func(orig func(*ecdsa.PrivateKey, *ecdsa.PublicKey) ([]byte, error)) { ecdh = orig }(ecdh)
	ecdh = func(prv *ecdsa.PrivateKey, pub *ecdsa.PublicKey) ([]byte, error) {
		ecdhCalls++
		return crypto.ECDH(prv, pub)
	}
	for name, xy := range bad {
		c := bytes.Clone(ct)
		copy(c[1:65], xy)
		if _, err := Decrypt(key, c, nil, nil); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("%s: err = %v, want ErrInvalidPublicKey", name, err)
		}
		if ecdhCalls != 0 {
			t.Fatalf("%s: Decrypt ran ECDH on an invalid R", name)
		}
	}
	for _, prefix := range []byte{0x00, 0x02, 0x03, 0x05, 0x06, 0x07} {
		c := bytes.Clone(ct)
		c[0] = prefix
		if _, err := Decrypt(key, c, nil, nil); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("R prefix %#x: err = %v", prefix, err)
		}
	}
	// A valid point that is not the real R gives the MAC error instead.
	other, _ := crypto.GenerateKey()
	c := bytes.Clone(ct)
	copy(c, crypto.FromECDSAPub(&other.PublicKey))
	if _, err := Decrypt(key, c, nil, nil); !errors.Is(err, ErrInvalidMessage) {
		t.Errorf("valid wrong R: err = %v, want ErrInvalidMessage", err)
	}
	if ecdhCalls != 1 {
		t.Fatalf("ECDH ran %d times; want 0 for the bad points and 1 for the valid one", ecdhCalls)
	}
}

func TestEncryptInvalidKey(t *testing.T) {
	for name, pub := range map[string]*ecdsa.PublicKey{
		"nil":   nil,
		"(0,0)": {Curve: crypto.S256(), X: new(big.Int), Y: new(big.Int)},
		"(1,2)": {Curve: crypto.S256(), X: big.NewInt(1), Y: big.NewInt(2)},
	} {
		if _, err := Encrypt(rand.Reader, pub, []byte("x"), nil, nil); !errors.Is(err, ErrInvalidPublicKey) {
			t.Errorf("%s: err = %v", name, err)
		}
	}
	key, _ := crypto.GenerateKey()
	if _, err := Encrypt(bytes.NewReader(nil), &key.PublicKey, []byte("x"), nil, nil); err == nil {
		t.Error("Encrypt with an empty random source succeeded")
	}
}

// TestConcatKDF checks the KDF against SHA-256 computed by hand for the
// counter layout of NIST SP 800-56 (counter starts at 1, big endian).
func TestConcatKDF(t *testing.T) {
	z := []byte("shared secret")
	s1 := []byte("info")
	out := concatKDF(z, s1, 40)
	want1 := sha256Sum(append(append([]byte{0, 0, 0, 1}, z...), s1...))
	want2 := sha256Sum(append(append([]byte{0, 0, 0, 2}, z...), s1...))
	if !bytes.Equal(out[:32], want1) || !bytes.Equal(out[32:], want2[:8]) {
		t.Fatalf("concatKDF = %x", out)
	}
}
