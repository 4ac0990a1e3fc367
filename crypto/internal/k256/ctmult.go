package k256

// Constant-time scalar multiplication, for secret scalars: the node key in
// ECDH, a private key times G, a signing nonce times G. Nothing here
// branches on or indexes memory by the scalar or the points.
//
// Points are in homogeneous projective coordinates (X : Y : Z), x = X/Z,
// y = Y/Z, with the complete formulas of Renes, Costello and Batina,
// "Complete addition formulas for prime order elliptic curves" (EUROCRYPT
// 2016, https://eprint.iacr.org/2015/1060), algorithms 7 (addition) and 9
// (doubling) for a = 0: they have no exceptional cases (equal points,
// opposite points, the identity (0 : 1 : 0)), so the sequence of field
// operations never depends on the data.
//
// The scalar is recoded into 64 signed odd 4-bit digits plus a leading 1
// (recodeOdd), so every step adds one of the odd multiples 1·P … 15·P,
// chosen by a full scan of the table and negated by a conditional move. An
// even scalar k is replaced by N − k (odd, since N is odd) and the result
// negated, again by conditional moves.

import (
	"math/bits"
	"sync"
)

// projPoint is a point in homogeneous projective coordinates.
type projPoint struct{ x, y, z fe }

// curveB3 is 3·b = 21.
const curveB3 = 21

// setAffine sets p to a.
func (p *projPoint) setAffine(a *affPoint) *projPoint {
	p.x, p.y = a.x, a.y
	p.z.setInt(1)
	return p
}

// addComplete sets p = q + r (RCB algorithm 7, a = 0).
func (p *projPoint) addComplete(q, r *projPoint) *projPoint {
	var t0, t1, t2, t3, t4, x3, y3, z3 fe
	t0.mul(&q.x, &r.x)
	t1.mul(&q.y, &r.y)
	t2.mul(&q.z, &r.z)
	t3.add(&q.x, &q.y)
	t4.add(&r.x, &r.y)
	t3.mul(&t3, &t4)
	t4.add(&t0, &t1)
	t3.sub(&t3, &t4)
	t4.add(&q.y, &q.z)
	x3.add(&r.y, &r.z)
	t4.mul(&t4, &x3)
	x3.add(&t1, &t2)
	t4.sub(&t4, &x3)
	x3.add(&q.x, &q.z)
	y3.add(&r.x, &r.z)
	x3.mul(&x3, &y3)
	y3.add(&t0, &t2)
	y3.sub(&x3, &y3)
	x3.add(&t0, &t0)
	t0.add(&x3, &t0)
	t2.mulSmall(&t2, curveB3)
	z3.add(&t1, &t2)
	t1.sub(&t1, &t2)
	y3.mulSmall(&y3, curveB3)
	x3.mul(&t4, &y3)
	t2.mul(&t3, &t1)
	x3.sub(&t2, &x3)
	y3.mul(&y3, &t0)
	t1.mul(&t1, &z3)
	y3.add(&t1, &y3)
	t0.mul(&t0, &t3)
	z3.mul(&z3, &t4)
	z3.add(&z3, &t0)
	p.x, p.y, p.z = x3, y3, z3
	return p
}

// doubleComplete sets p = 2q (RCB algorithm 9, a = 0).
func (p *projPoint) doubleComplete(q *projPoint) *projPoint {
	var t0, t1, t2, x3, y3, z3 fe
	t0.sqr(&q.y)
	z3.add(&t0, &t0)
	z3.add(&z3, &z3)
	z3.add(&z3, &z3)
	t1.mul(&q.y, &q.z)
	t2.sqr(&q.z)
	t2.mulSmall(&t2, curveB3)
	x3.mul(&t2, &z3)
	y3.add(&t0, &t2)
	z3.mul(&t1, &z3)
	t1.add(&t2, &t2)
	t2.add(&t1, &t2)
	t0.sub(&t0, &t2)
	y3.mul(&t0, &y3)
	y3.add(&x3, &y3)
	t1.mul(&q.x, &q.y)
	x3.mul(&t0, &t1)
	x3.add(&x3, &x3)
	p.x, p.y, p.z = x3, y3, z3
	return p
}

// cmov sets p = q when cond is 1.
func (p *projPoint) cmov(q *projPoint, cond uint64) {
	p.x.cmov(&q.x, cond)
	p.y.cmov(&q.y, cond)
	p.z.cmov(&q.z, cond)
}

