package crypto

// decred's dcrec/secp256k1 as a curveBackend: the reference the other
// backends are compared with (it was the package's default backend before
// the system library and k256).

import (
	"crypto/ecdsa"
	"io"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
	decredecdsa "github.com/decred/dcrd/dcrec/secp256k1/v4/ecdsa"
)

// decredBackend implements curveBackend with decred's dcrec/secp256k1.
type decredBackend struct{}

func (decredBackend) name() string { return "decred (pure Go)" }

// compactSigMagicOffset is what decred adds to the recovery id in the first
// byte of its compact signatures (the Bitcoin convention, 27).
const compactSigMagicOffset = 27

// generateKey returns a new private scalar (32 bytes, big endian).
func (decredBackend) generateKey(rand io.Reader) ([]byte, error) {
	k, err := secp256k1.GeneratePrivateKeyFromRand(rand)
	if err != nil {
		return nil, err
	}
	defer k.Zero()
	return k.Serialize(), nil
}

// pubkey computes d·G as affine big.Int coordinates. d must be a valid
// scalar in [1, N).
func (decredBackend) pubkey(d []byte) (x, y *big.Int) {
	k := secp256k1.PrivKeyFromBytes(d)
	defer k.Zero()
	pub := k.PubKey()
	return pub.X(), pub.Y()
}

// parsePubkey parses a 65-byte uncompressed (0x04 only, no hybrid
// forms) or 33-byte compressed key, rejecting coordinates >= p and points off
// the curve.
func (decredBackend) parsePubkey(b []byte) (x, y *big.Int, err error) {
	pub, err := decredParsePub(b)
	if err != nil {
		return nil, nil, err
	}
	return pub.X(), pub.Y(), nil
}

// decredParsePub is parsePubkey without the conversion to big.Int.
func decredParsePub(b []byte) (*secp256k1.PublicKey, error) {
	if !pubkeyEncodingOK(b) {
		return nil, ErrInvalidPubkey
	}
	pub, err := secp256k1.ParsePubKey(b)
	if err != nil {
		return nil, ErrInvalidPubkey
	}
	return pub, nil
}

// validatePub returns ErrInvalidPubkey unless (x, y) is a point on
// the curve with coordinates in [0, p).
func (decredBackend) validatePub(x, y *big.Int) error {
	_, err := decredPub(x, y)
	return err
}

// decredPub converts and validates a public key given as big.Ints. It
// rejects nil, negative or >= p coordinates, (0,0) and points off the curve.
func decredPub(x, y *big.Int) (*secp256k1.PublicKey, error) {
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

// decredPriv converts a private key; the caller zeroes the result.
func decredPriv(prv *ecdsa.PrivateKey) (*secp256k1.PrivateKey, error) {
	if err := checkPrivateKey(prv); err != nil {
		return nil, err
	}
	var db [32]byte
	prv.D.FillBytes(db[:])
	k := secp256k1.PrivKeyFromBytes(db[:])
	clear(db[:])
	return k, nil
}

// ecdh returns prv·pub: its X coordinate, or the compressed point.
func (decredBackend) ecdh(prv *ecdsa.PrivateKey, x, y *big.Int, compressed bool) ([]byte, error) {
	pub, err := decredPub(x, y)
	if err != nil {
		return nil, err
	}
	k, err := decredPriv(prv)
	if err != nil {
		return nil, err
	}
	defer k.Zero()
	if !compressed {
		return secp256k1.GenerateSharedSecret(k, pub), nil
	}
	var point, result secp256k1.JacobianPoint
	pub.AsJacobian(&point)
	secp256k1.ScalarMultNonConst(&k.Key, &point, &result)
	result.ToAffine()
	return secp256k1.NewPublicKey(&result.X, &result.Y).SerializeCompressed(), nil
}

// sign returns a 65-byte R ‖ S ‖ V signature with low S and V in {0,1}.
func (decredBackend) sign(hash []byte, prv *ecdsa.PrivateKey) ([]byte, error) {
	k, err := decredPriv(prv)
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

// recover recovers the public key from a 65-byte R ‖ S ‖ V signature
// and returns it in 65-byte uncompressed form. High S is accepted here (as by
// libsecp256k1); only VerifySignature insists on low S.
func (decredBackend) recover(hash, sig []byte) ([]byte, error) {
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

// verify checks a 64-byte R ‖ S signature against a public key given
// in 33- or 65-byte form. High S values are rejected (malleability).
func (decredBackend) verify(pubkey, hash, sig []byte) bool {
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
	pub, err := decredParsePub(pubkey)
	if err != nil {
		return false
	}
	return decredecdsa.NewSignature(&r, &s).Verify(hash, pub)
}
