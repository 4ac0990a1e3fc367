// Package k256 is secp256k1 arithmetic in pure Go on 64-bit limbs (with an
// amd64 BMI2/ADX path for the field multiplication): public key parsing,
// ECDSA public key recovery and verification, and scalar multiplication.
//
// Recovery and verification see only public data and run in variable time:
// a GLV-split double-scalar multiplication with wNAF and precomputed tables
// for the generator (ecmult.go). ScalarMult and ScalarBaseMult take secret
// scalars and run in constant time with complete addition formulas
// (ctmult.go). The crypto package uses this behind its secp256k1 seam,
// differentially tested against decred's dcrec/secp256k1 and libsecp256k1.
//
// Curve: y² = x³ + 7 over p = 2²⁵⁶ − 2³² − 977, group order N (SEC 2,
// https://www.secg.org/sec2-v2.pdf, section 2.4.1). The endomorphism
// (x, y) ↦ (βx, y) = λ·(x, y) and the decomposition of a scalar into two
// 128-bit halves follow Gallant, Lambert and Vanstone (CRYPTO 2001) with
// the lattice basis from Hankerson, Menezes and Vanstone, "Guide to
// Elliptic Curve Cryptography", section 3.5.
package k256
