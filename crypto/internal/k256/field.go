package k256

// Arithmetic modulo the field prime p = 2²⁵⁶ − 2³² − 977 on four 64-bit
// limbs. Because 2²⁵⁶ ≡ c = 2³² + 977 (mod p), a carry out of the top limb
// is folded back in as a multiple of c, and a 512-bit product reduces with
// two multiplications by c instead of a division.
//
// An fe holds any value below 2²⁵⁶ ("weakly reduced"): p ≤ v < 2²⁵⁶ stands
// for v − p. Every operation accepts such values; normalize maps to [0, p)
// before a value is compared or serialized. Every function here runs in
// time independent of the values (no branches or indices on them), so the
// same code serves secret scalars' points.

import (
	"encoding/binary"
	"math/bits"
)

// fe is a field element, little-endian limbs.
type fe [4]uint64

// fieldC is 2²⁵⁶ mod p.
const fieldC = 0x1000003D1

// fieldP holds p's limbs.
var fieldP = fe{0xFFFFFFFEFFFFFC2F, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF, 0xFFFFFFFFFFFFFFFF}

// setBytes sets z to the big-endian b and reports whether b < p.
func (z *fe) setBytes(b *[32]byte) bool {
	z[3] = binary.BigEndian.Uint64(b[0:8])
	z[2] = binary.BigEndian.Uint64(b[8:16])
	z[1] = binary.BigEndian.Uint64(b[16:24])
	z[0] = binary.BigEndian.Uint64(b[24:32])
	// b < p iff b + c does not carry out of 2²⁵⁶.
	_, carry := bits.Add64(z[0], fieldC, 0)
	_, carry = bits.Add64(z[1], 0, carry)
	_, carry = bits.Add64(z[2], 0, carry)
	_, carry = bits.Add64(z[3], 0, carry)
	return carry == 0
}

// putBytes writes the canonical big-endian form of z.
func (z *fe) putBytes(b *[32]byte) {
	t := *z
	t.normalize()
	binary.BigEndian.PutUint64(b[0:8], t[3])
	binary.BigEndian.PutUint64(b[8:16], t[2])
	binary.BigEndian.PutUint64(b[16:24], t[1])
	binary.BigEndian.PutUint64(b[24:32], t[0])
}

// normalize reduces z to [0, p).
func (z *fe) normalize() {
	// z ≥ p iff z + c carries; then z + c − 2²⁵⁶ = z − p.
	t0, carry := bits.Add64(z[0], fieldC, 0)
	t1, carry := bits.Add64(z[1], 0, carry)
	t2, carry := bits.Add64(z[2], 0, carry)
	t3, carry := bits.Add64(z[3], 0, carry)
	mask := -carry
	z[0] ^= (z[0] ^ t0) & mask
	z[1] ^= (z[1] ^ t1) & mask
	z[2] ^= (z[2] ^ t2) & mask
	z[3] ^= (z[3] ^ t3) & mask
}

// isZero reports whether z ≡ 0.
func (z *fe) isZero() bool {
	t := *z
	t.normalize()
	return t[0]|t[1]|t[2]|t[3] == 0
}

// equal reports whether z ≡ x.
func (z *fe) equal(x *fe) bool {
	var d fe
	d.sub(z, x)
	return d.isZero()
}

// isOdd reports whether the canonical value of z is odd.
func (z *fe) isOdd() bool {
	t := *z
	t.normalize()
	return t[0]&1 == 1
}

// set sets z to a small integer.
func (z *fe) setInt(v uint64) *fe {
	*z = fe{v}
	return z
}

// add sets z = x + y.
func (z *fe) add(x, y *fe) *fe {
	r0, carry := bits.Add64(x[0], y[0], 0)
	r1, carry := bits.Add64(x[1], y[1], carry)
	r2, carry := bits.Add64(x[2], y[2], carry)
	r3, carry := bits.Add64(x[3], y[3], carry)
	// Fold the carry (2²⁵⁶ ≡ c); a second carry is only possible when the
	// first fold wrapped, and then the low limbs are tiny.
	r0, carry = bits.Add64(r0, fieldC&-carry, 0)
	r1, carry = bits.Add64(r1, 0, carry)
	r2, carry = bits.Add64(r2, 0, carry)
	r3, carry = bits.Add64(r3, 0, carry)
	r0 += fieldC & -carry
	z[0], z[1], z[2], z[3] = r0, r1, r2, r3
	return z
}

// sub sets z = x − y.
func (z *fe) sub(x, y *fe) *fe {
	r0, borrow := bits.Sub64(x[0], y[0], 0)
	r1, borrow := bits.Sub64(x[1], y[1], borrow)
	r2, borrow := bits.Sub64(x[2], y[2], borrow)
	r3, borrow := bits.Sub64(x[3], y[3], borrow)
	// A borrow means the result is 2²⁵⁶ too big: subtract c.
	r0, borrow = bits.Sub64(r0, fieldC&-borrow, 0)
	r1, borrow = bits.Sub64(r1, 0, borrow)
	r2, borrow = bits.Sub64(r2, 0, borrow)
	r3, borrow = bits.Sub64(r3, 0, borrow)
	r0 -= fieldC & -borrow
	z[0], z[1], z[2], z[3] = r0, r1, r2, r3
	return z
}

