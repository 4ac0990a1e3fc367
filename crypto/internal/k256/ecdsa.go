package k256

// ECDSA public key recovery and verification (SEC 1 v2, sections 4.1.4 and
// 4.1.6, https://www.secg.org/sec1-v2.pdf) and public key parsing.

import "math/big"

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
	r, s := scalarFromBytes(sig[:32]), scalarFromBytes(sig[32:])
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(N) >= 0 || s.Cmp(N) >= 0 {
		return false
	}
	x := r
	if v&2 != 0 {
		if r.Cmp(pMinusN) >= 0 {
			return false // r + N ≥ p
		}
		x = new(big.Int).Add(r, N)
	}
	var xb [32]byte
	var xf fe
	x.FillBytes(xb[:])
	xf.setBytes(&xb)
	rp, ok := liftX(&xf, v&1 == 1)
	if !ok {
		return false
	}
	// Q = r⁻¹·(s·R − e·G) = (−e·r⁻¹)·G + (s·r⁻¹)·R.
	rinv := new(big.Int).ModInverse(r, N)
	e := hashToScalar(hash)
	u1 := new(big.Int).Mul(e, rinv)
	u1.Neg(u1).Mod(u1, N)
	u2 := new(big.Int).Mul(s, rinv)
	u2.Mod(u2, N)
	q := doubleScalarMult(u1, u2, &rp)
	qa, ok := q.toAffine()
	if !ok {
		return false
	}
	qa.putUncompressed(out)
	return true
}

// Verify checks the signature r ‖ s (64 bytes) over the 32-byte hash
// against a 33- or 65-byte public key. It rejects r or s outside [1, N) and
// s above N/2 (the malleable twin of a valid signature).
func Verify(pubkey, hash, sig []byte) bool {
	if len(hash) != 32 || len(sig) != 64 {
		return false
	}
	r, s := scalarFromBytes(sig[:32]), scalarFromBytes(sig[32:])
	if r.Sign() == 0 || s.Sign() == 0 || r.Cmp(N) >= 0 || s.Cmp(halfN) > 0 {
		return false
	}
	pub, ok := parsePoint(pubkey)
	if !ok {
		return false
	}
	// X = (e·s⁻¹)·G + (r·s⁻¹)·Q; valid iff X is finite and x(X) mod N = r.
	w := new(big.Int).ModInverse(s, N)
	u1 := new(big.Int).Mul(hashToScalar(hash), w)
	u1.Mod(u1, N)
	u2 := new(big.Int).Mul(r, w)
	u2.Mod(u2, N)
	x := doubleScalarMult(u1, u2, &pub)
	if x.isInfinity() {
		return false
	}
	// Compare without inverting Z: x(X) = X/Z², so test X = r·Z², and
	// X = (r + N)·Z² when r + N < p.
	var z2, cand fe
	z2.sqr(&x.z)
	var rb [32]byte
	r.FillBytes(rb[:])
	cand.setBytes(&rb)
	if cand.mul(&cand, &z2).equal(&x.x) {
		return true
	}
	if r.Cmp(pMinusN) >= 0 {
		return false
	}
	new(big.Int).Add(r, N).FillBytes(rb[:])
	cand.setBytes(&rb)
	return cand.mul(&cand, &z2).equal(&x.x)
}
