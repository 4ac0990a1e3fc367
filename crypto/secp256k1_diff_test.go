package crypto

// Differential tests: every backend this build has (testBackends) against
// decred's library called directly. Inputs come from a seeded generator, so
// a failure reproduces.

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"math/big"
	"math/rand/v2"
	"sync"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	decredecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// The decred reference, called directly (decredBackend wraps the same calls).

func refPubkey(d []byte) []byte {
	return secp256k1.PrivKeyFromBytes(d).PubKey().SerializeUncompressed()
}

func refSign(hash, d []byte) []byte {
	c := decredecdsa.SignCompact(secp256k1.PrivKeyFromBytes(d), hash, false)
	return append(bytes.Clone(c[1:]), c[0]-27)
}

func refRecover(hash, sig []byte) ([]byte, error) {
	if sig[64] > 3 {
		return nil, errors.New("bad v")
	}
	c := append([]byte{sig[64] + 27}, sig[:64]...)
	pub, _, err := decredecdsa.RecoverCompact(c, hash)
	if err != nil {
		return nil, err
	}
	return pub.SerializeUncompressed(), nil
}

func refParse(b []byte) ([]byte, error) {
	if !pubkeyEncodingOK(b) {
		return nil, errors.New("bad encoding")
	}
	pub, err := secp256k1.ParsePubKey(b)
	if err != nil {
		return nil, err
	}
	return pub.SerializeUncompressed(), nil
}

func refECDH(d, pub65 []byte) (x, compressed []byte) {
	pub, err := secp256k1.ParsePubKey(pub65)
	if err != nil {
		panic(err)
	}
	k := secp256k1.PrivKeyFromBytes(d)
	var p, r secp256k1.JacobianPoint
	pub.AsJacobian(&p)
	secp256k1.ScalarMultNonConst(&k.Key, &p, &r)
	r.ToAffine()
	return secp256k1.GenerateSharedSecret(k, pub), secp256k1.NewPublicKey(&r.X, &r.Y).SerializeCompressed()
}

func refVerify(pubkey, hash, sig []byte) bool {
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) || r.IsZero() || s.IsZero() || s.IsOverHalfOrder() {
		return false
	}
	pub, err := refParse(pubkey)
	if err != nil {
		return false
	}
	p, _ := secp256k1.ParsePubKey(pub)
	return decredecdsa.NewSignature(&r, &s).Verify(hash, p)
}

func diffRand(t *testing.T) *rand.Rand {
	var seed [32]byte
	copy(seed[:], t.Name())
	return rand.New(rand.NewChaCha8(seed))
}

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// randKey returns a valid scalar and its key.
func randKey(t *testing.T, r *rand.Rand) ([]byte, *ecdsa.PrivateKey) {
	for {
		d := randBytes(r, 32)
		if k, err := ToECDSA(d); err == nil {
			return d, k
		}
	}
}

func diffIterations() int {
	if raceEnabled || testing.Short() {
		return 60
	}
	return 300
}

// TestDiffSignRecoverECDH: public keys, signatures, recovery, verification
// and both ECDH forms agree byte for byte on random keys and digests.
func TestDiffSignRecoverECDH(t *testing.T) { forEachBackend(t, diffSignRecoverECDH) }

func diffSignRecoverECDH(t *testing.T, b curveBackend) {
	r := diffRand(t)
	for i := range diffIterations() {
		d, k := randKey(t, r)
		px, py := b.pubkey(d)
		if got, want := FromECDSAPub(&ecdsa.PublicKey{X: px, Y: py}), refPubkey(d); !bytes.Equal(got, want) {
			t.Fatalf("%d: pubkey %x, decred %x", i, got, want)
		}
		hash := randBytes(r, 32)
		sig, err := b.sign(hash, k)
		if err != nil {
			t.Fatal(err)
		}
		if want := refSign(hash, d); !bytes.Equal(sig, want) {
			t.Fatalf("%d: signature %x, decred %x", i, sig, want)
		}
		pub, err := b.recover(hash, sig)
		if want, werr := refRecover(hash, sig); err != nil || werr != nil || !bytes.Equal(pub, want) {
			t.Fatalf("%d: recover %x %v, decred %x %v", i, pub, err, want, werr)
		}
		for _, p := range [][]byte{pub, CompressPubkey(&k.PublicKey)} {
			if !b.verify(p, hash, sig[:64]) || !refVerify(p, hash, sig[:64]) {
				t.Fatalf("%d: valid signature does not verify with %x", i, p)
			}
		}
		// The mirror signature (R, N-S, 1-V) is high-S: both recover the
		// same key from it, neither verifies it.
		hs := bytes.Clone(sig)
		new(big.Int).Sub(curveN, new(big.Int).SetBytes(sig[32:64])).FillBytes(hs[32:64])
		hs[64] ^= 1
		hp, err := b.recover(hash, hs)
		if want, werr := refRecover(hash, hs); err != nil || werr != nil || !bytes.Equal(hp, want) || !bytes.Equal(hp, pub) {
			t.Fatalf("%d: high-S recover %x %v, decred %x %v", i, hp, err, want, werr)
		}
		if b.verify(pub, hash, hs[:64]) || refVerify(pub, hash, hs[:64]) {
			t.Fatalf("%d: high-S signature verified", i)
		}
		// ECDH with another random key.
		_, k2 := randKey(t, r)
		x, err := b.ecdh(k, k2.X, k2.Y, false)
		if err != nil {
			t.Fatal(err)
		}
		cx, err := b.ecdh(k, k2.X, k2.Y, true)
		if err != nil {
			t.Fatal(err)
		}
		wx, wc := refECDH(d, FromECDSAPub(&k2.PublicKey))
		if !bytes.Equal(x, wx) || !bytes.Equal(cx, wc) {
			t.Fatalf("%d: ECDH %x / %x, decred %x / %x", i, x, cx, wx, wc)
		}
		if x2, _ := b.ecdh(k2, k.X, k.Y, false); !bytes.Equal(x, x2) {
			t.Fatalf("%d: ECDH not symmetric", i)
		}
	}
}