// neg sets z = −x.
func (z *fe) neg(x *fe) *fe {
	var zero fe
	return z.sub(&zero, x)
}

// double sets z = 2x.
func (z *fe) double(x *fe) *fe { return z.add(x, x) }

// mulSmall sets z = x·k for k < 2³¹.
func (z *fe) mulSmall(x *fe, k uint64) *fe {
	h0, r0 := bits.Mul64(x[0], k)
	h1, r1 := bits.Mul64(x[1], k)
	h2, r2 := bits.Mul64(x[2], k)
	h3, r3 := bits.Mul64(x[3], k)
	var carry uint64
	r1, carry = bits.Add64(r1, h0, 0)
	r2, carry = bits.Add64(r2, h1, carry)
	r3, carry = bits.Add64(r3, h2, carry)
	top := h3 + carry // < 2³¹
	// top·2²⁵⁶ ≡ top·c, which is below 2⁶⁴.
	hi, lo := bits.Mul64(top, fieldC)
	r0, carry = bits.Add64(r0, lo, 0)
	r1, carry = bits.Add64(r1, hi, carry)
	r2, carry = bits.Add64(r2, 0, carry)
	r3, carry = bits.Add64(r3, 0, carry)
	// After a final carry r < 2⁶⁴, so adding c carries at most into r1.
	r0, carry = bits.Add64(r0, fieldC&-carry, 0)
	r1 += carry
	z[0], z[1], z[2], z[3] = r0, r1, r2, r3
	return z
}

// mul sets z = x·y.
func (z *fe) mul(x, y *fe) *fe {
	if useADX {
		feMulADX(z, x, y)
		return z
	}
	var t [8]uint64
	mul512(&t, x, y)
	reduce512(z, &t)
	return z
}

// sqr sets z = x².
func (z *fe) sqr(x *fe) *fe {
	if useADX {
		feSqrADX(z, x)
		return z
	}
	var t [8]uint64
	sqr512(&t, x)
	reduce512(z, &t)
	return z
}

// sqrN sets z = x^(2^n).
func (z *fe) sqrN(x *fe, n int) *fe {
	z.sqr(x)
	for i := 1; i < n; i++ {
		z.sqr(z)
	}
	return z
}

// mul512Generic writes the 512-bit product x·y to t.
func mul512Generic(t *[8]uint64, x, y *fe) {
	var c, h, l uint64

	// Row 0.
	h, t[0] = bits.Mul64(x[0], y[0])
	c = h
	h, l = bits.Mul64(x[0], y[1])
	t[1], c = addMul(l, c, h)
	h, l = bits.Mul64(x[0], y[2])
	t[2], c = addMul(l, c, h)
	h, l = bits.Mul64(x[0], y[3])
	t[3], t[4] = addMul(l, c, h)

	// Rows 1..3: t[i+j] += x[i]·y[j].
	t[1], t[2], t[3], t[4], t[5] = mulAddRow(x[1], y, t[1], t[2], t[3], t[4])
	t[2], t[3], t[4], t[5], t[6] = mulAddRow(x[2], y, t[2], t[3], t[4], t[5])
	t[3], t[4], t[5], t[6], t[7] = mulAddRow(x[3], y, t[3], t[4], t[5], t[6])
}

// addMul returns lo + c as a limb and the carry into the next limb, hi plus
// the carry of that addition (which cannot overflow: hi ≤ 2⁶⁴ − 2).
func addMul(lo, c, hi uint64) (uint64, uint64) {
	s, carry := bits.Add64(lo, c, 0)
	return s, hi + carry
}

// mulAddRow returns (a0..a3) + a·y as five limbs.
func mulAddRow(a uint64, y *fe, a0, a1, a2, a3 uint64) (r0, r1, r2, r3, r4 uint64) {
	var c, h, l, carry uint64
	h, l = bits.Mul64(a, y[0])
	r0, carry = bits.Add64(a0, l, 0)
	c = h + carry
	h, l = bits.Mul64(a, y[1])
	l, carry = bits.Add64(l, c, 0)
	h += carry
	r1, carry = bits.Add64(a1, l, 0)
	c = h + carry
	h, l = bits.Mul64(a, y[2])
	l, carry = bits.Add64(l, c, 0)
	h += carry
	r2, carry = bits.Add64(a2, l, 0)
	c = h + carry
	h, l = bits.Mul64(a, y[3])
	l, carry = bits.Add64(l, c, 0)
	h += carry
	r3, carry = bits.Add64(a3, l, 0)
	r4 = h + carry
	return
}

