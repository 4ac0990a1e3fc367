//go:build libsecp256k1 && cgo

package crypto

// The fast secp256k1 backend: the system's libsecp256k1 (bitcoin-core's C
// library, the one go-ethereum bundles) through cgo, selected with
// `-tags libsecp256k1`. Sign, recover and ECDH run about three times faster
// than decred's pure Go, which is what bounds RLPx connection setup.
//
// The binding is written from the library's public headers (secp256k1.h,
// secp256k1_ecdh.h, secp256k1_recovery.h; API of release 0.2.0 and later).
// Each seam function makes a single cgo call into a small C wrapper (in
// secp256k1_libsecp256k1.h, included by the preamble below), which parses,
// computes and serializes on the C stack, so a call never allocates C
// memory. Go buffers are passed as pointers to byte arrays,
// which hold no Go pointers (cgo pointer rules), and the wrappers keep no
// reference to them after returning (hence `#cgo noescape`: the buffers may
// stay on the Go stack).
//
// The library is loaded at package initialization with dlopen (RTLD_LOCAL,
// and RTLD_DEEPBIND where the C library has it) and called through function
// pointers, instead of being linked with -lsecp256k1. Linking would let
// another copy of libsecp256k1 in the same program take over some of the
// symbols: go-ethereum's crypto/secp256k1 compiles the library's sources
// into the binary without the ECDH module, so in a program that imports both
// (our bench/ and interop/ modules do) the linker bound context_create, sign
// and recover to go-ethereum's copy and secp256k1_ecdh to the system one,
// which then received a context of another library version. Loaded privately,
// the system library only ever sees its own context and its own functions.
// The build needs the headers (libsecp256k1-dev); a program built with the
// tag panics at start-up with a clear message if the shared library is not
// found (LD_LIBRARY_PATH is honoured) or lacks the ECDH or recovery module.
//
// One context is created and randomized at package initialization and never
// written again, so all goroutines may use it at once: the library only needs
// exclusive access for context_randomize and the callback setters. A
// known-answer check runs once after loading, so an incompatible library
// fails at start-up rather than producing wrong keys.
//
// Every strictness of the decred backend is kept, partly by the library
// itself (coordinates >= p and off-curve points fail secp256k1_ec_pubkey_parse;
// R or S >= N fails the compact-signature parsers; verify refuses high S and
// zero R/S; recover refuses zero R/S, R+N >= p with the overflow bit and an
// infinite result), partly here (0x04/0x02/0x03 prefixes only, no hybrid
// keys; recovery id <= 3; private scalars in [1, N) checked in Go before the
// call, so errors and their order match decred's). The differential test in
// secp256k1_diff_test.go compares both backends on random and edge inputs.

/*
#cgo LDFLAGS: -ldl
#cgo noescape dp_seckey_ok
#cgo nocallback dp_seckey_ok
#cgo noescape dp_pubkey_create
#cgo nocallback dp_pubkey_create
#cgo noescape dp_pubkey_parse
#cgo nocallback dp_pubkey_parse
#cgo noescape dp_ecdh
#cgo nocallback dp_ecdh
#cgo noescape dp_sign
#cgo nocallback dp_sign
#cgo noescape dp_recover
#cgo nocallback dp_recover
#cgo noescape dp_verify
#cgo nocallback dp_verify

#include "secp256k1_libsecp256k1.h"
*/
import "C"

import (
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"io"
	"math/big"
	"strings"
	"unsafe"
)

// cgoBackend implements curveBackend with libctx.
type cgoBackend struct{}

func (cgoBackend) name() string { return "libsecp256k1 (cgo, -tags libsecp256k1)" }

func init() {
	if err := selfTest(cgoBackend{}); err != nil {
		panic("crypto: the loaded libsecp256k1 gives wrong results: " + err.Error())
	}
}

// active: the tagged build always uses the library (loadLibrary panics at
// start-up without it).
func active() curveBackend { return cgoBackend{} }

