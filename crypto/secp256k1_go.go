package crypto

// The pure-Go backend used where the C library is not: the curve
// arithmetic of crypto/internal/k256 (64-bit limbs, amd64 assembly with
// BMI2/ADX; variable-time GLV and wNAF for recovery and verification, which
// see only public data; constant-time complete formulas for d·G, signing
// nonces and ECDH with the node key). decred's dcrec/secp256k1 supplies the
// scalar arithmetic mod N and the RFC 6979 nonces of signing, so signatures
// are byte for byte decred's.

import (
	"crypto/ecdsa"
	"crypto/rand"
	"io"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"

	"github.com/devp2p-go/devp2p/crypto/internal/k256"
)

// goBackend implements curveBackend in pure Go.
type goBackend struct{}

func (goBackend) name() string { return "pure Go (k256)" }

// generateKey returns a new private scalar: 32 bytes from rand, drawn again
// in the (about 2⁻¹²⁸) case that they are zero or not below N.
func (goBackend) generateKey(rand io.Reader) ([]byte, error) {
	d := make([]byte, PrivateKeyLength)
	for {
		if _, err := io.ReadFull(rand, d); err != nil {
			clear(d)
			return nil, err
		}
		var k secp256k1.ModNScalar
		overflow := k.SetByteSlice(d)
		zero := k.IsZero()
		k.Zero()
		if !overflow && !zero {
			return d, nil
		}
	}
}

// pubkey computes d·G in constant time; d must be a valid scalar.
func (goBackend) pubkey(d []byte) (x, y *big.Int) {
	if len(d) != PrivateKeyLength {
		panic("crypto: pubkey needs a 32-byte scalar")
	}
	var out [PubkeyLength]byte
	if !k256.ScalarBaseMult(&out, (*[32]byte)(d)) {
		panic("crypto: pubkey called with an invalid scalar")
	}
	return new(big.Int).SetBytes(out[1:33]), new(big.Int).SetBytes(out[33:])
}

// ecdh returns prv·pub, computed in constant time in prv: its X coordinate,
// or the compressed point. An invalid public key is reported first.
func (b goBackend) ecdh(prv *ecdsa.PrivateKey, x, y *big.Int, compressed bool) ([]byte, error) {
	if err := b.validatePub(x, y); err != nil {
		return nil, err
	}
	if err := checkPrivateKey(prv); err != nil {
		return nil, err
	}
	var pub, out [PubkeyLength]byte
	var d [PrivateKeyLength]byte
	defer clear(d[:])
	defer clear(out[:])
	pub[0] = 4
	x.FillBytes(pub[1:33])
	y.FillBytes(pub[33:])
	prv.D.FillBytes(d[:])
	if !k256.ScalarMult(&out, &d, &pub) {
		return nil, ErrInvalidPrivateKey // not reached: d is in [1, N) and the group has prime order
	}
	if !compressed {
		return append([]byte(nil), out[1:33]...), nil
	}
	c := make([]byte, CompressedPubkeyLength)
	c[0] = 2 | out[64]&1
	copy(c[1:], out[1:33])
	return c, nil
}

// sign returns a 65-byte R ‖ S ‖ V signature, RFC 6979 nonce, low S: the
// steps of decred's signer (so the same bytes), with k·G in constant time
// and the nonce inverted behind a random blinding factor, since the only
// inversion at hand (math/big, through decred) takes time that depends on
// its input.
func (goBackend) sign(hash []byte, prv *ecdsa.PrivateKey) ([]byte, error) {
	if err := checkPrivateKey(prv); err != nil {
		return nil, err
	}
	var d [PrivateKeyLength]byte
	defer clear(d[:])
	prv.D.FillBytes(d[:])
	var key, e secp256k1.ModNScalar
	defer key.Zero()
	key.SetBytes(&d)
	e.SetByteSlice(hash)
	for iteration := uint32(0); ; iteration++ {
		k := secp256k1.NonceRFC6979(d[:], hash, nil, nil, iteration)
		sig, ok := signWithNonce(&key, k, &e)
		k.Zero()
		if ok {
			return sig, nil
		}
	}
}

// signWithNonce computes r = x(k·G) mod N and s = k⁻¹·(e + r·d), or false
// when r or s is zero (the caller takes the next nonce).
func signWithNonce(key, k, e *secp256k1.ModNScalar) ([]byte, bool) {
	var kb [32]byte
	var kG [PubkeyLength]byte
	k.PutBytes(&kb)
	ok := k256.ScalarBaseMult(&kG, &kb)
	clear(kb[:])
	if !ok {
		return nil, false // not reached: the nonce is in [1, N)
	}
	var r secp256k1.ModNScalar
	overflow := r.SetByteSlice(kG[1:33])
	if r.IsZero() {
		return nil, false
	}
	recid := kG[64] & 1
	if overflow {
		recid |= 2
	}
	kinv := blindedInverse(k)
	defer kinv.Zero()
	s := new(secp256k1.ModNScalar).Mul2(key, &r).Add(e).Mul(kinv)
	if s.IsZero() {
		return nil, false
	}
	if s.IsOverHalfOrder() {
		s.Negate()
		recid ^= 1
	}
	sig := make([]byte, SignatureLength)
	r.PutBytesUnchecked(sig[:32])
	s.PutBytesUnchecked(sig[32:64])
	sig[64] = recid
	return sig, true
}

// blindedInverse returns k⁻¹ mod N as (k·b)⁻¹·b for a random b ≠ 0: the
// variable-time inversion only sees k·b, which is independent of k.
func blindedInverse(k *secp256k1.ModNScalar) *secp256k1.ModNScalar {
	var b secp256k1.ModNScalar
	var rb [32]byte
	for b.IsZero() {
		rand.Read(rb[:]) // never fails (crypto/rand crashes the program instead)
		b.SetBytes(&rb)
	}
	clear(rb[:])
	kb := new(secp256k1.ModNScalar).Mul2(k, &b)
	kb.InverseNonConst()
	kb.Mul(&b)
	b.Zero()
	return kb
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
