package k256

import (
	"bytes"
	"math/big"
	"math/rand/v2"
	"testing"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// refMult is decred's k·P (variable time), uncompressed, or nil at infinity.
func refMult(k []byte, p *secp256k1.PublicKey) []byte {
	var s secp256k1.ModNScalar
	s.SetByteSlice(k)
	var pj, r secp256k1.JacobianPoint
	p.AsJacobian(&pj)
	secp256k1.ScalarMultNonConst(&s, &pj, &r)
	if (r.X.IsZero() && r.Y.IsZero()) || r.Z.IsZero() {
		return nil
	}
	r.ToAffine()
	return secp256k1.NewPublicKey(&r.X, &r.Y).SerializeUncompressed()
}

// edgeScalars are the scalars at the ends of the range and around N.
func edgeScalars() [][]byte {
	var out [][]byte
	for _, v := range []*big.Int{
		big.NewInt(0), big.NewInt(1), big.NewInt(2), big.NewInt(3), big.NewInt(15), big.NewInt(16), big.NewInt(17), big.NewInt(31), big.NewInt(32),
		new(big.Int).Sub(N, big.NewInt(1)), new(big.Int).Sub(N, big.NewInt(2)), new(big.Int).Sub(N, big.NewInt(16)),
		N, new(big.Int).Add(N, big.NewInt(1)), new(big.Int).Add(N, big.NewInt(2)), halfN, new(big.Int).Add(halfN, big.NewInt(1)),
		new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)),
		new(big.Int).Lsh(big.NewInt(1), 255),
		// Around λ, where one GLV half is 0 or ±1.
		glvLambdaBig, new(big.Int).Sub(N, glvLambdaBig), new(big.Int).Add(glvLambdaBig, big.NewInt(1)),
		new(big.Int).Sub(glvLambdaBig, big.NewInt(1)), new(big.Int).Mod(new(big.Int).Mul(glvLambdaBig, glvLambdaBig), N),
	} {
		out = append(out, v.FillBytes(make([]byte, 32)))
	}
	return out
}

func checkMult(t *testing.T, k []byte, p *secp256k1.PublicKey) {
	t.Helper()
	want := refMult(k, p)
	var out [65]byte
	var pub [65]byte
	copy(pub[:], p.SerializeUncompressed())
	ok := ScalarMult(&out, (*[32]byte)(k), &pub)
	if ok != (want != nil) || ok && !bytes.Equal(out[:], want) {
		t.Fatalf("ScalarMult(%x, %x) = %x %v; decred %x", k, pub, out, ok, want)
	}
	pa, _ := parsePoint(pub[:])
	r, ok := scalarMult((*[32]byte)(k), &pa)
	r.putUncompressed(&out)
	if ok != (want != nil) || ok && !bytes.Equal(out[:], want) {
		t.Fatalf("scalarMult without GLV (%x, %x) = %x %v; decred %x", k, pub, out, ok, want)
	}
	if p.IsEqual(secp256k1.PrivKeyFromBytes([]byte{1}).PubKey()) {
		ok := ScalarBaseMult(&out, (*[32]byte)(k))
		if ok != (want != nil) || ok && !bytes.Equal(out[:], want) {
			t.Fatalf("ScalarBaseMult(%x) = %x %v; decred %x", k, out, ok, want)
		}
	}
}

func TestScalarMultDiff(t *testing.T) {
	for _, adx := range fieldImpls() {
		t.Run(implName(adx), func(t *testing.T) {
			withImpl(t, adx, func() {
				r := rand.New(rand.NewPCG(9, 10))
				g := secp256k1.PrivKeyFromBytes([]byte{1}).PubKey()
				negG := secp256k1.PrivKeyFromBytes(new(big.Int).Sub(N, big.NewInt(1)).Bytes()).PubKey()
				points := []*secp256k1.PublicKey{g, negG, secp256k1.PrivKeyFromBytes(randBytes(r, 32)).PubKey()}
				for _, k := range edgeScalars() {
					for _, p := range points {
						checkMult(t, k, p)
					}
				}
				for range iterations(200) {
					k := randBytes(r, 32)
					checkMult(t, k, g)
					checkMult(t, k, secp256k1.PrivKeyFromBytes(randBytes(r, 32)).PubKey())
				}
			})
		})
	}
}

