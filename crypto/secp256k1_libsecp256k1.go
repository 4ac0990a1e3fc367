//go:build libsecp256k1 && cgo

package crypto

// The fast secp256k1 backend: the system's libsecp256k1 (bitcoin-core's C
// library, the one go-ethereum bundles) through cgo, selected with
// `-tags libsecp256k1`. Sign, recover and ECDH run about three times faster
// than decred's pure Go, which is what bounds RLPx connection setup.
// DESIGN.md ("Dependencies") allows this cgo dependency behind a build tag.
//
// The binding is written from the library's public headers (secp256k1.h,
// secp256k1_ecdh.h, secp256k1_recovery.h; API of release 0.2.0 and later).
// Each seam function makes a single cgo call into a small C wrapper below,
// which parses, computes and serializes on the C stack, so a call never
// allocates C memory. Go buffers are passed as pointers to byte arrays,
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

#define _GNU_SOURCE // RTLD_DEEPBIND
#include <dlfcn.h>
#include <stdlib.h>
#include <stddef.h>
#include <string.h>
#include <secp256k1.h>
#include <secp256k1_ecdh.h>
#include <secp256k1_recovery.h>

enum { DP_OK = 1, DP_BAD_PUBKEY = -1, DP_BAD_SECKEY = -2 };

// DP_FUNCS lists every library function the binding calls. The pointer types
// come from the header declarations (__typeof__), so a mismatch between the
// header and a call is a compile error.
#define DP_FUNCS(X) \
	X(secp256k1_context_create) \
	X(secp256k1_context_destroy) \
	X(secp256k1_context_randomize) \
	X(secp256k1_ec_seckey_verify) \
	X(secp256k1_ec_pubkey_create) \
	X(secp256k1_ec_pubkey_parse) \
	X(secp256k1_ec_pubkey_serialize) \
	X(secp256k1_ecdh) \
	X(secp256k1_ecdsa_sign_recoverable) \
	X(secp256k1_ecdsa_recoverable_signature_serialize_compact) \
	X(secp256k1_ecdsa_recoverable_signature_parse_compact) \
	X(secp256k1_ecdsa_recover) \
	X(secp256k1_ecdsa_signature_parse_compact) \
	X(secp256k1_ecdsa_verify)

// dp holds the resolved functions. Written once by dp_load during package
// initialization, read-only afterwards.
static struct {
#define DP_FIELD(name) __typeof__(&name) name;
	DP_FUNCS(DP_FIELD)
#undef DP_FIELD
} dp;

