package k256

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

var bigP, _ = new(big.Int).SetString("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", 16)

func feFromLimbs(b []byte) fe {
	var x fe
	for i := 0; i < 4 && 8*i < len(b); i++ {
		for j := 0; j < 8 && 8*i+j < len(b); j++ {
			x[i] |= uint64(b[8*i+j]) << (8 * j)
		}
	}
	return x
}

func (z *fe) big() *big.Int {
	var b [32]byte
	for i := range 4 {
		for j := range 8 {
			b[31-8*i-j] = byte(z[i] >> (8 * j))
		}
	}
	return new(big.Int).SetBytes(b[:])
}

// edgeElements are limb patterns at the edges of the weakly reduced range.
func edgeElements() []fe {
	m := ^uint64(0)
	return []fe{
		{}, {1}, {2}, {fieldC}, {fieldC - 1},
		fieldP, {fieldP[0] - 1, m, m, m}, {fieldP[0] + 1, m, m, m}, {m, m, m, m},
		{0, 0, 0, 1 << 63}, {m, 0, 0, 0}, {0, m, 0, m},
	}
}

// checkField compares every operation on x and y with math/big.
func checkField(t *testing.T, x, y fe) {
	t.Helper()
	bx, by := x.big(), y.big()
	mod := func(v *big.Int) *big.Int { return v.Mod(v, bigP) }
	eq := func(op string, got fe, want *big.Int) {
		t.Helper()
		if got[0]|got[1]|got[2]|got[3] != 0 && got.big().BitLen() > 256 {
			t.Fatalf("%s out of range", op)
		}
		if g := mod(got.big()); g.Cmp(mod(want)) != 0 {
			t.Fatalf("%s(%x, %x) = %x, want %x", op, bx, by, g, mod(want))
		}
	}
	var z fe
	eq("add", *z.add(&x, &y), new(big.Int).Add(bx, by))
	eq("sub", *z.sub(&x, &y), new(big.Int).Sub(bx, by))
	eq("neg", *z.neg(&x), new(big.Int).Neg(bx))
	eq("mul", *z.mul(&x, &y), new(big.Int).Mul(bx, by))
	eq("sqr", *z.sqr(&x), new(big.Int).Mul(bx, bx))
	eq("mulSmall", *z.mulSmall(&x, 0x7fffffff), new(big.Int).Mul(bx, big.NewInt(0x7fffffff)))
	n := x
	n.normalize()
	if n.big().Cmp(mod(new(big.Int).Set(bx))) != 0 {
		t.Fatalf("normalize(%x) = %x", bx, n.big())
	}
	if x.isZero() != (mod(new(big.Int).Set(bx)).Sign() == 0) {
		t.Fatalf("isZero(%x)", bx)
	}
	if x.equal(&y) != (mod(new(big.Int).Set(bx)).Cmp(mod(new(big.Int).Set(by))) == 0) {
		t.Fatalf("equal(%x, %x)", bx, by)
	}
	if x.isOdd() != (mod(new(big.Int).Set(bx)).Bit(0) == 1) {
		t.Fatalf("isOdd(%x)", bx)
	}
	want := new(big.Int).ModInverse(mod(new(big.Int).Set(bx)), bigP)
	if want == nil {
		want = new(big.Int)
	}
	eq("inv", *z.inv(&x), want)
	root := new(big.Int).ModSqrt(mod(new(big.Int).Set(bx)), bigP)
	if ok := z.sqrt(&x); ok != (root != nil) {
		t.Fatalf("sqrt(%x): square %v, big says %v", bx, ok, root != nil)
	} else if ok {
		eq("sqrt²", *new(fe).sqr(&z), bx)
	}
	var b [32]byte
	x.putBytes(&b)
	var back fe
	if !back.setBytes(&b) || back.big().Cmp(mod(new(big.Int).Set(bx))) != 0 {
		t.Fatalf("bytes round trip of %x", bx)
	}
}

