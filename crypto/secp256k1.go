package crypto

// The secp256k1 seam. Everything else in the package reaches the curve
// through the backend* functions below, which hand each call to the
// curveBackend chosen once per process (see active):
//
//	secp256k1_system.go         default build: the system's libsecp256k1,
//	                            found and loaded at run time without cgo
//	secp256k1_go.go             pure Go (crypto/internal/k256), used when
//	                            the library is absent or DEVP2P_SECP256K1=go
//	secp256k1_libsecp256k1.go   -tags libsecp256k1 (needs cgo): the system
//	                            library through cgo, required at start-up
//
// All backends give identical results and errors; the tests compare each
// with decred's dcrec/secp256k1 (secp256k1_decred_test.go). Every function that takes
// a public key validates it first: coordinates in [0, p), on the curve, not
// the point at infinity. An off-curve key or an x+p alias that reached ECDH
// would let a remote peer run an invalid-curve attack on the node key or
// crash the node. The elliptic.Curve that S256 returns is decred's in every
// build (it is only there for callers that want curve parameters or
// IsOnCurve); its IsOnCurve goes through backendValidatePub.

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"io"
	"math/big"

	"github.com/decred/dcrd/dcrec/secp256k1/v4"
)

// s256 is the curve returned by S256.
var s256 elliptic.Curve = &strictCurve{secp256k1.S256()}

// strictCurve is decred's elliptic.Curve adaptor with a strict IsOnCurve.
// decred's version reduces coordinates mod p first, so it accepts the x+p and
// y+p aliases of valid points, which callers that check keys with
// S256().IsOnCurve would inherit (go-ethereum had that bug, GHSA-2gjw-fg97-vg3r).
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

// curveBackend is one implementation of the secp256k1 operations the package
// needs. Keys cross the seam as big-endian bytes or big.Ints, so a backend
// keeps no state per key.
type curveBackend interface {
	// name says which implementation this is, for logs (Secp256k1Backend).
	name() string
	// generateKey returns a new private scalar (32 bytes, big endian).
	generateKey(rand io.Reader) ([]byte, error)
	// pubkey computes d·G; d must be a valid scalar in [1, N).
	pubkey(d []byte) (x, y *big.Int)
	// parsePubkey parses a 65-byte uncompressed (0x04 only, no hybrid
	// forms) or 33-byte compressed key, rejecting coordinates >= p and
	// points off the curve, with ErrInvalidPubkey.
	parsePubkey(b []byte) (x, y *big.Int, err error)
	// validatePub returns ErrInvalidPubkey unless (x, y) is a point on the
	// curve with coordinates in [0, p).
	validatePub(x, y *big.Int) error
	// ecdh returns the 32-byte X coordinate of prv·(x, y), or with
	// compressed set the 33-byte compressed point. An invalid public key is
	// reported (ErrInvalidPubkey) before an invalid private key.
	ecdh(prv *ecdsa.PrivateKey, x, y *big.Int, compressed bool) ([]byte, error)
	// sign returns a 65-byte R ‖ S ‖ V signature with low S and V in {0,1},
	// RFC 6979 nonce.
	sign(hash []byte, prv *ecdsa.PrivateKey) ([]byte, error)
	// recover returns the 65-byte uncompressed key that made the R ‖ S ‖ V
	// signature. High S is accepted; recovery ids above 3 are not.
	recover(hash, sig []byte) ([]byte, error)
	// verify checks a 64-byte R ‖ S signature against a 33- or 65-byte key,
	// refusing high S.
	verify(pubkey, hash, sig []byte) bool
}

// Secp256k1Backend names the secp256k1 implementation this process uses,
// for example "libsecp256k1 0.2.0 (libsecp256k1.so.1, loaded at run time)"
// or "decred (pure Go)". The first call may load the system library.
func Secp256k1Backend() string { return active().name() }

func backendGenerateKey(rand io.Reader) ([]byte, error) { return active().generateKey(rand) }
func backendPubkey(d []byte) (x, y *big.Int)            { return active().pubkey(d) }
func backendParsePubkey(b []byte) (x, y *big.Int, err error) {
	return active().parsePubkey(b)
}
func backendValidatePub(x, y *big.Int) error { return active().validatePub(x, y) }
func backendECDH(prv *ecdsa.PrivateKey, x, y *big.Int) ([]byte, error) {
	return active().ecdh(prv, x, y, false)
}
func backendECDHCompressed(prv *ecdsa.PrivateKey, x, y *big.Int) ([]byte, error) {
	return active().ecdh(prv, x, y, true)
}
func backendSign(hash []byte, prv *ecdsa.PrivateKey) ([]byte, error) {
	return active().sign(hash, prv)
}
func backendRecover(hash, sig []byte) ([]byte, error) { return active().recover(hash, sig) }
func backendVerify(pubkey, hash, sig []byte) bool     { return active().verify(pubkey, hash, sig) }
