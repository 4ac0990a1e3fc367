package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"math/big"
	"testing"
)

// FuzzBackendsAgree feeds the same bytes to every backend of the build
// (decred, pure Go, and the C library where it loads): recovery, key
// parsing, verification with the recovered or parsed key, and ECDH with the
// fuzzed scalar must give the same results and the same failures.
func FuzzBackendsAgree(f *testing.F) {
	k := mustKey(f, testKeyA)
	d := Keccak256([]byte("fuzz"))
	sig, _ := Sign(d, k)
	f.Add(d, sig, FromECDSAPub(&k.PublicKey), mustHex(f, testKeyB))
	f.Add(d, make([]byte, 65), CompressPubkey(&k.PublicKey), make([]byte, 32))
	f.Add(d, sig, mustHex(f, "04"+curvePHex+curvePHex), curveN.Bytes())
	f.Fuzz(func(t *testing.T, hash, sig, pub, scalar []byte) {
		hash, sig, scalar = fitBytes(hash, DigestLength), fitBytes(sig, SignatureLength), fitBytes(scalar, PrivateKeyLength)
		sig[64] &= 7 // recovery ids 0..3 and some invalid ones
		backends := testBackends(t)
		ref := backends[0]
		wantPub, wantErr := ref.recover(hash, sig)
		wx, wy, wantParseErr := ref.parsePubkey(pub)
		prv := &ecdsa.PrivateKey{D: new(big.Int).SetBytes(scalar)}
		for _, b := range backends[1:] {
			got, err := b.recover(hash, sig)
			if (err == nil) != (wantErr == nil) || !bytes.Equal(got, wantPub) {
				t.Fatalf("%s: recover %x %v; decred %x %v", b.name(), got, err, wantPub, wantErr)
			}
			if err == nil && b.verify(got, hash, sig[:64]) != ref.verify(got, hash, sig[:64]) {
				t.Fatalf("%s: verify with the recovered key differs", b.name())
			}
			x, y, err := b.parsePubkey(pub)
			if (err == nil) != (wantParseErr == nil) || err == nil && (x.Cmp(wx) != 0 || y.Cmp(wy) != 0) {
				t.Fatalf("%s: parse %x: %v; decred %v", b.name(), pub, err, wantParseErr)
			}
			if err != nil {
				continue
			}
			if b.verify(pub, hash, sig[:64]) != ref.verify(pub, hash, sig[:64]) {
				t.Fatalf("%s: verify with the parsed key differs", b.name())
			}
			for _, compressed := range []bool{false, true} {
				got, err := b.ecdh(prv, x, y, compressed)
				want, werr := ref.ecdh(prv, x, y, compressed)
				if (err == nil) != (werr == nil) || !bytes.Equal(got, want) {
					t.Fatalf("%s: ECDH(%x, %x) %x %v; decred %x %v", b.name(), scalar, pub, got, err, want, werr)
				}
			}
		}
	})
}

// fitBytes pads b with zeros or cuts it to n bytes.
func fitBytes(b []byte, n int) []byte {
	if len(b) >= n {
		return b[:n]
	}
	return append(b, make([]byte, n-len(b))...)
}