// condNeg negates p when cond is 1.
func (p *projPoint) condNeg(cond uint64) {
	var ny fe
	ny.neg(&p.y)
	p.y.cmov(&ny, cond)
}

// toAffine returns p in affine form; false for the identity. The inversion
// is a fixed addition chain, so it leaks nothing about Z; only whether the
// result is the identity is revealed.
func (p *projPoint) toAffine() (affPoint, bool) {
	var zi fe
	var a affPoint
	zi.inv(&p.z)
	a.x.mul(&p.x, &zi)
	a.y.mul(&p.y, &zi)
	a.x.normalize()
	a.y.normalize()
	return a, !p.z.isZero()
}

// Scalars for the constant-time code are four little-endian words.
type scalar [4]uint64

// orderN holds N's words.
var orderN = scalar{0xbfd25e8cd0364141, 0xbaaedce6af48a03b, 0xfffffffffffffffe, 0xffffffffffffffff}

// scalarFromBytes32 reads a big-endian scalar.
func scalarFromBytes32(b *[32]byte) scalar {
	var k scalar
	for i := range 4 {
		for j := range 8 {
			k[3-i] = k[3-i]<<8 | uint64(b[8*i+j])
		}
	}
	return k
}

// recodeOdd makes k odd (k or N − k, even reports which) and writes its
// digits: k = Σ d[i]·16^i + 16^64 (recodeDigits).
func recodeOdd(k scalar, d *[64]int8) (even uint64) {
	even = 1 - k[0]&1
	var nk scalar
	var borrow uint64
	nk[0], borrow = bits.Sub64(orderN[0], k[0], 0)
	nk[1], borrow = bits.Sub64(orderN[1], k[1], borrow)
	nk[2], borrow = bits.Sub64(orderN[2], k[2], borrow)
	nk[3], _ = bits.Sub64(orderN[3], k[3], borrow)
	k.cmov(&nk, even)
	recodeDigits(k, d[:])
	return even
}

// recodeDigits writes the digits of an odd k < 2^(4·len(d)+1):
// k = Σ d[i]·16^i + 16^len(d), every d[i] odd in [−15, 15]. With
// d = (k mod 32) − 16 and k ← (k − d)/16, k stays odd, and after
// len(d) − 1 steps it is below 32, so the last quotient is exactly 1.
func recodeDigits(k scalar, d []int8) {
	// w holds k with a fifth word for the carry of k − d (d < 0).
	w := [5]uint64{k[0], k[1], k[2], k[3], 0}
	for i := range d {
		digit := int64(w[0]&31) - 16
		d[i] = int8(digit)
		// w −= digit, sign-extended across the words.
		ext := uint64(digit >> 63) // all ones when digit < 0
		var b uint64
		w[0], b = bits.Sub64(w[0], uint64(digit), 0)
		w[1], b = bits.Sub64(w[1], ext, b)
		w[2], b = bits.Sub64(w[2], ext, b)
		w[3], b = bits.Sub64(w[3], ext, b)
		w[4], _ = bits.Sub64(w[4], ext, b)
		// w >>= 4
		w[0] = w[0]>>4 | w[1]<<60
		w[1] = w[1]>>4 | w[2]<<60
		w[2] = w[2]>>4 | w[3]<<60
		w[3] = w[3]>>4 | w[4]<<60
		w[4] >>= 4
	}
}

// cmov sets k = x when cond is 1.
func (k *scalar) cmov(x *scalar, cond uint64) {
	mask := -cond
	for i := range k {
		k[i] ^= (k[i] ^ x[i]) & mask
	}
}

// ctTable holds 1·P, 3·P, …, 15·P.
type ctTable [8]projPoint

// lookup returns the entry for the odd digit d (|d| ≤ 15), negated when d
// is negative, and once more when neg is 1, scanning the whole table.
func (t *ctTable) lookup(d int8, neg uint64) projPoint {
	sign := uint64(uint8(d) >> 7)
	abs := uint64((int64(d) ^ -int64(sign)) + int64(sign)) // |d|
	idx := abs >> 1
	var r projPoint
	for j := range t {
		r.cmov(&t[j], eqMask(uint64(j), idx))
	}
	r.condNeg(sign ^ neg)
	return r
}

// eqMask returns 1 when a == b, 0 otherwise, without branching.
func eqMask(a, b uint64) uint64 {
	x := a ^ b
	return 1 ^ ((x | -x) >> 63)
}

