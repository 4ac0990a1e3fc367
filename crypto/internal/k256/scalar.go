package k256

// Scalars modulo the group order N, the GLV decomposition and wNAF digits.
// Scalar arithmetic is a small part of a recovery or verification (one
// inversion, a few products), so it uses math/big.

import (
	"math/big"
	"math/bits"
)

func mustBig(hex string) *big.Int {
	v, ok := new(big.Int).SetString(hex, 16)
	if !ok {
		panic("k256: bad constant " + hex)
	}
	return v
}

var (
	// N is the group order.
	N     = mustBig("fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141")
	halfN = new(big.Int).Rsh(N, 1)
	// pMinusN is p − N: an x coordinate below it has a second candidate R
	// (x + N) in recovery.
	pMinusN = mustBig("14551231950b75fc4402da1722fc9baee")

	// The GLV basis: (a1, b1), (a2, b2) span the lattice of (k1, k2) with
	// k1 + k2·λ ≡ 0 (mod N); b2 = a1 and b1 is negative.
	glvA1    = mustBig("3086d221a7d46bcde86c90e49284eb15")
	glvNegB1 = mustBig("e4437ed6010e88286f547fa90abfe4c3")
	glvA2    = mustBig("114ca50f7a8e2f3f657c1108d9d44cfd8")
	glvB2    = glvA1
)

// beta is the cube root of unity mod p with λ·(x, y) = (β·x, y).
var beta = fe{0xc1396c28719501ee, 0x9cf0497512f58995, 0x6e64479eac3434e9, 0x7ae96a2b657c0710}

// halfScalar is a GLV half: |k| < 2¹²⁹ in three little-endian words, and
// its sign.
type halfScalar struct {
	w   [3]uint64
	neg bool
}

// splitScalar returns k1, k2 with k ≡ k1 + k2·λ (mod N), |k1|, |k2| < 2¹²⁹,
// for 0 ≤ k < N: c1 = round(b2·k/N), c2 = round(−b1·k/N), k1 = k − c1·a1 −
// c2·a2, k2 = c1·(−b1) − c2·b2.
func splitScalar(k *big.Int) (k1, k2 halfScalar) {
	var c1, c2, t, u big.Int
	c1.Mul(glvB2, k).Add(&c1, halfN).Quo(&c1, N)
	c2.Mul(glvNegB1, k).Add(&c2, halfN).Quo(&c2, N)
	t.Mul(&c1, glvA1)
	u.Mul(&c2, glvA2)
	t.Sub(k, &t).Sub(&t, &u)
	k1 = toHalf(&t)
	t.Mul(&c1, glvNegB1)
	u.Mul(&c2, glvB2)
	t.Sub(&t, &u)
	k2 = toHalf(&t)
	return k1, k2
}

func toHalf(v *big.Int) halfScalar {
	h := halfScalar{neg: v.Sign() < 0}
	for i, w := range new(big.Int).Abs(v).Bits() {
		if i < len(h.w) {
			h.w[i] = uint64(w)
		}
	}
	return h
}

// wnafMax bounds the wNAF length of a half scalar: 129 bits, a window of
// up to 8 bits past them, and the final carry.
const wnafMax = 129 + 8 + 1

// bitsAt returns n ≤ 32 bits of w starting at bit i (zero past the end).
func (h *halfScalar) bitsAt(i, n uint) uint64 {
	word := i / 64
	if word >= uint(len(h.w)) {
		return 0
	}
	v := h.w[word] >> (i % 64)
	if i%64+n > 64 && word+1 < uint(len(h.w)) {
		v |= h.w[word+1] << (64 - i%64)
	}
	return v & (1<<n - 1)
}

// wnaf writes the width-w non-adjacent form of |h| to d: Σ d[i]·2^i = |h|,
// every non-zero digit odd with |d[i]| < 2^(w−1), and at least w−1 zeros
// after each one. It returns the number of digits.
func (h *halfScalar) wnaf(d *[wnafMax]int8, w uint) int {
	*d = [wnafMax]int8{}
	bitLen := uint(0)
	for i := len(h.w) - 1; i >= 0; i-- {
		if h.w[i] != 0 {
			bitLen = uint(i)*64 + uint(bits.Len64(h.w[i]))
			break
		}
	}
	carry := uint64(0)
	i := uint(0)
	for i < bitLen {
		if h.bitsAt(i, 1) == carry {
			i++
			continue
		}
		word := h.bitsAt(i, w) + carry
		carry = word >> (w - 1) & 1
		d[i] = int8(int64(word) - int64(carry<<w))
		i += w
	}
	if carry != 0 {
		d[i] = 1
		i++
	}
	return int(i)
}

// scalarFromBytes interprets 32 big-endian bytes as an integer (not
// reduced).
func scalarFromBytes(b []byte) *big.Int { return new(big.Int).SetBytes(b) }

// hashToScalar is the ECDSA e: the 32-byte digest as an integer mod N.
func hashToScalar(hash []byte) *big.Int {
	e := new(big.Int).SetBytes(hash)
	if e.Cmp(N) >= 0 {
		e.Sub(e, N)
	}
	return e
}
