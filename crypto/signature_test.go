package crypto

import (
	"bytes"
	"encoding/hex"
	"errors"
	"math/big"
	"testing"
)

func TestSignRecover(t *testing.T) {
	half := new(big.Int).Rsh(curveN, 1)
	for i := 0; i < 50; i++ {
		k, _ := GenerateKey()
		digest := Keccak256([]byte{byte(i)})
		sig, err := Sign(digest, k)
		if err != nil {
			t.Fatal(err)
		}
		if len(sig) != SignatureLength || sig[64] > 1 {
			t.Fatalf("bad signature %x", sig)
		}
		if new(big.Int).SetBytes(sig[32:64]).Cmp(half) > 0 {
			t.Fatalf("high S in %x", sig)
		}
		pub, err := Ecrecover(digest, sig)
		if err != nil {
			t.Fatal(err)
		}
		want := FromECDSAPub(&k.PublicKey)
		if !bytes.Equal(pub, want) {
			t.Fatalf("recovered %x, want %x", pub, want)
		}
		if sp, err := SigToPub(digest, sig); err != nil || !sp.Equal(&k.PublicKey) {
			t.Fatalf("SigToPub: %v", err)
		}
		if !VerifySignature(pub, digest, sig[:64]) {
			t.Fatal("VerifySignature (uncompressed) failed")
		}
		if !VerifySignature(CompressPubkey(&k.PublicKey), digest, sig[:64]) {
			t.Fatal("VerifySignature (compressed) failed")
		}
		// Wrong digest: recovers a different key, does not verify.
		other := Keccak256([]byte("other"))
		if VerifySignature(pub, other, sig[:64]) {
			t.Fatal("verified over wrong digest")
		}
		if p2, err := Ecrecover(other, sig); err == nil && bytes.Equal(p2, pub) {
			t.Fatal("recovered the same key from a different digest")
		}
	}
}

func TestSignDeterministic(t *testing.T) {
	k := mustKey(t, testKeyA)
	d := Keccak256([]byte("x"))
	s1, _ := Sign(d, k)
	s2, _ := Sign(d, k)
	if !bytes.Equal(s1, s2) {
		t.Fatal("RFC 6979 signatures differ")
	}
}

func TestVerifyRejectsHighS(t *testing.T) {
	k := mustKey(t, testKeyA)
	digest := Keccak256([]byte("malleable"))
	sig, _ := Sign(digest, k)
	pub := FromECDSAPub(&k.PublicKey)
	// (R, N-S) is the same signature mathematically; it must be refused.
	s := new(big.Int).SetBytes(sig[32:64])
	high := new(big.Int).Sub(curveN, s).FillBytes(make([]byte, 32))
	hs := append(bytes.Clone(sig[:32]), high...)
	if VerifySignature(pub, digest, hs) {
		t.Fatal("high-S signature accepted")
	}
}

func TestSignatureErrors(t *testing.T) {
	k := mustKey(t, testKeyA)
	digest := Keccak256([]byte("e"))
	sig, _ := Sign(digest, k)
	pub := FromECDSAPub(&k.PublicKey)
	n := curveN.FillBytes(make([]byte, 32))

	if _, err := Sign(digest[:31], k); err == nil {
		t.Error("Sign accepted 31-byte digest")
	}
	if _, err := Sign(digest, nil); !errors.Is(err, ErrInvalidPrivateKey) {
		t.Errorf("Sign(nil key) err = %v", err)
	}
	mod := func(f func(s []byte)) []byte { s := bytes.Clone(sig); f(s); return s }
	badSigs := map[string][]byte{
		"empty":  nil,
		"64":     sig[:64],
		"66":     append(bytes.Clone(sig), 0),
		"V=4":    mod(func(s []byte) { s[64] = 4 }),
		"V=27":   mod(func(s []byte) { s[64] = 27 }),
		"R=0":    mod(func(s []byte) { clear(s[:32]) }),
		"S=0":    mod(func(s []byte) { clear(s[32:64]) }),
		"R=N":    mod(func(s []byte) { copy(s[:32], n) }),
		"S=N":    mod(func(s []byte) { copy(s[32:64], n) }),
		"R=ff..": mod(func(s []byte) { copy(s[:32], bytes.Repeat([]byte{0xff}, 32)) }),
		"all 0":  make([]byte, 65),
		"all ff": bytes.Repeat([]byte{0xff}, 65),
	}
	for name, s := range badSigs {
		if _, err := Ecrecover(digest, s); !errors.Is(err, ErrInvalidSignature) {
			t.Errorf("Ecrecover(%s) err = %v", name, err)
		}
		if len(s) >= 64 && VerifySignature(pub, digest, s[:64]) && name != "64" && name != "66" && name != "V=4" && name != "V=27" {
			t.Errorf("VerifySignature(%s) accepted", name)
		}
	}
	if _, err := Ecrecover(digest[:31], sig); !errors.Is(err, ErrInvalidSignature) {
		t.Errorf("short digest err = %v", err)
	}
	if VerifySignature(pub, digest, sig) {
		t.Error("VerifySignature accepted a 65-byte signature")
	}
	if VerifySignature(pub, digest[:31], sig[:64]) {
		t.Error("VerifySignature accepted a 31-byte digest")
	}
}

// TestRecoverVector checks recovery against the EIP-8 auth₁ signature
// (rlpx-handshake.json: signed by ephemeral key A over static-shared-secret ^ nonce).
func TestRecoverVector(t *testing.T) {
	a, b := mustKey(t, testKeyA), mustKey(t, testKeyB)
	eph := mustKey(t, "869d6ecf5211f1cc60418a13b9d870b22959d0c16f02bec714c960dd2298a32d")
	nonce := mustHex(t, "7e968bba13b6c50e2c4cd7f241cc0d64d1ac25c7f5952df231ac6a2bda8ee5d6")
	shared, err := ECDH(a, &b.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	msg := make([]byte, 32)
	for i := range msg {
		msg[i] = shared[i] ^ nonce[i]
	}
	sig, _ := Sign(msg, eph)
	pub, err := Ecrecover(msg, sig)
	if err != nil {
		t.Fatal(err)
	}
	want := "654d1044b69c577a44e5f01a1209523adb4026e70c62d1c13a067acabc09d2667a49821a0ad4b634554d330a15a58fe61f8a8e0544b310c6de7b0c8da7528a8d"
	if got := hex.EncodeToString(pub[1:]); got != want {
		t.Fatalf("recovered %s, want %s", got, want)
	}
}
