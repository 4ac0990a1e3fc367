package k256

// The double-scalar multiplication u1·G + u2·P behind recovery and
// verification (variable time: both scalars and P are public). Each scalar
// is split by the endomorphism into two 129-bit halves, so the four
// products share about 130 doublings (Strauss–Shamir), and each half is
// written in wNAF: width 5 for P (a table of 8 odd multiples computed per
// call) and width 8 for G (64 odd multiples of G and of λ·G, computed once).

import (
	"sync"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

const (
	windowP = 5 // wNAF width for the variable point
	windowG = 8 // wNAF width for the generator
)

// generator is G.
var generator = affPoint{
	x: fe{0x59f2815b16f81798, 0x029bfcdb2dce28d9, 0x55a06295ce870b07, 0x79be667ef9dcbbac},
	y: fe{0x9c47d08ffb10d4b8, 0xfd17b448a6855419, 0x5da4fbfc0e1108a8, 0x483ada7726a3c465},
}

// gTables holds the odd multiples 1·G, 3·G, …, (2^(windowG−1) − 1)·G in
// affine form, and the same multiples of λ·G (x times β).
var gTables = sync.OnceValue(func() *[2][1 << (windowG - 2)]affPoint {
	var t [2][1 << (windowG - 2)]affPoint
	var jac [1 << (windowG - 2)]jacPoint
	var g, g2 jacPoint
	g.setAffine(&generator)
	g2.double(&g)
	jac[0] = g
	for i := 1; i < len(jac); i++ {
		jac[i].add(&jac[i-1], &g2)
	}
	for i := range jac {
		a, _ := jac[i].toAffine() // finite: multiples of G below N
		t[0][i] = a
		t[1][i] = a
		t[1][i].x.mul(&a.x, &beta)
	}
	return &t
})

// oddMultiples fills t with P, 3P, …, (2·len(t) − 1)·P.
func oddMultiples(t *[1 << (windowP - 2)]jacPoint, p *affPoint) {
	var p2 jacPoint
	t[0].setAffine(p)
	p2.double(&t[0])
	for i := 1; i < len(t); i++ {
		t[i].add(&t[i-1], &p2)
	}
}

// doubleScalarMult returns u1·G + u2·P for 0 ≤ u1, u2 < N.
func doubleScalarMult(u1, u2 *secp256k1.ModNScalar, p *affPoint) jacPoint {
	gt := gTables()
	var pt, lpt [1 << (windowP - 2)]jacPoint
	oddMultiples(&pt, p)
	for i := range pt {
		lpt[i] = pt[i]
		lpt[i].x.mul(&pt[i].x, &beta)
	}

	g1, g2 := splitScalar(u1)
	p1, p2 := splitScalar(u2)
	var dg1, dg2, dp1, dp2 [wnafMax]int8
	n := max(g1.wnaf(&dg1, windowG), g2.wnaf(&dg2, windowG), p1.wnaf(&dp1, windowP), p2.wnaf(&dp2, windowP))

	var acc jacPoint // infinity
	var neg jacPoint
	var nega affPoint
	for i := n - 1; i >= 0; i-- {
		acc.double(&acc)
		if d := dp1[i]; d != 0 {
			addJacDigit(&acc, &pt, d, p1.neg, &neg)
		}
		if d := dp2[i]; d != 0 {
			addJacDigit(&acc, &lpt, d, p2.neg, &neg)
		}
		if d := dg1[i]; d != 0 {
			addAffDigit(&acc, &gt[0], d, g1.neg, &nega)
		}
		if d := dg2[i]; d != 0 {
			addAffDigit(&acc, &gt[1], d, g2.neg, &nega)
		}
	}
	return acc
}

// addJacDigit adds d·T (d odd, the table holding odd multiples), negated
// when the digit's sign and the half scalar's sign differ.
func addJacDigit(acc *jacPoint, t *[1 << (windowP - 2)]jacPoint, d int8, negHalf bool, tmp *jacPoint) {
	idx := d
	if idx < 0 {
		idx = -idx
	}
	e := &t[idx/2]
	if (d < 0) != negHalf {
		tmp.neg(e)
		e = tmp
	}
	acc.add(acc, e)
}

// addAffDigit is addJacDigit for an affine table.
func addAffDigit(acc *jacPoint, t *[1 << (windowG - 2)]affPoint, d int8, negHalf bool, tmp *affPoint) {
	idx := d
	if idx < 0 {
		idx = -idx
	}
	e := &t[idx/2]
	if (d < 0) != negHalf {
		tmp.x = e.x
		tmp.y.neg(&e.y)
		e = tmp
	}
	acc.addAffine(acc, e)
}
