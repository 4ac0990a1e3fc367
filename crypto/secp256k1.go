package crypto

// The secp256k1 seam. Everything else in the package reaches the curve
// through the unexported backend* functions, which one of two files
// implements, chosen by the libsecp256k1 build tag:
//
//	secp256k1_decred.go         default: decred's pure-Go dcrec/secp256k1
//	secp256k1_libsecp256k1.go   -tags libsecp256k1 (needs cgo): the system
//	                            libsecp256k1 through cgo, about 3× faster
//
// Both implement, with identical results and errors:
//
//	backendGenerateKey(rand io.Reader) ([]byte, error)
//	backendPubkey(d []byte) (x, y *big.Int)
//	backendParsePubkey(b []byte) (x, y *big.Int, err error)
//	backendValidatePub(x, y *big.Int) error
//	backendECDH(prv *ecdsa.PrivateKey, x, y *big.Int) ([]byte, error)
//	backendECDHCompressed(prv *ecdsa.PrivateKey, x, y *big.Int) ([]byte, error)
//	backendSign(hash []byte, prv *ecdsa.PrivateKey) ([]byte, error)
//	backendRecover(hash, sig []byte) ([]byte, error)
//	backendVerify(pubkey, hash, sig []byte) bool
//
// Every function that takes a public key validates it first: coordinates in
// [0, p), on the curve, not the point at infinity (docs/SECURITY.md).
// The elliptic.Curve that S256 returns is decred's in both builds (it is only
// there for callers that want curve parameters or IsOnCurve); its IsOnCurve
// goes through backendValidatePub.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// s256 is the curve returned by S256.
var s256 elliptic.Curve = &strictCurve{secp256k1.S256()}

// strictCurve is decred's elliptic.Curve adaptor with a strict IsOnCurve.
// decred's version reduces coordinates mod p first, so it accepts the x+p and
// y+p aliases of valid points: the bug of GHSA-2gjw-fg97-vg3r, which callers that
// check keys with S256().IsOnCurve would inherit.
type strictCurve struct {
	*secp256k1.KoblitzCurve
}

// IsOnCurve reports whether (x, y) is a point on secp256k1 with both
// coordinates in [0, p). (0,0), the affine stand-in for infinity, is not.
func (c *strictCurve) IsOnCurve(x, y *big.Int) bool {
	return backendValidatePub(x, y) == nil
}

// curveN is the group order.
var curveN = new(big.Int).Set(secp256k1.S256().Params().N)

// coordsFit reports whether x and y can be coordinates at all: present,
// non-negative and at most 256 bits. Whether they are below p and on the
// curve is the backend's check.
func coordsFit(x, y *big.Int) bool {
	return x != nil && y != nil && x.Sign() >= 0 && y.Sign() >= 0 && x.BitLen() <= 256 && y.BitLen() <= 256
}

// checkPrivateKey rejects a missing private key and scalars outside [1, N).
func checkPrivateKey(prv *ecdsa.PrivateKey) error {
	if prv == nil || prv.D == nil || prv.D.Sign() <= 0 || prv.D.Cmp(curveN) >= 0 {
		return ErrInvalidPrivateKey
	}
	return nil
}

// pubkeyEncodingOK reports whether b has the length and prefix of a key the
// parsers accept: 65-byte uncompressed (0x04 only; the hybrid forms 0x06/0x07
// that both libraries would take are refused) or 33-byte compressed.
func pubkeyEncodingOK(b []byte) bool {
	switch {
	case len(b) == PubkeyLength && b[0] == 4:
	case len(b) == CompressedPubkeyLength && (b[0] == 2 || b[0] == 3):
	default:
		return false
	}
	return true
}
