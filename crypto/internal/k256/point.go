package k256

// Group operations on y² = x³ + 7 in Jacobian coordinates: (X, Y, Z) is the
// affine point (X/Z², Y/Z³), and Z ≡ 0 is the point at infinity. The
// formulas are the a = 0 ones of the Explicit-Formulas Database
// (https://hyperelliptic.org/EFD/g1p/auto-shortw-jacobian-0.html):
// dbl-2009-l, madd-2007-bl and add-2007-bl. They branch on their inputs
// (equal or opposite points, infinity), so they are for public points only.

// jacPoint is a point in Jacobian coordinates.
type jacPoint struct{ x, y, z fe }

// affPoint is a finite point in affine coordinates.
type affPoint struct{ x, y fe }

// curveB is the curve constant b = 7.
var curveB = fe{7}

// isInfinity reports whether p is the point at infinity.
func (p *jacPoint) isInfinity() bool { return p.z.isZero() }

// setAffine sets p to a.
func (p *jacPoint) setAffine(a *affPoint) *jacPoint {
	p.x, p.y = a.x, a.y
	p.z.setInt(1)
	return p
}

// double sets p = 2q. Infinity doubles to infinity (Z3 = 2·Y·Z), and the
// curve has no point of order 2 (Y ≠ 0 for finite points).
func (p *jacPoint) double(q *jacPoint) *jacPoint {
	var a, b, c, d, e, f, t fe
	a.sqr(&q.x)
	b.sqr(&q.y)
	c.sqr(&b)
	d.add(&q.x, &b).sqr(&d).sub(&d, &a).sub(&d, &c).double(&d)
	e.mulSmall(&a, 3)
	f.sqr(&e)
	p.z.mul(&q.y, &q.z).double(&p.z) // before p.y: p may be q
	p.x.sub(&f, t.double(&d))
	t.sub(&d, &p.x).mul(&t, &e)
	c.mulSmall(&c, 8)
	p.y.sub(&t, &c)
	return p
}

// addAffine sets p = q + a.
func (p *jacPoint) addAffine(q *jacPoint, a *affPoint) *jacPoint {
	if q.isInfinity() {
		return p.setAffine(a)
	}
	var z1z1, u2, s2, h, r, hh, i, j, v, t fe
	z1z1.sqr(&q.z)
	u2.mul(&a.x, &z1z1)
	s2.mul(&a.y, &q.z).mul(&s2, &z1z1)
	h.sub(&u2, &q.x)
	r.sub(&s2, &q.y).double(&r)
	if h.isZero() {
		if r.isZero() {
			return p.double(q)
		}
		*p = jacPoint{}
		return p
	}
	hh.sqr(&h)
	i.double(&hh).double(&i)
	j.mul(&h, &i)
	v.mul(&q.x, &i)
	// Z3 first: it reads q.z, and p may be q.
	p.z.add(&q.z, &h).sqr(&p.z).sub(&p.z, &z1z1).sub(&p.z, &hh)
	t.mul(&q.y, &j).double(&t) // 2·Y1·J
	p.x.sqr(&r).sub(&p.x, &j).sub(&p.x, &v).sub(&p.x, &v)
	v.sub(&v, &p.x).mul(&v, &r)
	p.y.sub(&v, &t)
	return p
}

// add sets p = q + o.
func (p *jacPoint) add(q, o *jacPoint) *jacPoint {
	if q.isInfinity() {
		*p = *o
		return p
	}
	if o.isInfinity() {
		*p = *q
		return p
	}
	var z1z1, z2z2, u1, u2, s1, s2, h, r, i, j, v, t fe
	z1z1.sqr(&q.z)
	z2z2.sqr(&o.z)
	u1.mul(&q.x, &z2z2)
	u2.mul(&o.x, &z1z1)
	s1.mul(&q.y, &o.z).mul(&s1, &z2z2)
	s2.mul(&o.y, &q.z).mul(&s2, &z1z1)
	h.sub(&u2, &u1)
	r.sub(&s2, &s1).double(&r)
	if h.isZero() {
		if r.isZero() {
			return p.double(q)
		}
		*p = jacPoint{}
		return p
	}
	i.double(&h).sqr(&i)
	j.mul(&h, &i)
	v.mul(&u1, &i)
	p.z.add(&q.z, &o.z).sqr(&p.z).sub(&p.z, &z1z1).sub(&p.z, &z2z2).mul(&p.z, &h)
	p.x.sqr(&r).sub(&p.x, &j).sub(&p.x, &v).sub(&p.x, &v)
	t.mul(&s1, &j).double(&t)
	v.sub(&v, &p.x).mul(&v, &r)
	p.y.sub(&v, &t)
	return p
}

// neg sets p = −q.
func (p *jacPoint) neg(q *jacPoint) *jacPoint {
	p.x, p.z = q.x, q.z
	p.y.neg(&q.y)
	return p
}

// toAffine returns p in affine coordinates, normalized; false for infinity.
func (p *jacPoint) toAffine() (affPoint, bool) {
	if p.isInfinity() {
		return affPoint{}, false
	}
	var zi, zi2 fe
	var a affPoint
	zi.inv(&p.z)
	zi2.sqr(&zi)
	a.x.mul(&p.x, &zi2)
	zi2.mul(&zi2, &zi)
	a.y.mul(&p.y, &zi2)
	a.x.normalize()
	a.y.normalize()
	return a, true
}

// onCurve reports whether y² = x³ + 7.
func (a *affPoint) onCurve() bool {
	var l, r fe
	l.sqr(&a.y)
	r.sqr(&a.x).mul(&r, &a.x).add(&r, &curveB)
	return l.equal(&r)
}

// liftX returns the point with this x and the given parity of y, or false
// when x³ + 7 is not a square.
func liftX(x *fe, odd bool) (affPoint, bool) {
	var a affPoint
	var r fe
	r.sqr(x).mul(&r, x).add(&r, &curveB)
	if !a.y.sqrt(&r) {
		return a, false
	}
	a.x = *x
	a.x.normalize()
	a.y.normalize()
	if a.y.isOdd() != odd {
		a.y.neg(&a.y)
		a.y.normalize()
	}
	return a, true
}