// sqr512Generic writes x² to t.
func sqr512Generic(t *[8]uint64, x *fe) { mul512Generic(t, x, x) }

// reduce512 sets z ≡ t (mod p), below 2²⁵⁶.
func reduce512(z *fe, t *[8]uint64) {
	// t = lo + hi·2²⁵⁶ ≡ lo + hi·c. hi·c has five limbs (the top < 2³⁴).
	h0, l0 := bits.Mul64(t[4], fieldC)
	h1, l1 := bits.Mul64(t[5], fieldC)
	h2, l2 := bits.Mul64(t[6], fieldC)
	h3, l3 := bits.Mul64(t[7], fieldC)
	var carry uint64
	l1, carry = bits.Add64(l1, h0, 0)
	l2, carry = bits.Add64(l2, h1, carry)
	l3, carry = bits.Add64(l3, h2, carry)
	top := h3 + carry

	r0, carry := bits.Add64(t[0], l0, 0)
	r1, carry := bits.Add64(t[1], l1, carry)
	r2, carry := bits.Add64(t[2], l2, carry)
	r3, carry := bits.Add64(t[3], l3, carry)
	top += carry // < 2³⁴ + 1

	// top·2²⁵⁶ ≡ top·c < 2⁶⁸: two limbs.
	hi, lo := bits.Mul64(top, fieldC)
	r0, carry = bits.Add64(r0, lo, 0)
	r1, carry = bits.Add64(r1, hi, carry)
	r2, carry = bits.Add64(r2, 0, carry)
	r3, carry = bits.Add64(r3, 0, carry)
	// After a final carry r < 2⁶⁸, so adding c carries at most into r1.
	r0, carry = bits.Add64(r0, fieldC&-carry, 0)
	r1 += carry
	z[0], z[1], z[2], z[3] = r0, r1, r2, r3
}

// inv sets z = x⁻¹ = x^(p−2) (0 for 0), by an addition chain of 255
// squarings and 15 multiplications.
func (z *fe) inv(x *fe) *fe {
	var x2, x3, x6, x9, x11, x22, x44, x88, x176, x220, x223, t fe
	x2.sqr(x).mul(&x2, x)
	x3.sqr(&x2).mul(&x3, x)
	x6.sqrN(&x3, 3).mul(&x6, &x3)
	x9.sqrN(&x6, 3).mul(&x9, &x3)
	x11.sqrN(&x9, 2).mul(&x11, &x2)
	x22.sqrN(&x11, 11).mul(&x22, &x11)
	x44.sqrN(&x22, 22).mul(&x44, &x22)
	x88.sqrN(&x44, 44).mul(&x88, &x44)
	x176.sqrN(&x88, 88).mul(&x176, &x88)
	x220.sqrN(&x176, 44).mul(&x220, &x44)
	x223.sqrN(&x220, 3).mul(&x223, &x3)
	t.sqrN(&x223, 23).mul(&t, &x22)
	t.sqrN(&t, 5).mul(&t, x)
	t.sqrN(&t, 3).mul(&t, &x2)
	t.sqrN(&t, 2).mul(&t, x)
	*z = t
	return z
}

// sqrt sets z to a square root of x, x^((p+1)/4), and reports whether x is
// a square (otherwise z is meaningless).
func (z *fe) sqrt(x *fe) bool {
	var x2, x3, x6, x9, x11, x22, x44, x88, x176, x220, x223, t fe
	x2.sqr(x).mul(&x2, x)
	x3.sqr(&x2).mul(&x3, x)
	x6.sqrN(&x3, 3).mul(&x6, &x3)
	x9.sqrN(&x6, 3).mul(&x9, &x3)
	x11.sqrN(&x9, 2).mul(&x11, &x2)
	x22.sqrN(&x11, 11).mul(&x22, &x11)
	x44.sqrN(&x22, 22).mul(&x44, &x22)
	x88.sqrN(&x44, 44).mul(&x88, &x44)
	x176.sqrN(&x88, 88).mul(&x176, &x88)
	x220.sqrN(&x176, 44).mul(&x220, &x44)
	x223.sqrN(&x220, 3).mul(&x223, &x3)
	t.sqrN(&x223, 23).mul(&t, &x22)
	t.sqrN(&t, 6).mul(&t, &x2)
	t.sqrN(&t, 2)
	var check fe
	check.sqr(&t)
	ok := check.equal(x)
	*z = t
	return ok
}

// cmov sets z = x when cond is 1, leaves it when 0, in constant time.
func (z *fe) cmov(x *fe, cond uint64) {
	mask := -cond
	z[0] ^= (z[0] ^ x[0]) & mask
	z[1] ^= (z[1] ^ x[1]) & mask
	z[2] ^= (z[2] ^ x[2]) & mask
	z[3] ^= (z[3] ^ x[3]) & mask
}
