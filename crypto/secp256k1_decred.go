//go:build !libsecp256k1

package crypto

// The default secp256k1 backend: decred's pure-Go dcrec/secp256k1. See
// secp256k1.go for the seam this file implements; secp256k1_libsecp256k1.go
// is the cgo alternative behind the libsecp256k1 build tag.

import (
	"crypto/ecdsa"
	"io"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	decredecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// backendName names the secp256k1 implementation compiled in.
const backendName = "decred"

// compactSigMagicOffset is what decred adds to the recovery id in the first
// byte of its compact signatures (the Bitcoin convention, 27).
const compactSigMagicOffset = 27

// backendGenerateKey returns a new private scalar (32 bytes, big endian).
func backendGenerateKey(rand io.Reader) ([]byte, error) {
	k, err := secp256k1.GeneratePrivateKeyFromRand(rand)
	if err != nil {
		return nil, err
	}
	defer k.Zero()
	return k.Serialize(), nil
}

// backendPubkey computes d·G as affine big.Int coordinates. d must be a valid
// scalar in [1, N).
func backendPubkey(d []byte) (x, y *big.Int) {
	k := secp256k1.PrivKeyFromBytes(d)
	defer k.Zero()
	pub := k.PubKey()
	return pub.X(), pub.Y()
}

// backendParsePubkey parses a 65-byte uncompressed (0x04 only, no hybrid
// forms) or 33-byte compressed key, rejecting coordinates >= p and points off
// the curve.
func backendParsePubkey(b []byte) (x, y *big.Int, err error) {
	pub, err := parseBackendPub(b)
	if err != nil {
		return nil, nil, err
	}
	return pub.X(), pub.Y(), nil
}

// parseBackendPub is backendParsePubkey without the conversion to big.Int.
func parseBackendPub(b []byte) (*secp256k1.PublicKey, error) {
	if !pubkeyEncodingOK(b) {
		return nil, ErrInvalidPubkey
	}
	pub, err := secp256k1.ParsePubKey(b)
	if err != nil {
		return nil, ErrInvalidPubkey
	}
	return pub, nil
}

// backendValidatePub returns ErrInvalidPubkey unless (x, y) is a point on
// the curve with coordinates in [0, p).
func backendValidatePub(x, y *big.Int) error {
	_, err := toBackendPub(x, y)
	return err
}

// toBackendPub converts and validates a public key given as big.Ints. It
// rejects nil, negative or >= p coordinates, (0,0) and points off the curve.
func toBackendPub(x, y *big.Int) (*secp256k1.PublicKey, error) {
	if !coordsFit(x, y) {
		return nil, ErrInvalidPubkey
	}
	var xb, yb [32]byte
	x.FillBytes(xb[:])
	y.FillBytes(yb[:])
	var fx, fy secp256k1.FieldVal
	if fx.SetBytes(&xb) != 0 || fy.SetBytes(&yb) != 0 {
		return nil, ErrInvalidPubkey // coordinate >= p
	}
	pub := secp256k1.NewPublicKey(&fx, &fy)
	// IsOnCurve is false for (0,0), which is how the point at infinity is
	// written in affine big.Int form.
	if !pub.IsOnCurve() {
		return nil, ErrInvalidPubkey
	}
	return pub, nil
}

// toBackendPriv converts a private key; the caller zeroes the result.
func toBackendPriv(prv *ecdsa.PrivateKey) (*secp256k1.PrivateKey, error) {
	if err := checkPrivateKey(prv); err != nil {
		return nil, err
	}
	var db [32]byte
	prv.D.FillBytes(db[:])
	k := secp256k1.PrivKeyFromBytes(db[:])
	clear(db[:])
	return k, nil
}

// backendECDH returns the 32-byte X coordinate of prv·pub.
func backendECDH(prv *ecdsa.PrivateKey, x, y *big.Int) ([]byte, error) {
	pub, err := toBackendPub(x, y)
	if err != nil {
		return nil, err
	}
	k, err := toBackendPriv(prv)
	if err != nil {
		return nil, err
	}
	defer k.Zero()
	return secp256k1.GenerateSharedSecret(k, pub), nil
}

// backendECDHCompressed returns prv·pub in 33-byte compressed form.
func backendECDHCompressed(prv *ecdsa.PrivateKey, x, y *big.Int) ([]byte, error) {
	pub, err := toBackendPub(x, y)
	if err != nil {
		return nil, err
	}
	k, err := toBackendPriv(prv)
	if err != nil {
		return nil, err
	}
	defer k.Zero()
	var point, result secp256k1.JacobianPoint
	pub.AsJacobian(&point)
	secp256k1.ScalarMultNonConst(&k.Key, &point, &result)
	result.ToAffine()
	return secp256k1.NewPublicKey(&result.X, &result.Y).SerializeCompressed(), nil
}

// backendSign returns a 65-byte R ‖ S ‖ V signature with low S and V in {0,1}.
func backendSign(hash []byte, prv *ecdsa.PrivateKey) ([]byte, error) {
	k, err := toBackendPriv(prv)
	if err != nil {
		return nil, err
	}
	defer k.Zero()
	// decred's compact form is V' ‖ R ‖ S with V' = 27 + v (+4 for a
	// compressed key). It already normalises S to the lower half.
	c := decredecdsa.SignCompact(k, hash, false)
	sig := make([]byte, SignatureLength)
	copy(sig, c[1:])
	sig[64] = c[0] - compactSigMagicOffset
	return sig, nil
}

// backendRecover recovers the public key from a 65-byte R ‖ S ‖ V signature
// and returns it in 65-byte uncompressed form. High S is accepted here (as by
// libsecp256k1); only VerifySignature insists on low S.
func backendRecover(hash, sig []byte) ([]byte, error) {
	if len(sig) != SignatureLength || sig[64] > 3 {
		return nil, ErrInvalidSignature
	}
	var c [SignatureLength]byte
	c[0] = sig[64] + compactSigMagicOffset
	copy(c[1:], sig[:64])
	pub, _, err := decredecdsa.RecoverCompact(c[:], hash)
	if err != nil {
		return nil, ErrInvalidSignature
	}
	return pub.SerializeUncompressed(), nil
}

// backendVerify checks a 64-byte R ‖ S signature against a public key given
// in 33- or 65-byte form. High S values are rejected (malleability).
func backendVerify(pubkey, hash, sig []byte) bool {
	if len(sig) != 64 {
		return false
	}
	var r, s secp256k1.ModNScalar
	if r.SetByteSlice(sig[:32]) || s.SetByteSlice(sig[32:]) {
		return false // R or S >= N
	}
	if r.IsZero() || s.IsZero() || s.IsOverHalfOrder() {
		return false
	}
	pub, err := parseBackendPub(pubkey)
	if err != nil {
		return false
	}
	return decredecdsa.NewSignature(&r, &s).Verify(hash, pub)
}
