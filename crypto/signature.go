package crypto

import (
	"crypto/ecdsa"
	"fmt"
	"math/big"
)

// Sign makes a recoverable signature of a 32-byte digest: 65 bytes R ‖ S ‖ V
// with S in the lower half of the group order and V in {0,1}. The nonce is
// derived deterministically (RFC 6979), so the same key and digest give the
// same signature.
func Sign(digestHash []byte, prv *ecdsa.PrivateKey) ([]byte, error) {
	if len(digestHash) != DigestLength {
		return nil, fmt.Errorf("crypto: sign needs a %d-byte digest, got %d", DigestLength, len(digestHash))
	}
	return backendSign(digestHash, prv)
}

// Ecrecover returns the 65-byte uncompressed public key that made sig over hash.
func Ecrecover(hash, sig []byte) ([]byte, error) {
	if len(hash) != DigestLength {
		return nil, fmt.Errorf("%w: digest must be %d bytes, got %d", ErrInvalidSignature, DigestLength, len(hash))
	}
	if len(sig) != SignatureLength {
		return nil, fmt.Errorf("%w: need %d bytes, got %d", ErrInvalidSignature, SignatureLength, len(sig))
	}
	return backendRecover(hash, sig)
}

// SigToPub returns the public key that made the 65-byte signature sig over hash.
func SigToPub(hash, sig []byte) (*ecdsa.PublicKey, error) {
	pub, err := Ecrecover(hash, sig)
	if err != nil {
		return nil, err
	}
	// The backend produced the point, so it is valid; skip re-validation.
	return &ecdsa.PublicKey{
		Curve: s256,
		X:     new(big.Int).SetBytes(pub[1:33]),
		Y:     new(big.Int).SetBytes(pub[33:]),
	}, nil
}

// VerifySignature checks a 64-byte R ‖ S signature (no V) over a 32-byte
// digest against a 33- or 65-byte public key. Signatures with S in the upper
// half of the group order are rejected, so each message has one valid
// signature per nonce (no malleability).
func VerifySignature(pubkey, digestHash, signature []byte) bool {
	if len(digestHash) != DigestLength {
		return false
	}
	return backendVerify(pubkey, digestHash, signature)
}

// ECDH returns the 32-byte X coordinate of prv·pub. It rejects a public key
// that is off the curve, has coordinates >= p or is (0,0), before touching
// the private key.
func ECDH(prv *ecdsa.PrivateKey, pub *ecdsa.PublicKey) ([]byte, error) {
	if pub == nil {
		return nil, ErrInvalidPubkey
	}
	return backendECDH(prv, pub.X, pub.Y)
}

// ECDHCompressed returns prv·pub as a 33-byte compressed point
// (0x02/0x03 ‖ X), the shared secret discv5 feeds into its KDF
// (discv5-theory.md, "ecdh"). Invalid public keys are rejected as in ECDH.
func ECDHCompressed(prv *ecdsa.PrivateKey, pub *ecdsa.PublicKey) ([]byte, error) {
	if pub == nil {
		return nil, ErrInvalidPubkey
	}
	return backendECDHCompressed(prv, pub.X, pub.Y)
}