// scalarMult returns k·P for the 32-byte big-endian scalar k (any value;
// k ≡ 0 mod N gives the identity, reported as false) and an affine point
// P on the curve, in constant time, without the endomorphism (the
// reference for scalarMultGLV in the tests).
func scalarMult(k *[32]byte, p *affPoint) (affPoint, bool) {
	var t ctTable
	var p2 projPoint
	t[0].setAffine(p)
	p2.doubleComplete(&t[0])
	for i := 1; i < len(t); i++ {
		t[i].addComplete(&t[i-1], &p2)
	}
	var d [64]int8
	even := recodeOdd(reduceScalar(scalarFromBytes32(k)), &d)
	acc := t[0] // the leading 1
	for i := len(d) - 1; i >= 0; i-- {
		acc.doubleComplete(&acc)
		acc.doubleComplete(&acc)
		acc.doubleComplete(&acc)
		acc.doubleComplete(&acc)
		e := t.lookup(d[i], 0)
		acc.addComplete(&acc, &e)
	}
	acc.condNeg(even)
	return acc.toAffine()
}

// reduceScalar maps k < 2²⁵⁶ to k mod N (one conditional subtraction, in
// constant time).
func reduceScalar(k scalar) scalar {
	var r scalar
	var borrow uint64
	r[0], borrow = bits.Sub64(k[0], orderN[0], 0)
	r[1], borrow = bits.Sub64(k[1], orderN[1], borrow)
	r[2], borrow = bits.Sub64(k[2], orderN[2], borrow)
	r[3], borrow = bits.Sub64(k[3], orderN[3], borrow)
	// borrow = 1: k < N, keep k.
	mask := -borrow
	for i := range r {
		r[i] ^= (r[i] ^ k[i]) & mask
	}
	return r
}

// baseTable holds, for each of the 64 digit positions i, the odd multiples
// (2j+1)·16^i·G, j < 8, in affine form, plus 16^64·G for the leading 1.
type baseTable struct {
	pos  [64][8]affPoint
	lead affPoint
}

var baseTables = sync.OnceValue(func() *baseTable {
	bt := new(baseTable)
	var base jacPoint // 16^i·G
	base.setAffine(&generator)
	for i := range bt.pos {
		var b2, m jacPoint
		b2.double(&base)
		m = base
		for j := range bt.pos[i] {
			if j > 0 {
				m.add(&m, &b2)
			}
			bt.pos[i][j], _ = m.toAffine() // finite: below N
		}
		for range 4 {
			base.double(&base)
		}
	}
	bt.lead, _ = base.toAffine()
	return bt
})

// scalarBaseMult returns k·G in constant time: one complete addition per
// digit, from the precomputed multiples, and no doubling.
func scalarBaseMult(k *[32]byte) (affPoint, bool) {
	bt := baseTables()
	var d [64]int8
	even := recodeOdd(reduceScalar(scalarFromBytes32(k)), &d)
	var acc projPoint
	acc.setAffine(&bt.lead)
	for i, digit := range d {
		sign := uint64(uint8(digit) >> 7)
		abs := uint64((int64(digit) ^ -int64(sign)) + int64(sign))
		idx := abs >> 1
		var e affPoint
		for j := range bt.pos[i] {
			c := eqMask(uint64(j), idx)
			e.x.cmov(&bt.pos[i][j].x, c)
			e.y.cmov(&bt.pos[i][j].y, c)
		}
		var ny fe
		ny.neg(&e.y)
		e.y.cmov(&ny, sign)
		var ep projPoint
		ep.setAffine(&e)
		acc.addComplete(&acc, &ep)
	}
	acc.condNeg(even)
	return acc.toAffine()
}

// ScalarMult sets out to the uncompressed k·P for a public key P given as
// 65 bytes (0x04 ‖ X ‖ Y, validated here), in constant time in k. It fails
// for an invalid P or a product at infinity (k ≡ 0 mod N).
func ScalarMult(out *[65]byte, k *[32]byte, pub *[65]byte) bool {
	p, ok := parsePoint(pub[:])
	if !ok {
		return false
	}
	r, ok := scalarMultGLV(k, &p)
	r.putUncompressed(out)
	return ok
}

// ScalarBaseMult sets out to the uncompressed k·G, in constant time in k.
// It fails when k ≡ 0 mod N.
func ScalarBaseMult(out *[65]byte, k *[32]byte) bool {
	r, ok := scalarBaseMult(k)
	r.putUncompressed(out)
	return ok
}
