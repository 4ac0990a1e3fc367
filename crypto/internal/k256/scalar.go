package k256

// Scalars modulo the group order N for recovery and verification, the GLV
// decomposition of public scalars and their wNAF digits. The arithmetic
// mod N is decred's ModNScalar.

import (
	"math/big"
	"math/bits"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

func mustBig(hex string) *big.Int {
	v, ok := new(big.Int).SetString(hex, 16)
	if !ok {
		panic("k256: bad constant " + hex)
	}
	return v
}

// beta is the cube root of unity mod p with λ·(x, y) = (β·x, y).
var beta = fe{0xc1396c28719501ee, 0x9cf0497512f58995, 0x6e64479eac3434e9, 0x7ae96a2b657c0710}

// halfScalar is a GLV half: |k| < 2¹²⁹ in three little-endian words, and
// its sign.
type halfScalar struct {
	w   [3]uint64
	neg bool
}

// splitScalar returns the GLV halves of k < N as signed magnitudes
// (variable time: for public scalars).
func splitScalar(k *secp256k1.ModNScalar) (k1, k2 halfScalar) {
	var b [32]byte
	k.PutBytes(&b)
	ks := scalarFromBytes32(&b)
	m1, m2 := glvSplit(&ks)
	return toHalf(&m1), toHalf(&m2)
}

// toHalf converts a half in (−2¹²⁸, 2¹²⁸), given mod N.
func toHalf(m *secp256k1.ModNScalar) halfScalar {
	h := halfScalar{neg: m.IsOverHalfOrder()}
	v := *m
	if h.neg {
		v.Negate()
	}
	var b [32]byte
	v.PutBytes(&b)
	s := scalarFromBytes32(&b)
	copy(h.w[:], s[:3])
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