// fieldImpls lists the multiplication paths this CPU can run: the
// generic Go code always, the BMI2/ADX assembly where available.
func fieldImpls() []bool {
	if useADX {
		return []bool{false, true}
	}
	return []bool{false}
}

// withImpl runs f with the multiplication path forced to adx.
func withImpl(t testing.TB, adx bool, f func()) {
	saved := useADX
	useADX = adx
	defer func() { useADX = saved }()
	f()
}

func implName(adx bool) string {
	if adx {
		return "adx"
	}
	return "generic"
}

// TestFieldImpls states which paths ran, so a machine without ADX shows it.
func TestFieldImpls(t *testing.T) {
	t.Logf("multiplication paths tested here: %v (useADX=%v)", fieldImpls(), useADX)
}

func TestFieldEdges(t *testing.T) {
	for _, adx := range fieldImpls() {
		t.Run(implName(adx), func(t *testing.T) {
			withImpl(t, adx, func() {
				for _, x := range edgeElements() {
					for _, y := range edgeElements() {
						checkField(t, x, y)
					}
				}
			})
		})
	}
}

func TestFieldRandom(t *testing.T) {
	for _, adx := range fieldImpls() {
		t.Run(implName(adx), func(t *testing.T) {
			withImpl(t, adx, func() { fieldRandom(t) })
		})
	}
}

func fieldRandom(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range iterations(20000) {
		// Limbs drawn from values where carries and folds happen.
		pick := func() uint64 {
			switch r.IntN(6) {
			case 0:
				return 0
			case 1:
				return ^uint64(0)
			case 2:
				return fieldP[0] + uint64(r.IntN(5)) - 2
			case 3:
				return ^uint64(0) - uint64(r.IntN(2000))
			default:
				return r.Uint64()
			}
		}
		x := fe{pick(), pick(), pick(), pick()}
		y := fe{pick(), pick(), pick(), pick()}
		checkField(t, x, y)
	}
}

func TestFieldSetBytes(t *testing.T) {
	for _, tc := range []struct {
		v  *big.Int
		ok bool
	}{
		{new(big.Int).Sub(bigP, big.NewInt(1)), true},
		{bigP, false},
		{new(big.Int).Add(bigP, big.NewInt(1)), false},
		{new(big.Int).Sub(new(big.Int).Lsh(big.NewInt(1), 256), big.NewInt(1)), false},
		{big.NewInt(0), true},
	} {
		var b [32]byte
		tc.v.FillBytes(b[:])
		var x fe
		if x.setBytes(&b) != tc.ok {
			t.Errorf("setBytes(%x) ok = %v", tc.v, !tc.ok)
		}
	}
}

// FuzzField compares the field operations with math/big on arbitrary limbs.
func FuzzField(f *testing.F) {
	for _, x := range edgeElements() {
		var b [64]byte
		for i := range 4 {
			for j := range 8 {
				b[8*i+j] = byte(x[i] >> (8 * j))
			}
		}
		f.Add(b[:])
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if len(b) < 64 {
			b = append(b, make([]byte, 64-len(b))...)
		}
		x, y := feFromLimbs(b[:32]), feFromLimbs(b[32:64])
		for _, adx := range fieldImpls() {
			withImpl(t, adx, func() { checkField(t, x, y) })
		}
		// Both paths give the same limbs, not only the same residue.
		var g, a fe
		withImpl(t, false, func() { g.mul(&x, &y) })
		withImpl(t, useADX, func() { a.mul(&x, &y) })
		if g != a {
			t.Fatalf("mul(%x, %x): generic %x, adx %x", x, y, g, a)
		}
		withImpl(t, false, func() { g.sqr(&x) })
		withImpl(t, useADX, func() { a.sqr(&x) })
		if g != a {
			t.Fatalf("sqr(%x): generic %x, adx %x", x, g, a)
		}
	})
}