func TestScalarMultInvalidPoint(t *testing.T) {
	var out, pub [65]byte
	pub[0] = 4
	k := [32]byte{31: 5}
	if ScalarMult(&out, &k, &pub) {
		t.Fatal("accepted (0,0)")
	}
}

func TestRecodeOdd(t *testing.T) {
	r := rand.New(rand.NewPCG(11, 12))
	ks := edgeScalars()
	for range iterations(1000) {
		ks = append(ks, randBytes(r, 32))
	}
	for _, kb := range ks {
		k := reduceScalar(scalarFromBytes32((*[32]byte)(kb)))
		var d [64]int8
		even := recodeOdd(k, &d)
		v := big.NewInt(1)
		for i := 63; i >= 0; i-- {
			v.Lsh(v, 4).Add(v, big.NewInt(int64(d[i])))
			if d[i]%2 == 0 || d[i] > 15 || d[i] < -15 {
				t.Fatalf("digit %d", d[i])
			}
		}
		want := new(big.Int).Mod(new(big.Int).SetBytes(kb), N)
		if even == 1 {
			want.Sub(N, want)
		}
		if v.Cmp(want) != 0 || (want.Bit(0) == 0) {
			t.Fatalf("recode(%x) = %x, want %x (even %d)", kb, v, want, even)
		}
	}
}

var glvLambdaBig = mustBig("5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72")

// TestGLVSplitConstantTime checks the division-free split: the halves add
// up, are below 2¹²⁸ + 2 and odd, and their digits add up.
func TestGLVSplitConstantTime(t *testing.T) {
	r := rand.New(rand.NewPCG(13, 14))
	ks := edgeScalars()
	for range iterations(3000) {
		ks = append(ks, randBytes(r, 32))
	}
	limit := new(big.Int).Add(new(big.Int).Lsh(big.NewInt(1), 128), big.NewInt(2))
	for _, kb := range ks {
		k := reduceScalar(scalarFromBytes32((*[32]byte)(kb)))
		c1 := mulShift384(&k, &glvG1)
		c2 := mulShift384(&k, &glvG2)
		s1, s2 := toModN(&c1), toModN(&c2)
		var k1, k2, tt secp256k1.ModNScalar
		k2.Mul2(&s1, &glvNegB1Scalar)
		tt.Mul2(&s2, &glvB2Scalar).Negate()
		k2.Add(&tt)
		k1 = toModN(&k)
		tt.Mul2(&k2, &glvLambda).Negate()
		k1.Add(&tt)
		val := func(h *secp256k1.ModNScalar) *big.Int {
			v, neg, adj := splitHalf(h)
			var b [32]byte
			v.putBytes(&b)
			x := new(big.Int).SetBytes(b[:])
			if x.Cmp(limit) >= 0 || x.Bit(0) == 0 {
				t.Fatalf("half %x of %x out of range or even", x, kb)
			}
			var d [glvDigits]int8
			recodeDigits(v, d[:])
			y := big.NewInt(1)
			for i := glvDigits - 1; i >= 0; i-- {
				y.Lsh(y, 4).Add(y, big.NewInt(int64(d[i])))
			}
			if y.Cmp(x) != 0 {
				t.Fatalf("digits of %x give %x", x, y)
			}
			x.Sub(x, new(big.Int).SetUint64(adj))
			if neg == 1 {
				x.Neg(x)
			}
			return x
		}
		sum := new(big.Int).Mul(val(&k2), glvLambdaBig)
		sum.Add(sum, val(&k1)).Mod(sum, N)
		var kbb [32]byte
		k.putBytes(&kbb)
		if sum.Cmp(new(big.Int).SetBytes(kbb[:])) != 0 {
			t.Fatalf("split of %x does not add up", kb)
		}
	}
}
