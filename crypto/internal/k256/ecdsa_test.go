package k256

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	decredecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

func randBytes(r *rand.Rand, n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.Uint32())
	}
	return b
}

// refRecover is decred's recovery of R ‖ S ‖ V.
func refRecover(hash, sig []byte, v byte) ([]byte, bool) {
	c := append([]byte{27 + v}, sig...)
	pub, _, err := decredecdsa.RecoverCompact(c, hash)
	if err != nil {
		return nil, false
	}
	return pub.SerializeUncompressed(), true
}

func refVerify(pubkey, hash, sig []byte) bool {
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) || r.IsZero() || s.IsZero() || s.IsOverHalfOrder() {
		return false
	}
	pub, err := secp256k1.ParsePubKey(pubkey)
	if err != nil || !(len(pubkey) == 65 && pubkey[0] == 4 || len(pubkey) == 33) {
		return false
	}
	return decredecdsa.NewSignature(&r, &s).Verify(hash, pub)
}

func TestSplitScalar(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	lambda := mustBig("5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72")
	ks := []*big.Int{big.NewInt(0), big.NewInt(1), new(big.Int).Sub(N, big.NewInt(1)), halfN, lambda}
	for range iterations(2000) {
		ks = append(ks, new(big.Int).Mod(new(big.Int).SetBytes(randBytes(r, 32)), N))
	}
	for _, k := range ks {
		var kb [32]byte
		k.FillBytes(kb[:])
		var km secp256k1.ModNScalar
		km.SetBytes(&kb)
		k1, k2 := splitScalar(&km)
		back := func(h halfScalar) *big.Int {
			v := new(big.Int)
			for i := len(h.w) - 1; i >= 0; i-- {
				v.Lsh(v, 64).Or(v, new(big.Int).SetUint64(h.w[i]))
			}
			if v.BitLen() > 129 {
				t.Fatalf("half of %x has %d bits", k, v.BitLen())
			}
			if h.neg {
				v.Neg(v)
			}
			return v
		}
		sum := new(big.Int).Mul(back(k2), lambda)
		sum.Add(sum, back(k1)).Mod(sum, N)
		if sum.Cmp(k) != 0 {
			t.Fatalf("split of %x does not add up", k)
		}
		for _, w := range []uint{windowP, windowG} {
			for _, h := range []halfScalar{k1, k2} {
				var d [wnafMax]int8
				n := h.wnaf(&d, w)
				v := new(big.Int)
				for i := n - 1; i >= 0; i-- {
					v.Lsh(v, 1).Add(v, big.NewInt(int64(d[i])))
					if dd := int(d[i]); dd != 0 && (dd%2 == 0 || dd >= 1<<(w-1) || dd <= -(1<<(w-1))) {
						t.Fatalf("bad digit %d", d[i])
					}
				}
				hh := h
				hh.neg = false
				if v.Cmp(back(hh)) != 0 {
					t.Fatalf("wnaf(%x, %d) = %x", back(hh), w, v)
				}
			}
		}
	}
	if new(big.Int).SetBytes(pMinusNBytes[:]).Cmp(new(big.Int).Sub(bigP, N)) != 0 {
		t.Fatal("pMinusNBytes is wrong")
	}
	if fieldN.big().Cmp(N) != 0 {
		t.Fatal("fieldN is wrong")
	}
}

// TestRecoverVerifyDiff: recovery and verification agree with decred on
// signatures made by random keys, their high-S twins, and random garbage.
func TestRecoverVerifyDiff(t *testing.T) {
	for _, adx := range fieldImpls() {
		t.Run(implName(adx), func(t *testing.T) {
			withImpl(t, adx, func() { recoverVerifyDiff(t) })
		})
	}
}

func recoverVerifyDiff(t *testing.T) {
	r := rand.New(rand.NewPCG(5, 6))
	for i := range iterations(500) {
		k := secp256k1.PrivKeyFromBytes(randBytes(r, 32))
		hash := randBytes(r, 32)
		c := decredecdsa.SignCompact(k, hash, false)
		sig, v := c[1:], c[0]-27
		checkRecover(t, hash, sig, v)
		pub := k.PubKey()
		for _, enc := range [][]byte{pub.SerializeUncompressed(), pub.SerializeCompressed()} {
			if !Verify(enc, hash, sig) || !refVerify(enc, hash, sig) {
				t.Fatalf("%d: valid signature refused", i)
			}
			var out [65]byte
			if !ParsePubkey(&out, enc) || !bytes.Equal(out[:], pub.SerializeUncompressed()) {
				t.Fatalf("%d: parse %x", i, enc)
			}
		}
		// High S: recovers with the other id, does not verify.
		hs := bytes.Clone(sig)
		new(big.Int).Sub(N, new(big.Int).SetBytes(sig[32:])).FillBytes(hs[32:])
		checkRecover(t, hash, hs, v^1)
		if Verify(pub.SerializeCompressed(), hash, hs) {
			t.Fatalf("%d: high S verified", i)
		}
		// Garbage, with small R now and then so ids 2 and 3 can work.
		g := randBytes(r, 64)
		if i%3 == 0 {
			clear(g[:16])
		}
		for v := range byte(4) {
			checkRecover(t, hash, g, v)
		}
		if Verify(pub.SerializeCompressed(), hash, g) != refVerify(pub.SerializeCompressed(), hash, g) {
			t.Fatalf("%d: verify of garbage differs", i)
		}
	}
}

func checkRecover(t *testing.T, hash, sig []byte, v byte) {
	t.Helper()
	var out [65]byte
	ok := Recover(&out, hash, sig, v)
	want, wok := refRecover(hash, sig, v)
	if ok != wok || ok && !bytes.Equal(out[:], want) {
		t.Fatalf("recover(%x, %x, %d) = %x %v; decred %x %v", hash, sig, v, out, ok, want, wok)
	}
}

func benchSig() (hash, sig []byte, v byte, pub []byte) {
	r := rand.New(rand.NewPCG(7, 8))
	k := secp256k1.PrivKeyFromBytes(randBytes(r, 32))
	hash = randBytes(r, 32)
	c := decredecdsa.SignCompact(k, hash, false)
	return hash, c[1:], c[0] - 27, k.PubKey().SerializeCompressed()
}

func BenchmarkRecover(b *testing.B) {
	hash, sig, v, _ := benchSig()
	var out [65]byte
	b.ReportAllocs()
	for b.Loop() {
		if !Recover(&out, hash, sig, v) {
			b.Fatal("failed")
		}
	}
}

func BenchmarkDecredRecover(b *testing.B) {
	hash, sig, v, _ := benchSig()
	c := append([]byte{27 + v}, sig...)
	b.ReportAllocs()
	for b.Loop() {
		if _, _, err := decredecdsa.RecoverCompact(c, hash); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerify(b *testing.B) {
	hash, sig, _, pub := benchSig()
	b.ReportAllocs()
	for b.Loop() {
		if !Verify(pub, hash, sig) {
			b.Fatal("failed")
		}
	}
}