// libraryNames are tried in order with dlopen: the development symlink
// (present wherever the headers are, so on the machine that built the
// program), then the sonames of releases 0.2.0 (.so.1) and later, newest
// first, then the macOS name.
var libraryNames = []string{
	"libsecp256k1.so",
	"libsecp256k1.so.9", "libsecp256k1.so.8", "libsecp256k1.so.7", "libsecp256k1.so.6",
	"libsecp256k1.so.5", "libsecp256k1.so.4", "libsecp256k1.so.3", "libsecp256k1.so.2",
	"libsecp256k1.so.1",
	"libsecp256k1.dylib",
}

// libctx is the shared, read-only context. It lives as long as the process
// (the library is never unloaded), so it is never destroyed.
var libctx = loadLibrary()

// loadLibrary loads libsecp256k1 and creates the context. Without the
// library the tagged build cannot work at all, so it panics, naming what it
// tried.
func loadLibrary() *C.secp256k1_context {
	var errs []string
	loaded := false
	for _, name := range libraryNames {
		err := loadFrom(name)
		if err == nil {
			loaded = true
			break
		}
		errs = append(errs, err.Error())
	}
	if !loaded {
		panic("crypto: this program was built with -tags libsecp256k1 but the libsecp256k1 shared library " +
			"cannot be loaded (install libsecp256k1, set LD_LIBRARY_PATH, or build without the tag): " +
			strings.Join(errs, "; "))
	}
	var seed [32]byte
	rand.Read(seed[:]) // never fails (crypto/rand crashes the program instead)
	ctx := C.dp_context_new(cbytes(seed[:]))
	clear(seed[:])
	if ctx == nil {
		panic("crypto: libsecp256k1 context creation failed")
	}
	return ctx
}

// loadFrom dlopens one library name and resolves the functions the binding
// calls; on error the previous library stays in use.
func loadFrom(name string) error {
	cname := C.CString(name)
	defer C.free(unsafe.Pointer(cname))
	if msg := C.dp_load(cname); msg != nil {
		return errors.New(C.GoString(msg))
	}
	return nil
}

// cbytes passes b to C. The callers check lengths first, so b is never empty.
func cbytes(b []byte) *C.uchar {
	return (*C.uchar)(unsafe.Pointer(unsafe.SliceData(b)))
}

// generateKey returns a new private scalar (32 bytes, big endian):
// 32 bytes from rand, drawn again in the (about 2⁻¹²⁸) case that they are
// zero or not below N, as decred does.
func (cgoBackend) generateKey(rand io.Reader) ([]byte, error) {
	d := make([]byte, PrivateKeyLength)
	for {
		if _, err := io.ReadFull(rand, d); err != nil {
			clear(d)
			return nil, err
		}
		if C.dp_seckey_ok(libctx, cbytes(d)) == 1 {
			return d, nil
		}
	}
}

// pubkey computes d·G as affine big.Int coordinates. d must be a valid
// scalar in [1, N).
func (cgoBackend) pubkey(d []byte) (x, y *big.Int) {
	if len(d) != PrivateKeyLength {
		panic("crypto: backendPubkey needs a 32-byte scalar")
	}
	var pub [PubkeyLength]byte
	if C.dp_pubkey_create(libctx, cbytes(pub[:]), cbytes(d)) != 1 {
		panic("crypto: backendPubkey called with an invalid scalar")
	}
	return new(big.Int).SetBytes(pub[1:33]), new(big.Int).SetBytes(pub[33:])
}

// parsePubkey parses a 65-byte uncompressed (0x04 only, no hybrid
// forms) or 33-byte compressed key, rejecting coordinates >= p and points off
// the curve.
func (cgoBackend) parsePubkey(b []byte) (x, y *big.Int, err error) {
	if !pubkeyEncodingOK(b) {
		return nil, nil, ErrInvalidPubkey
	}
	var pub [PubkeyLength]byte
	if C.dp_pubkey_parse(libctx, cbytes(pub[:]), cbytes(b), C.size_t(len(b))) != 1 {
		return nil, nil, ErrInvalidPubkey
	}
	return new(big.Int).SetBytes(pub[1:33]), new(big.Int).SetBytes(pub[33:]), nil
}