// TestDiffRecoverHostile feeds both backends signatures that are mostly
// invalid: random R ‖ S, every recovery id, R small enough for the overflow
// ids 2 and 3, and R, S at the edges of [1, N).
func TestDiffRecoverHostile(t *testing.T) { forEachBackend(t, diffRecoverHostile) }

func diffRecoverHostile(t *testing.T, b curveBackend) {
	r := diffRand(t)
	n := new(big.Int).Set(curveN)
	p, _ := new(big.Int).SetString(curvePHex, 16)
	pMinusN := new(big.Int).Sub(p, n)
	edges := []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2),
		new(big.Int).Sub(n, big.NewInt(1)), n, new(big.Int).Add(n, big.NewInt(1)),
		new(big.Int).Rsh(n, 1), new(big.Int).Add(new(big.Int).Rsh(n, 1), big.NewInt(1)),
		new(big.Int).Sub(pMinusN, big.NewInt(1)), pMinusN,
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)),
	}
	check := func(what string, hash, sig []byte) {
		t.Helper()
		got, err := b.recover(hash, sig)
		want, werr := refRecover(hash, sig)
		if (err == nil) != (werr == nil) || !bytes.Equal(got, want) {
			t.Fatalf("%s: sig %x: recover %x %v, decred %x %v", what, sig, got, err, want, werr)
		}
		if err != nil && !errors.Is(err, ErrInvalidSignature) {
			t.Fatalf("%s: error %v", what, err)
		}
		if err == nil {
			if v, w := b.verify(got, hash, sig[:64]), refVerify(got, hash, sig[:64]); v != w {
				t.Fatalf("%s: sig %x: verify %v, decred %v", what, sig, v, w)
			}
		}
	}
	accepted := 0
	for i := range 4 * diffIterations() {
		hash := randBytes(r, 32)
		sig := randBytes(r, 65)
		sig[64] = byte(i % 4)
		if i%3 == 0 { // R < 2^128 < P-N, where ids 2 and 3 are possible
			clear(sig[:16])
		}
		if _, err := refRecover(hash, sig); err == nil {
			accepted++
		}
		check("random", hash, sig)
	}
	if accepted == 0 {
		t.Fatal("no random signature was recoverable; the test proves nothing")
	}
	hash := randBytes(r, 32)
	for _, rv := range edges {
		for _, sv := range edges {
			for v := range byte(4) {
				sig := make([]byte, 65)
				rv.FillBytes(sig[:32])
				sv.FillBytes(sig[32:64])
				sig[64] = v
				check("edge", hash, sig)
			}
		}
	}
	// Digests at and above N: both use the digest mod N in the signature
	// equation, so recovery and verification agree. The nonces differ
	// (libsecp256k1 reduces the digest before RFC 6979, decred does not; see
	// systemBackend.sign), so the signatures are compared by what they prove.
	d, k := randKey(t, r)
	for _, h := range []*big.Int{n, new(big.Int).Add(n, big.NewInt(5)), edges[len(edges)-1]} {
		hb := h.FillBytes(make([]byte, 32))
		sig, err := b.sign(hb, k)
		if err != nil {
			t.Fatal(err)
		}
		ref := refSign(hb, d)
		for _, s := range [][]byte{sig, ref} {
			pub, err := b.recover(hb, s)
			if err != nil || !bytes.Equal(pub, FromECDSAPub(&k.PublicKey)) {
				t.Fatalf("digest %x: signature %x recovers %x, %v", hb, s, pub, err)
			}
			if !b.verify(pub, hb, s[:64]) || !refVerify(pub, hb, s[:64]) {
				t.Fatalf("digest %x: signature %x does not verify", hb, s)
			}
			check("big digest", hb, s)
		}
		if again, _ := b.sign(hb, k); !bytes.Equal(again, sig) {
			t.Fatalf("digest %x: signature not deterministic", hb)
		}
	}
}

