package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// testBackends lists every backend of this build that can run here: decred
// and the pure-Go one always, plus the C library where extraBackends finds
// it.
func testBackends(t *testing.T) []curveBackend {
	return append([]curveBackend{decredBackend{}, goBackend{}}, extraBackends(t)...)
}

// forEachBackend runs f once per backend, as a subtest named after it, so
// every backend is exercised whichever one the process would choose.
func forEachBackend(t *testing.T, f func(t *testing.T, b curveBackend)) {
	for _, b := range testBackends(t) {
		t.Run(shortName(b), func(t *testing.T) { f(t, b) })
	}
}

func shortName(b curveBackend) string {
	switch b.(type) {
	case decredBackend:
		return "decred"
	case goBackend:
		return "go"
	default:
		return "libsecp256k1"
	}
}

// TestBackendEdgeCases compares each backend with decred on the scalars and
// points at the edges: private keys 0, 1, N-1, N, N+1; the generator and its
// negation; public keys at infinity, with x or y >= p, or off the curve;
// recovery ids above 3; signatures with R or S zero, N or high; and a
// signature whose recovery would give the point at infinity.
func TestBackendEdgeCases(t *testing.T) { forEachBackend(t, backendEdgeCases) }

func backendEdgeCases(t *testing.T, b curveBackend) {
	n := new(big.Int).Set(curveN)
	p, _ := new(big.Int).SetString(curvePHex, 16)
	one := big.NewInt(1)
	nMinus1 := new(big.Int).Sub(n, one)
	gx, gy := secp256k1.S256().Params().Gx, secp256k1.S256().Params().Gy
	negGy := new(big.Int).Sub(p, gy)

	// d·G at the ends of the scalar range.
	for _, tc := range []struct {
		d    *big.Int
		x, y *big.Int
	}{{one, gx, gy}, {nMinus1, gx, negGy}} {
		x, y := b.pubkey(tc.d.FillBytes(make([]byte, 32)))
		if x.Cmp(tc.x) != 0 || y.Cmp(tc.y) != 0 {
			t.Errorf("pubkey(%x) = (%x, %x)", tc.d, x, y)
		}
	}

	// ECDH: every private key against every public key, errors and results
	// as decred's. An invalid public key is reported first.
	peer := mustKey(t, testKeyB)
	pubs := []struct {
		name  string
		x, y  *big.Int
		valid bool
	}{
		{"peer", peer.X, peer.Y, true},
		{"G", gx, gy, true},
		{"-G", gx, negGy, true},
		{"infinity (0,0)", big.NewInt(0), big.NewInt(0), false},
		{"y+1", peer.X, new(big.Int).Add(peer.Y, one), false},
		{"x=p", new(big.Int).Set(p), peer.Y, false},
		{"y=p", peer.X, new(big.Int).Set(p), false},
		{"y-p alias", gx, new(big.Int).Add(gy, p), false},
		{"x=0", big.NewInt(0), gy, false},
		{"invalid curve (1,2)", one, big.NewInt(2), false},
		{"2^256", new(big.Int).Lsh(one, 256), gy, false},
		{"negative", new(big.Int).Neg(gx), gy, false},
	}
	privs := []struct {
		name  string
		d     *big.Int
		valid bool
	}{
		{"0", big.NewInt(0), false},
		{"1", one, true},
		{"N-1", nMinus1, true},
		{"N", n, false},
		{"N+1", new(big.Int).Add(n, one), false},
		{"negative", big.NewInt(-5), false},
	}
	for _, pub := range pubs {
		if err := b.validatePub(pub.x, pub.y); (err == nil) != pub.valid {
			t.Errorf("validatePub(%s) = %v", pub.name, err)
		}
		for _, prv := range privs {
			k := &ecdsa.PrivateKey{D: prv.d}
			for _, compressed := range []bool{false, true} {
				got, err := b.ecdh(k, pub.x, pub.y, compressed)
				switch {
				case !pub.valid:
					if !errors.Is(err, ErrInvalidPubkey) {
						t.Errorf("ECDH(%s, %s): err %v, want invalid pubkey", prv.name, pub.name, err)
					}
				case !prv.valid:
					if !errors.Is(err, ErrInvalidPrivateKey) {
						t.Errorf("ECDH(%s, %s): err %v, want invalid private key", prv.name, pub.name, err)
					}
				default:
					wx, wc := refECDH(prv.d.FillBytes(make([]byte, 32)), FromECDSAPub(&ecdsa.PublicKey{X: pub.x, Y: pub.y}))
					if want := map[bool][]byte{false: wx, true: wc}[compressed]; err != nil || !bytes.Equal(got, want) {
						t.Errorf("ECDH(%s, %s, compressed %v) = %x, %v; decred %x", prv.name, pub.name, compressed, got, err, want)
					}
				}
			}
		}
	}

	// Signing with the edge scalars.
	digest := Keccak256([]byte("edge"))
	for _, prv := range privs {
		k := &ecdsa.PrivateKey{D: prv.d}
		sig, err := b.sign(digest, k)
		if !prv.valid {
			if !errors.Is(err, ErrInvalidPrivateKey) {
				t.Errorf("sign with %s: err %v", prv.name, err)
			}
			continue
		}
		if want := refSign(digest, prv.d.FillBytes(make([]byte, 32))); err != nil || !bytes.Equal(sig, want) {
			t.Errorf("sign with %s = %x, %v; decred %x", prv.name, sig, err, want)
		}
	}

	// Recovery ids above 3 and the point at infinity. With R = x(G), V = 0
	// (G's y is even) and a digest equal to S, the recovered key is
	// R⁻¹·(S·G - e·G) = infinity: both must refuse it.
	key := mustKey(t, testKeyA)
	sig, err := b.sign(digest, key)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []byte{4, 27, 28, 255} {
		bad := bytes.Clone(sig)
		bad[64] = v
		if _, err := b.recover(digest, bad); !errors.Is(err, ErrInvalidSignature) {
			t.Errorf("recovery id %d: err %v", v, err)
		}
	}
	inf := make([]byte, 65)
	gx.FillBytes(inf[:32])
	s := big.NewInt(12345)
	s.FillBytes(inf[32:64])
	if gy.Bit(0) != 0 {
		t.Fatal("G's y is odd; the infinity case needs V = 1")
	}
	infDigest := s.FillBytes(make([]byte, 32))
	if _, err := b.recover(infDigest, inf); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("recovery to infinity: err %v", err)
	}
	if _, werr := refRecover(infDigest, inf); werr == nil {
		t.Error("decred recovered a key at infinity; the case proves nothing")
	}
	// The same signature with another digest recovers a real key.
	if _, err := b.recover(digest, inf); err != nil {
		t.Errorf("R = x(G) with another digest: %v", err)
	}

	// Verification: R or S zero or >= N, high S, and keys at infinity.
	pub := FromECDSAPub(&key.PublicKey)
	highS := bytes.Clone(sig)
	new(big.Int).Sub(n, new(big.Int).SetBytes(sig[32:64])).FillBytes(highS[32:64])
	if !b.verify(pub, digest, sig[:64]) {
		t.Error("valid signature refused")
	}
	for name, s := range map[string][]byte{
		"high S": highS[:64],
		"R=0":    append(make([]byte, 32), sig[32:64]...),
		"S=0":    append(bytes.Clone(sig[:32]), make([]byte, 32)...),
		"R=N":    append(n.FillBytes(make([]byte, 32)), sig[32:64]...),
		"S=N":    append(bytes.Clone(sig[:32]), n.FillBytes(make([]byte, 32))...),
		"short":  sig[:63],
	} {
		if b.verify(pub, digest, s) || refVerify(pub, digest, append(s, make([]byte, 64-len(s))...)) && name != "short" {
			t.Errorf("verify accepted %s", name)
		}
	}
	for _, k := range [][]byte{append([]byte{4}, make([]byte, 64)...), {0}, append([]byte{2}, p.FillBytes(make([]byte, 32))...)} {
		if b.verify(k, digest, sig[:64]) {
			t.Errorf("verify accepted key %x", k)
		}
	}
}

// brokenBackend gives one wrong result: selfTest must notice.
type brokenBackend struct{ decredBackend }

func (brokenBackend) sign(hash []byte, prv *ecdsa.PrivateKey) ([]byte, error) {
	sig, err := decredBackend{}.sign(hash, prv)
	if err == nil {
		sig[10] ^= 1
	}
	return sig, err
}

func TestSelfTest(t *testing.T) {
	for _, b := range testBackends(t) {
		if err := selfTest(b); err != nil {
			t.Errorf("%s: %v", b.name(), err)
		}
	}
	if err := selfTest(brokenBackend{}); err == nil {
		t.Error("selfTest passed a backend that signs wrongly")
	}
}