// encodePub writes (x, y) as 0x04 ‖ X ‖ Y, or reports false when the
// coordinates do not fit in 32 bytes (the library checks the rest).
func encodePub(x, y *big.Int, out *[PubkeyLength]byte) bool {
	if !coordsFit(x, y) {
		return false
	}
	out[0] = 4
	x.FillBytes(out[1:33])
	y.FillBytes(out[33:])
	return true
}

// validatePub returns ErrInvalidPubkey unless (x, y) is a point on
// the curve with coordinates in [0, p).
func (cgoBackend) validatePub(x, y *big.Int) error {
	var pub, out [PubkeyLength]byte
	if !encodePub(x, y, &pub) || C.dp_pubkey_parse(libctx, cbytes(out[:]), cbytes(pub[:]), PubkeyLength) != 1 {
		return ErrInvalidPubkey
	}
	return nil
}

// ecdh returns prv·pub: its X coordinate, or the compressed point.
func (b cgoBackend) ecdh(prv *ecdsa.PrivateKey, x, y *big.Int, compressed bool) ([]byte, error) {
	var pub [PubkeyLength]byte
	if !encodePub(x, y, &pub) {
		return nil, ErrInvalidPubkey
	}
	if err := checkPrivateKey(prv); err != nil {
		// A bad public key is reported first, as by decred.
		if b.validatePub(x, y) != nil {
			return nil, ErrInvalidPubkey
		}
		return nil, err
	}
	var d [PrivateKeyLength]byte
	defer clear(d[:])
	prv.D.FillBytes(d[:])
	out := make([]byte, 32)
	flag := C.int(0)
	if compressed {
		out = make([]byte, CompressedPubkeyLength)
		flag = 1
	}
	switch C.dp_ecdh(libctx, cbytes(out), cbytes(pub[:]), cbytes(d[:]), flag) {
	case C.DP_OK:
		return out, nil
	case C.DP_BAD_PUBKEY:
		return nil, ErrInvalidPubkey
	default:
		return nil, ErrInvalidPrivateKey // not reached: d was checked
	}
}

// sign returns a 65-byte R ‖ S ‖ V signature with low S and V in {0,1}.
// The bytes are decred's, except for digests >= N (a chance of about 2⁻¹²⁸
// for a hash): libsecp256k1 derives the RFC 6979 nonce from the digest mod
// N, as the RFC's bits2octets says, decred from the digest as given. Both
// signatures are valid and recover the same key.
func (cgoBackend) sign(hash []byte, prv *ecdsa.PrivateKey) ([]byte, error) {
	if err := checkPrivateKey(prv); err != nil {
		return nil, err
	}
	if len(hash) != DigestLength {
		return nil, ErrInvalidSignature
	}
	var d [PrivateKeyLength]byte
	defer clear(d[:])
	prv.D.FillBytes(d[:])
	sig := make([]byte, SignatureLength)
	if C.dp_sign(libctx, cbytes(sig), cbytes(hash), cbytes(d[:])) != 1 {
		return nil, ErrInvalidPrivateKey // not reached: d was checked
	}
	return sig, nil
}

// recover recovers the public key from a 65-byte R ‖ S ‖ V signature
// and returns it in 65-byte uncompressed form. High S is accepted here, as by
// decred; only VerifySignature insists on low S.
func (cgoBackend) recover(hash, sig []byte) ([]byte, error) {
	if len(sig) != SignatureLength || sig[64] > 3 || len(hash) != DigestLength {
		return nil, ErrInvalidSignature
	}
	pub := make([]byte, PubkeyLength)
	if C.dp_recover(libctx, cbytes(pub), cbytes(sig), cbytes(hash)) != 1 {
		return nil, ErrInvalidSignature
	}
	return pub, nil
}

// verify checks a 64-byte R ‖ S signature against a public key given
// in 33- or 65-byte form. High S values are rejected (malleability), as are
// R or S that are zero or >= N.
func (cgoBackend) verify(pubkey, hash, sig []byte) bool {
	if len(sig) != 64 || len(hash) != DigestLength || !pubkeyEncodingOK(pubkey) {
		return false
	}
	return C.dp_verify(libctx, cbytes(pubkey), C.size_t(len(pubkey)), cbytes(hash), cbytes(sig)) == 1
}