// TestDiffParse: both parsers accept and decode exactly the same keys among
// random encodings, bit-flipped valid keys and coordinate aliases.
func TestDiffParse(t *testing.T) { forEachBackend(t, diffParse) }

func diffParse(t *testing.T, be curveBackend) {
	r := diffRand(t)
	p, _ := new(big.Int).SetString(curvePHex, 16)
	check := func(b []byte) bool {
		t.Helper()
		x, y, err := be.parsePubkey(b)
		want, werr := refParse(b)
		if (err == nil) != (werr == nil) {
			t.Fatalf("%x: parse err %v, decred %v", b, err, werr)
		}
		if err != nil {
			if !errors.Is(err, ErrInvalidPubkey) {
				t.Fatalf("%x: error %v", b, err)
			}
			return false
		}
		got := FromECDSAPub(&ecdsa.PublicKey{X: x, Y: y})
		if !bytes.Equal(got, want) {
			t.Fatalf("%x: parsed %x, decred %x", b, got, want)
		}
		if v := be.validatePub(x, y); v != nil {
			t.Fatalf("%x: parsed key fails validation", b)
		}
		return true
	}
	accepted := 0
	for range diffIterations() {
		_, k := randKey(t, r)
		full := FromECDSAPub(&k.PublicKey)
		comp := CompressPubkey(&k.PublicKey)
		for _, enc := range [][]byte{full, comp} {
			if !check(enc) {
				t.Fatalf("valid key %x refused", enc)
			}
			flipped := bytes.Clone(enc)
			flipped[r.IntN(len(enc))] ^= 1 << r.IntN(8)
			check(flipped)
		}
		// Random X under each prefix: about half are on the curve.
		for _, prefix := range []byte{2, 3, 4, 6, 7} {
			b := randBytes(r, 33)
			b[0] = prefix
			if check(b) {
				accepted++
			}
			if prefix >= 4 {
				check(append(b, randBytes(r, 32)...))
			}
		}
		// y+p and p-y aliases, where they fit in 32 bytes.
		for _, y := range []*big.Int{new(big.Int).Add(k.Y, p), new(big.Int).Sub(p, k.Y)} {
			if y.BitLen() <= 256 {
				b := bytes.Clone(full)
				y.FillBytes(b[33:])
				check(b)
				if err := be.validatePub(k.X, y); (err == nil) != (refParseXY(k.X, y) == nil) {
					t.Fatalf("validate (%x, %x): %v", k.X, y, err)
				}
			}
		}
	}
	if accepted == 0 {
		t.Fatal("no random compressed key was accepted; the test proves nothing")
	}
}

func refParseXY(x, y *big.Int) error {
	b := make([]byte, 65)
	b[0] = 4
	x.FillBytes(b[1:33])
	y.FillBytes(b[33:])
	_, err := refParse(b)
	return err
}

// TestDiffConcurrent uses the one shared context from several goroutines
// at once (run it with -race); every result must match decred's.
func TestDiffConcurrent(t *testing.T) { forEachBackend(t, diffConcurrent) }

func diffConcurrent(t *testing.T, b curveBackend) {
	r := diffRand(t)
	type job struct {
		d, hash, peer, sig, pub, shared []byte
		k                               *ecdsa.PrivateKey
		peerKey                         *ecdsa.PrivateKey
	}
	jobs := make([]job, 16)
	for i := range jobs {
		d, k := randKey(t, r)
		_, pk := randKey(t, r)
		j := job{d: d, k: k, peerKey: pk, hash: randBytes(r, 32)}
		j.sig = refSign(j.hash, d)
		j.pub = refPubkey(d)
		j.shared, _ = refECDH(d, FromECDSAPub(&pk.PublicKey))
		jobs[i] = j
	}
	const workers = 4
	var wg sync.WaitGroup
	errs := make(chan error, workers)
	for w := range workers {
		wg.Go(func() {
			for round := range 5 {
				for i := range jobs {
					j := &jobs[(i+w+round)%len(jobs)]
					sig, err := b.sign(j.hash, j.k)
					if err != nil || !bytes.Equal(sig, j.sig) {
						errs <- errors.New("sign mismatch " + hex.EncodeToString(sig))
						return
					}
					if pub, err := b.recover(j.hash, sig); err != nil || !bytes.Equal(pub, j.pub) {
						errs <- errors.New("recover mismatch")
						return
					}
					if x, err := b.ecdh(j.k, j.peerKey.X, j.peerKey.Y, false); err != nil || !bytes.Equal(x, j.shared) {
						errs <- errors.New("ECDH mismatch")
						return
					}
				}
			}
		})
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}
