package k256

// ECDSA public key recovery and verification (SEC 1 v2, sections 4.1.4 and
// 4.1.6, https://www.secg.org/sec1-v2.pdf) and public key parsing.

import "github.com/decred/dcrd/dcrec/secp256k1/v4"

// ParsePubkey parses a 65-byte uncompressed key (prefix 0x04 only) or a
// 33-byte compressed one (0x02/0x03) and writes its uncompressed form to
// out. It rejects coordinates ≥ p and points off the curve.
func ParsePubkey(out *[65]byte, b []byte) bool {
	a, ok := parsePoint(b)
	if !ok {
		return false
	}
	a.putUncompressed(out)
	return true
}

func parsePoint(b []byte) (affPoint, bool) {
	var a affPoint
	switch {
	case len(b) == 65 && b[0] == 4:
		if !a.x.setBytes((*[32]byte)(b[1:33])) || !a.y.setBytes((*[32]byte)(b[33:65])) {
			return a, false
		}
		return a, a.onCurve()
	case len(b) == 33 && (b[0] == 2 || b[0] == 3):
		var x fe
		if !x.setBytes((*[32]byte)(b[1:33])) {
			return a, false
		}
		return liftX(&x, b[0] == 3)
	}
	return a, false
}

// putUncompressed writes 0x04 ‖ X ‖ Y.
func (a *affPoint) putUncompressed(out *[65]byte) {
	out[0] = 4
	a.x.putBytes((*[32]byte)(out[1:33]))
	a.y.putBytes((*[32]byte)(out[33:65]))
}

// Recover writes to out the uncompressed public key that made the
// signature r ‖ s (sig, 64 bytes) with recovery id v ≤ 3 over the 32-byte
// hash. It fails for r or s outside [1, N), an R that is not on the curve
// (or x = r + N ≥ p for v ≥ 2), and a result at infinity. S above N/2 is
// accepted.
func Recover(out *[65]byte, hash []byte, sig []byte, v byte) bool {
	if len(hash) != 32 || len(sig) != 64 || v > 3 {
		return false
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) || r.IsZero() || s.IsZero() {
		return false // r or s ≥ N, or zero
	}
	// R's x coordinate is r, or r + N for the ids 2 and 3.
	var x fe
	x.setBytes((*[32]byte)(sig[:32])) // r < N < p
	if v&2 != 0 {
		if !belowPMinusN(sig[:32]) {
			return false // r + N ≥ p
		}
		x.add(&x, &fieldN)
	}
	rp, ok := liftX(&x, v&1 == 1)
	if !ok {
		return false
	}
	// Q = r⁻¹·(s·R − e·G) = (−e·r⁻¹)·G + (s·r⁻¹)·R.
	var rinv, u1, u2, e secp256k1.ModNScalar
	rinv.InverseValNonConst(&r)
	e.SetByteSlice(hash)
	u1.Mul2(&e, &rinv).Negate()
	u2.Mul2(&s, &rinv)
	q := doubleScalarMult(&u1, &u2, &rp)
	qa, ok := q.toAffine()
	if !ok {
		return false
	}
	qa.putUncompressed(out)
	return true
}

// fieldN is N as a field element (N < p).
var fieldN = fe{0xbfd25e8cd0364141, 0xbaaedce6af48a03b, 0xfffffffffffffffe, 0xffffffffffffffff}

// pMinusNBytes is p − N, big-endian.
var pMinusNBytes = [32]byte{
	15: 0x01, 0x45, 0x51, 0x23, 0x19, 0x50, 0xb7, 0x5f, 0xc4, 0x40, 0x2d, 0xa1, 0x72, 0x2f, 0xc9, 0xba, 0xee,
}

// belowPMinusN reports whether the 32-byte big-endian r is below p − N,
// that is whether r + N is a valid x coordinate.
func belowPMinusN(r []byte) bool {
	for i := range pMinusNBytes {
		if r[i] != pMinusNBytes[i] {
			return r[i] < pMinusNBytes[i]
		}
	}
	return false
}

// Verify checks the signature r ‖ s (64 bytes) over the 32-byte hash
// against a 33- or 65-byte public key. It rejects r or s outside [1, N) and
// s above N/2 (the malleable twin of a valid signature).
func Verify(pubkey, hash, sig []byte) bool {
	if len(hash) != 32 || len(sig) != 64 {
		return false
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) || r.IsZero() || s.IsZero() || s.IsOverHalfOrder() {
		return false
	}
	pub, ok := parsePoint(pubkey)
	if !ok {
		return false
	}
	// X = (e·s⁻¹)·G + (r·s⁻¹)·Q; valid iff X is finite and x(X) mod N = r.
	var w, u1, u2, e secp256k1.ModNScalar
	w.InverseValNonConst(&s)
	e.SetByteSlice(hash)
	u1.Mul2(&e, &w)
	u2.Mul2(&r, &w)
	x := doubleScalarMult(&u1, &u2, &pub)
	if x.isInfinity() {
		return false
	}
	// Compare without inverting Z: x(X) = X/Z², so test X = r·Z², and
	// X = (r + N)·Z² when r + N < p.
	var z2, cand fe
	z2.sqr(&x.z)
	cand.setBytes((*[32]byte)(sig[:32]))
	rf := cand
	if cand.mul(&cand, &z2).equal(&x.x) {
		return true
	}
	if !belowPMinusN(sig[:32]) {
		return false
	}
	cand.add(&rf, &fieldN)
	return cand.mul(&cand, &z2).equal(&x.x)
}
