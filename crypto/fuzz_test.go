package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"math/big"
	"testing"
)

// FuzzPubkey parses arbitrary bytes as public keys. Whatever is accepted must
// be a valid point that re-encodes to the same bytes and works in ECDH.
func FuzzPubkey(f *testing.F) {
	f.Add(mustHex(f, "04"+testPubA))
	f.Add(mustHex(f, "04"+smallXPoint))
	f.Add(mustHex(f, "02"+smallXPoint[:64]))
	f.Add(mustHex(f, "04"+curvePHex+curvePHex))
	f.Add(make([]byte, 65))
	prv := mustKey(f, testKeyB)
	f.Fuzz(func(t *testing.T, b []byte) {
		for _, parse := range []func([]byte) (*ecdsa.PublicKey, error){UnmarshalPubkey, DecompressPubkey} {
			pub, err := parse(b)
			if err != nil {
				if !errors.Is(err, ErrInvalidPubkey) {
					t.Fatalf("unexpected error %v", err)
				}
				continue
			}
			if !ValidatePubkey(pub) {
				t.Fatal("parsed an invalid key")
			}
			enc := FromECDSAPub(pub)
			if len(b) == CompressedPubkeyLength {
				enc = CompressPubkey(pub)
			}
			if !bytes.Equal(enc, b) {
				t.Fatalf("re-encoding %x differs from input %x", enc, b)
			}
			if _, err := ECDH(prv, pub); err != nil {
				t.Fatalf("ECDH with accepted key: %v", err)
			}
		}
	})
}

// FuzzEcrecover recovers keys from arbitrary signatures; an accepted
// signature must verify against the recovered key unless S is high.
func FuzzEcrecover(f *testing.F) {
	k := mustKey(f, testKeyA)
	d := Keccak256([]byte("seed"))
	sig, _ := Sign(d, k)
	f.Add(d, sig)
	f.Add(d, make([]byte, 65))
	f.Fuzz(func(t *testing.T, hash, sig []byte) {
		pub, err := Ecrecover(hash, sig)
		if err != nil {
			if !errors.Is(err, ErrInvalidSignature) {
				t.Fatalf("unexpected error %v", err)
			}
			return
		}
		if _, err := UnmarshalPubkey(pub); err != nil {
			t.Fatalf("recovered an invalid key: %v", err)
		}
		s := new(big.Int).SetBytes(sig[32:64])
		if s.Cmp(new(big.Int).Rsh(curveN, 1)) <= 0 && !VerifySignature(pub, hash, sig[:64]) {
			t.Fatal("recovered key does not verify the signature")
		}
	})
}