// dp_load opens the shared library at path privately and resolves every
// function in DP_FUNCS. It returns NULL on success, or a message; on failure
// the library is closed again.
static const char *dp_load(const char *path) {
	int flags = RTLD_NOW | RTLD_LOCAL;
#ifdef RTLD_DEEPBIND
	flags |= RTLD_DEEPBIND; // the library binds its own symbols first
#endif
	void *h = dlopen(path, flags);
	if (h == NULL) {
		const char *err = dlerror();
		return err != NULL ? err : "dlopen failed";
	}
#define DP_RESOLVE(name) \
	if ((*(void **)&dp.name = dlsym(h, #name)) == NULL) { \
		dlclose(h); \
		return "no " #name " (library built without the ecdh or recovery module?)"; \
	}
	DP_FUNCS(DP_RESOLVE)
#undef DP_RESOLVE
	return NULL;
}

// dp_context_new creates the one shared context and randomizes it with the
// 32-byte seed (side-channel blinding for operations with secret keys).
// SIGN|VERIFY is what libraries before 0.2.0 need; later ones treat every
// flag as SECP256K1_CONTEXT_NONE. Returns NULL on failure.
static secp256k1_context *dp_context_new(const unsigned char *seed32) {
	secp256k1_context *ctx = dp.secp256k1_context_create(SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY);
	if (ctx == NULL) {
		return NULL;
	}
	if (!dp.secp256k1_context_randomize(ctx, seed32)) {
		dp.secp256k1_context_destroy(ctx);
		return NULL;
	}
	return ctx;
}

// dp_ecdh_x is the "hash" given to secp256k1_ecdh for the RLPx/ECIES shared
// secret: the raw 32-byte X coordinate, no hashing.
static int dp_ecdh_x(unsigned char *out, const unsigned char *x32, const unsigned char *y32, void *data) {
	(void)y32;
	(void)data;
	memcpy(out, x32, 32);
	return 1;
}

// dp_ecdh_compressed writes the shared point in 33-byte compressed form, the
// discv5 shared secret.
static int dp_ecdh_compressed(unsigned char *out, const unsigned char *x32, const unsigned char *y32, void *data) {
	(void)data;
	out[0] = 0x02 | (y32[31] & 1);
	memcpy(out + 1, x32, 32);
	return 1;
}

// dp_parse parses only the encodings the package accepts: 65 bytes with
// prefix 0x04, 33 bytes with 0x02/0x03. secp256k1_ec_pubkey_parse would also
// take the hybrid 0x06/0x07 forms.
static int dp_parse(const secp256k1_context *ctx, secp256k1_pubkey *pk, const unsigned char *in, size_t len) {
	if (!((len == 65 && in[0] == 0x04) || (len == 33 && (in[0] == 0x02 || in[0] == 0x03)))) {
		return 0;
	}
	return dp.secp256k1_ec_pubkey_parse(ctx, pk, in, len);
}

static void dp_serialize(const secp256k1_context *ctx, unsigned char *out65, const secp256k1_pubkey *pk) {
	size_t n = 65;
	dp.secp256k1_ec_pubkey_serialize(ctx, out65, &n, pk, SECP256K1_EC_UNCOMPRESSED);
}

// dp_seckey_ok reports whether seckey is in [1, N).
static int dp_seckey_ok(const secp256k1_context *ctx, const unsigned char *seckey) {
	return dp.secp256k1_ec_seckey_verify(ctx, seckey);
}

// dp_pubkey_create writes seckey·G, uncompressed, to out65.
static int dp_pubkey_create(const secp256k1_context *ctx, unsigned char *out65, const unsigned char *seckey) {
	secp256k1_pubkey pk;
	if (!dp.secp256k1_ec_pubkey_create(ctx, &pk, seckey)) {
		return 0;
	}
	dp_serialize(ctx, out65, &pk);
	return 1;
}

// dp_pubkey_parse validates a 33- or 65-byte key and writes its uncompressed
// form to out65.
static int dp_pubkey_parse(const secp256k1_context *ctx, unsigned char *out65, const unsigned char *in, size_t len) {
	secp256k1_pubkey pk;
	if (!dp_parse(ctx, &pk, in, len)) {
		return 0;
	}
	dp_serialize(ctx, out65, &pk);
	return 1;
}

// dp_ecdh writes seckey·pub to out: the X coordinate (32 bytes) or, when
// compressed is set, the compressed point (33 bytes). The public key is
// checked before the secret key is touched.
static int dp_ecdh(const secp256k1_context *ctx, unsigned char *out, const unsigned char *pub65, const unsigned char *seckey, int compressed) {
	secp256k1_pubkey pk;
	if (!dp_parse(ctx, &pk, pub65, 65)) {
		return DP_BAD_PUBKEY;
	}
	if (!dp.secp256k1_ecdh(ctx, out, &pk, seckey, compressed ? dp_ecdh_compressed : dp_ecdh_x, NULL)) {
		return DP_BAD_SECKEY;
	}
	return DP_OK;
}

// dp_sign writes R ‖ S ‖ V to out65: RFC 6979 nonce (the library default),
// S in the lower half, V the recovery id.
static int dp_sign(const secp256k1_context *ctx, unsigned char *out65, const unsigned char *msg32, const unsigned char *seckey) {
	secp256k1_ecdsa_recoverable_signature sig;
	int recid = 0;
	if (!dp.secp256k1_ecdsa_sign_recoverable(ctx, &sig, msg32, seckey, NULL, NULL)) {
		return 0;
	}
	dp.secp256k1_ecdsa_recoverable_signature_serialize_compact(ctx, out65, &recid, &sig);
	out65[64] = (unsigned char)recid;
	return 1;
}

// dp_recover writes the uncompressed key that made the R ‖ S ‖ V signature
// sig65 over msg32 to out65.
static int dp_recover(const secp256k1_context *ctx, unsigned char *out65, const unsigned char *sig65, const unsigned char *msg32) {
	secp256k1_ecdsa_recoverable_signature sig;
	secp256k1_pubkey pk;
	// A recovery id above 3 is an illegal argument (the default callback
	// aborts the process), so it must never reach the parser.
	if (sig65[64] > 3) {
		return 0;
	}
	if (!dp.secp256k1_ecdsa_recoverable_signature_parse_compact(ctx, &sig, sig65, sig65[64])) {
		return 0;
	}
	if (!dp.secp256k1_ecdsa_recover(ctx, &pk, &sig, msg32)) {
		return 0;
	}
	dp_serialize(ctx, out65, &pk);
	return 1;
}

// dp_verify checks the R ‖ S signature sig64 over msg32 against the 33- or
// 65-byte key pub. secp256k1_ecdsa_verify refuses high S.
static int dp_verify(const secp256k1_context *ctx, const unsigned char *pub, size_t publen, const unsigned char *msg32, const unsigned char *sig64) {
	secp256k1_ecdsa_signature sig;
	secp256k1_pubkey pk;
	if (!dp_parse(ctx, &pk, pub, publen)) {
		return 0;
	}
	if (!dp.secp256k1_ecdsa_signature_parse_compact(ctx, &sig, sig64)) {
		return 0;
	}
	return dp.secp256k1_ecdsa_verify(ctx, &sig, msg32, &pk);
}
*/
import "C"

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"unsafe"
)

// backendName names the secp256k1 implementation compiled in.
const backendName = "libsecp256k1"

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
		cname := C.CString(name)
		msg := C.dp_load(cname)
		C.free(unsafe.Pointer(cname))
		if msg == nil {
			loaded = true
			break
		}
		errs = append(errs, C.GoString(msg))
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

func init() {
	if err := selfTest(); err != nil {
		panic("crypto: the loaded libsecp256k1 gives wrong results: " + err.Error())
	}
}

// selfTest runs one known answer through every wrapper, so a library with
// another ABI than the headers' fails at start-up. The answers are decred's.
func selfTest() error {
	mustHex := func(s string) []byte { b, _ := hex.DecodeString(s); return b }
	// discv5 wire test vector (ECDH), as in TestECDHCompressedVector.
	d := mustHex("fb757dc581730490a1d7a00deea65e9b1936924caaea8f44d476014856b68736")
	x, y, err := backendParsePubkey(mustHex("039961e4c2356d61bedb83052c115d311acb3a96f5777296dcf297351130266231"))
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	prv := &ecdsa.PrivateKey{D: new(big.Int).SetBytes(d)}
	shared, err := backendECDHCompressed(prv, x, y)
	if err != nil || hex.EncodeToString(shared) != "033b11a2a1f214567e1537ce5e509ffd9b21373247f2a3ff6841f4976f53165e7e" {
		return fmt.Errorf("ECDH: %x, %v", shared, err)
	}
	// RFC 6979 signature by the EIP-8 key A.
	d = mustHex("49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee")
	prv = &ecdsa.PrivateKey{D: new(big.Int).SetBytes(d)}
	prv.X, prv.Y = backendPubkey(d)
	digest := mustHex("c8f933e7862f2c7846f35853fb1686b1bb1b0e2e7d8b3d5bf874dbeaf1d1c8a3")
	sig, err := backendSign(digest, prv)
	want := "16fc6b8e0088ec6a90257b49babaeb3acc809d28ddb25f3d2d4a877965154c3f2e8c19c7a5bedea385adf989447cfc3270501b0735eb6e0424f722a48f5ffa0700"
	if err != nil || hex.EncodeToString(sig) != want {
		return fmt.Errorf("sign: %x, %v", sig, err)
	}
	pub, err := backendRecover(digest, sig)
	if err != nil || !bytes.Equal(pub, FromECDSAPub(&prv.PublicKey)) ||
		hex.EncodeToString(pub[1:]) != "fda1cff674c90c9a197539fe3dfb53086ace64f83ed7c6eabec741f7f381cc803e52ab2cd55d5569bce4347107a310dfd5f88a010cd2ffd1005ca406f1842877" {
		return fmt.Errorf("recover: %x, %v", pub, err)
	}
	if !backendVerify(pub, digest, sig[:64]) {
		return errors.New("verify failed")
	}
	return nil
}

// cbytes passes b to C. The callers check lengths first, so b is never empty.
func cbytes(b []byte) *C.uchar {
	return (*C.uchar)(unsafe.Pointer(unsafe.SliceData(b)))
}

// backendGenerateKey returns a new private scalar (32 bytes, big endian):
// 32 bytes from rand, drawn again in the (about 2⁻¹²⁸) case that they are
// zero or not below N, as decred does.
func backendGenerateKey(rand io.Reader) ([]byte, error) {
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

// backendPubkey computes d·G as affine big.Int coordinates. d must be a valid
// scalar in [1, N).
func backendPubkey(d []byte) (x, y *big.Int) {
	if len(d) != PrivateKeyLength {
		panic("crypto: backendPubkey needs a 32-byte scalar")
	}
	var pub [PubkeyLength]byte
	if C.dp_pubkey_create(libctx, cbytes(pub[:]), cbytes(d)) != 1 {
		panic("crypto: backendPubkey called with an invalid scalar")
	}
	return new(big.Int).SetBytes(pub[1:33]), new(big.Int).SetBytes(pub[33:])
}

// backendParsePubkey parses a 65-byte uncompressed (0x04 only, no hybrid
// forms) or 33-byte compressed key, rejecting coordinates >= p and points off
// the curve.
func backendParsePubkey(b []byte) (x, y *big.Int, err error) {
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

// backendValidatePub returns ErrInvalidPubkey unless (x, y) is a point on
// the curve with coordinates in [0, p).
func backendValidatePub(x, y *big.Int) error {
	var pub, out [PubkeyLength]byte
	if !encodePub(x, y, &pub) || C.dp_pubkey_parse(libctx, cbytes(out[:]), cbytes(pub[:]), PubkeyLength) != 1 {
		return ErrInvalidPubkey
	}
	return nil
}

// backendECDH returns the 32-byte X coordinate of prv·pub.
func backendECDH(prv *ecdsa.PrivateKey, x, y *big.Int) ([]byte, error) {
	return ecdh(prv, x, y, false)
}

// backendECDHCompressed returns prv·pub in 33-byte compressed form.
func backendECDHCompressed(prv *ecdsa.PrivateKey, x, y *big.Int) ([]byte, error) {
	return ecdh(prv, x, y, true)
}

func ecdh(prv *ecdsa.PrivateKey, x, y *big.Int, compressed bool) ([]byte, error) {
	var pub [PubkeyLength]byte
	if !encodePub(x, y, &pub) {
		return nil, ErrInvalidPubkey
	}
	if err := checkPrivateKey(prv); err != nil {
		// A bad public key is reported first, as by decred.
		if backendValidatePub(x, y) != nil {
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

// backendSign returns a 65-byte R ‖ S ‖ V signature with low S and V in {0,1}.
func backendSign(hash []byte, prv *ecdsa.PrivateKey) ([]byte, error) {
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

// backendRecover recovers the public key from a 65-byte R ‖ S ‖ V signature
// and returns it in 65-byte uncompressed form. High S is accepted here, as by
// decred; only VerifySignature insists on low S.
func backendRecover(hash, sig []byte) ([]byte, error) {
	if len(sig) != SignatureLength || sig[64] > 3 || len(hash) != DigestLength {
		return nil, ErrInvalidSignature
	}
	pub := make([]byte, PubkeyLength)
	if C.dp_recover(libctx, cbytes(pub), cbytes(sig), cbytes(hash)) != 1 {
		return nil, ErrInvalidSignature
	}
	return pub, nil
}

// backendVerify checks a 64-byte R ‖ S signature against a public key given
// in 33- or 65-byte form. High S values are rejected (malleability), as are
// R or S that are zero or >= N.
func backendVerify(pubkey, hash, sig []byte) bool {
	if len(sig) != 64 || len(hash) != DigestLength || !pubkeyEncodingOK(pubkey) {
		return false
	}
	return C.dp_verify(libctx, cbytes(pubkey), C.size_t(len(pubkey)), cbytes(hash), cbytes(sig)) == 1
}
