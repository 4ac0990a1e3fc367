package k256

// Constant-time k·P with the endomorphism: k = k1 + k2·λ (mod N) with
// |k1|, |k2| < 2¹²⁸, so k·P = k1·P + k2·(λP) needs 128 doublings instead
// of 256. The split avoids division: c1 = ⌊k·g1 / 2³⁸⁴⌉ and
// c2 = ⌊k·g2 / 2³⁸⁴⌉ with g1 ≈ 2³⁸⁴·b2/N and g2 ≈ 2³⁸⁴·(−b1)/N, then
// k2 = c1·(−b1) − c2·b2 and k1 = k − k2·λ, all mod N with decred's
// constant-time ModNScalar. Each half is then taken as its absolute value
// (a conditional negation, folded into the table lookups), made odd by
// adding 1 when it is even (subtracted again at the end by a conditional
// move), and recoded into 32 signed odd digits.

import (
	"math/bits"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// glvHalves is the number of 4-bit digits of a half below 2¹²⁸ + 1.
const glvDigits = 32

var (
	glvG1 = scalar{0xe893209a45dbb031, 0x3daa8a1471e8ca7f, 0xe86c90e49284eb15, 0x3086d221a7d46bcd}
	glvG2 = scalar{0x1571b4ae8ac47f71, 0x221208ac9df506c6, 0x6f547fa90abfe4c4, 0xe4437ed6010e8828}

	glvNegB1Scalar = modN("00000000000000000000000000000000e4437ed6010e88286f547fa90abfe4c3")
	glvB2Scalar    = modN("000000000000000000000000000000003086d221a7d46bcde86c90e49284eb15")
	glvLambda      = modN("5363ad4cc05c30e0a5261c028812645a122e22ea20816678df02967c1b23bd72")
)

func modN(hex string) secp256k1.ModNScalar {
	var b [32]byte
	mustBig(hex).FillBytes(b[:])
	var s secp256k1.ModNScalar
	s.SetBytes(&b)
	return s
}

// mulShift384 returns ⌊k·g / 2³⁸⁴⌉ (rounded to nearest) for 256-bit k, g.
func mulShift384(k, g *scalar) scalar {
	var t [8]uint64
	mul512Generic(&t, (*fe)(k), (*fe)(g))
	// Round: add 2³⁸³ (bit 63 of word 5) before dropping the low 384 bits.
	_, carry := bits.Add64(t[5], 1<<63, 0)
	var c scalar
	c[0], carry = bits.Add64(t[6], 0, carry)
	c[1], _ = bits.Add64(t[7], 0, carry)
	return c
}

func toModN(k *scalar) secp256k1.ModNScalar {
	var b [32]byte
	k.putBytes(&b)
	var s secp256k1.ModNScalar
	s.SetBytes(&b)
	clear(b[:])
	return s
}

// putBytes writes k big-endian.
func (k *scalar) putBytes(b *[32]byte) {
	for i := range 4 {
		for j := range 8 {
			b[31-8*i-j] = byte(k[i] >> (8 * j))
		}
	}
}

// splitHalf turns a half h ∈ (−2¹²⁸, 2¹²⁸) given mod N into its absolute
// value, made odd: it returns |h| + adj (adj = 1 when |h| is even), neg
// (1 when h < 0) and adj.
func splitHalf(h *secp256k1.ModNScalar) (v scalar, neg, adj uint64) {
	neg = b2u(h.IsOverHalfOrder())
	var b, nb [32]byte
	h.PutBytes(&b)
	n := *h
	n.Negate()
	n.PutBytes(&nb)
	v = scalarFromBytes32(&b)
	nv := scalarFromBytes32(&nb)
	v.cmov(&nv, neg)
	clear(b[:])
	clear(nb[:])
	n.Zero()
	adj = 1 - v[0]&1
	var carry uint64
	v[0], carry = bits.Add64(v[0], adj, 0)
	v[1], carry = bits.Add64(v[1], 0, carry)
	v[2] += carry
	return v, neg, adj
}

// b2u converts a bool to 0 or 1 (the compiler emits a SETcc, no branch).
func b2u(b bool) uint64 {
	var u uint64
	if b {
		u = 1
	}
	return u
}

// glvSplit returns k1, k2 ≡ k − k2·λ, both in (−2¹²⁸, 2¹²⁸) mod N, for
// k < N, in constant time.
func glvSplit(k *scalar) (k1, k2 secp256k1.ModNScalar) {
	c1 := mulShift384(k, &glvG1)
	c2 := mulShift384(k, &glvG2)
	s1, s2 := toModN(&c1), toModN(&c2)
	var t secp256k1.ModNScalar
	k2.Mul2(&s1, &glvNegB1Scalar)
	t.Mul2(&s2, &glvB2Scalar).Negate()
	k2.Add(&t)
	k1 = toModN(k)
	t.Mul2(&k2, &glvLambda).Negate()
	k1.Add(&t)
	t.Zero()
	s1.Zero()
	s2.Zero()
	return k1, k2
}

// scalarMultGLV returns k·P for k < N, in constant time.
func scalarMultGLV(kIn *[32]byte, p *affPoint) (affPoint, bool) {
	k := reduceScalar(scalarFromBytes32(kIn))
	k1, k2 := glvSplit(&k)
	v1, neg1, adj1 := splitHalf(&k1)
	v2, neg2, adj2 := splitHalf(&k2)
	k1.Zero()
	k2.Zero()

	var d1, d2 [glvDigits]int8
	recodeDigits(v1, d1[:])
	recodeDigits(v2, d2[:])

	// Tables of 1·P … 15·P and of the same multiples of λP = (βX : Y : Z).
	var t1, t2 ctTable
	var p2 projPoint
	t1[0].setAffine(p)
	p2.doubleComplete(&t1[0])
	for i := 1; i < len(t1); i++ {
		t1[i].addComplete(&t1[i-1], &p2)
	}
	for i := range t1 {
		t2[i] = t1[i]
		t2[i].x.mul(&t1[i].x, &beta)
	}

	// The leading digits 1 of both halves, then 32 steps.
	acc := t1.lookup(1, neg1)
	e := t2.lookup(1, neg2)
	acc.addComplete(&acc, &e)
	for i := glvDigits - 1; i >= 0; i-- {
		acc.doubleComplete(&acc)
		acc.doubleComplete(&acc)
		acc.doubleComplete(&acc)
		acc.doubleComplete(&acc)
		e = t1.lookup(d1[i], neg1)
		acc.addComplete(&acc, &e)
		e = t2.lookup(d2[i], neg2)
		acc.addComplete(&acc, &e)
	}
	// Undo the +1 of an even half: subtract ±P or ±λP when adj is 1.
	var fixed projPoint
	e = t1.lookup(1, neg1^1)
	fixed.addComplete(&acc, &e)
	acc.cmov(&fixed, adj1)
	e = t2.lookup(1, neg2^1)
	fixed.addComplete(&acc, &e)
	acc.cmov(&fixed, adj2)
	return acc.toAffine()
}
