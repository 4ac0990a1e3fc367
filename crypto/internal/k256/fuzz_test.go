package k256

import (
	"bytes"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	decredecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// FuzzRecover compares recovery, and verification with the recovered key,
// with decred on arbitrary digests, signatures and recovery ids.
func FuzzRecover(f *testing.F) {
	k := secp256k1.PrivKeyFromBytes([]byte("fuzz recover seed key 0123456789"))
	hash := bytes.Repeat([]byte{7}, 32)
	c := decredecdsa.SignCompact(k, hash, false)
	f.Add(hash, c[1:], c[0]-27)
	f.Add(hash, make([]byte, 64), byte(0))
	f.Add(hash, append(N.FillBytes(make([]byte, 32)), c[33:]...), byte(1))
	f.Fuzz(func(t *testing.T, hash, sig []byte, v byte) {
		hash, sig = fit(hash, 32), fit(sig, 64)
		v &= 3
		for _, adx := range fieldImpls() {
			withImpl(t, adx, func() {
				checkRecover(t, hash, sig, v)
				var out [65]byte
				if Recover(&out, hash, sig, v) {
					if got, want := Verify(out[:], hash, sig), refVerify(out[:], hash, sig); got != want {
						t.Fatalf("verify %v, decred %v", got, want)
					}
				}
			})
		}
	})
}

// FuzzScalarMult compares the constant-time k·P and k·G with decred for
// arbitrary scalars, P derived from the seed.
func FuzzScalarMult(f *testing.F) {
	for _, k := range edgeScalars() {
		f.Add(k, []byte{1})
	}
	f.Fuzz(func(t *testing.T, k, seed []byte) {
		k = fit(k, 32)
		var s secp256k1.ModNScalar
		if s.SetByteSlice(fit(seed, 32)); s.IsZero() {
			return
		}
		p := secp256k1.NewPrivateKey(&s).PubKey()
		for _, adx := range fieldImpls() {
			withImpl(t, adx, func() {
				checkMult(t, k, p)
				checkMult(t, k, secp256k1.PrivKeyFromBytes([]byte{1}).PubKey())
			})
		}
	})
}

// FuzzParsePubkey compares key parsing with decred's, restricted to the
// encodings the package accepts (0x04 uncompressed, 0x02/0x03 compressed).
func FuzzParsePubkey(f *testing.F) {
	g := secp256k1.PrivKeyFromBytes([]byte{1}).PubKey()
	f.Add(g.SerializeUncompressed())
	f.Add(g.SerializeCompressed())
	f.Add(append([]byte{4}, make([]byte, 64)...))
	f.Fuzz(func(t *testing.T, b []byte) {
		var out [65]byte
		ok := ParsePubkey(&out, b)
		want, err := secp256k1.ParsePubKey(b)
		wok := err == nil && (len(b) == 65 && b[0] == 4 || len(b) == 33)
		if ok != wok || ok && !bytes.Equal(out[:], want.SerializeUncompressed()) {
			t.Fatalf("parse %x: %x %v; decred %v", b, out, ok, err)
		}
	})
}

// fit pads b with zeros or cuts it to n bytes, so that every input the
// fuzzer makes is used.
func fit(b []byte, n int) []byte {
	if len(b) >= n {
		return b[:n]
	}
	return append(b, make([]byte, n-len(b))...)
}
