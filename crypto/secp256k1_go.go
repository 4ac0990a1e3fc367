package crypto

// The pure-Go backend used where the C library is not: crypto/internal/k256
// (64-bit limbs, amd64 assembly with BMI2/ADX, GLV and wNAF) for everything
// that handles only public data, recovery, verification and key parsing,
// which is where discovery spends its time; decred's dcrec/secp256k1 for
// the operations on secret keys (key generation, signing, ECDH).

import (
	"math/big"

	"github.com/devp2p-go/devp2p/crypto/internal/k256"
)

// goBackend implements curveBackend in pure Go.
type goBackend struct {
	decredBackend // generateKey, pubkey, ecdh, sign
}

func (goBackend) name() string {
	return "pure Go (k256 for recovery and verification, decred for signing and ECDH)"
}

// parsePubkey parses a 65-byte uncompressed (0x04 only) or 33-byte
// compressed key, rejecting coordinates >= p and points off the curve.
func (goBackend) parsePubkey(b []byte) (x, y *big.Int, err error) {
	var out [PubkeyLength]byte
	if !k256.ParsePubkey(&out, b) {
		return nil, nil, ErrInvalidPubkey
	}
	return new(big.Int).SetBytes(out[1:33]), new(big.Int).SetBytes(out[33:]), nil
}

// validatePub returns ErrInvalidPubkey unless (x, y) is a point on the
// curve with coordinates in [0, p).
func (goBackend) validatePub(x, y *big.Int) error {
	if !coordsFit(x, y) {
		return ErrInvalidPubkey
	}
	var enc, out [PubkeyLength]byte
	enc[0] = 4
	x.FillBytes(enc[1:33])
	y.FillBytes(enc[33:])
	if !k256.ParsePubkey(&out, enc[:]) {
		return ErrInvalidPubkey
	}
	return nil
}

// recover returns the uncompressed key that made the R ‖ S ‖ V signature;
// high S is accepted, recovery ids above 3 are not.
func (goBackend) recover(hash, sig []byte) ([]byte, error) {
	if len(sig) != SignatureLength || sig[64] > 3 || len(hash) != DigestLength {
		return nil, ErrInvalidSignature
	}
	out := new([PubkeyLength]byte)
	if !k256.Recover(out, hash, sig[:64], sig[64]) {
		return nil, ErrInvalidSignature
	}
	return out[:], nil
}

// verify checks a 64-byte R ‖ S signature against a 33- or 65-byte key,
// refusing high S.
func (goBackend) verify(pubkey, hash, sig []byte) bool {
	return len(sig) == 64 && len(hash) == DigestLength && k256.Verify(pubkey, hash, sig)
}
