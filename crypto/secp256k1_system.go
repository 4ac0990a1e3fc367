//go:build !libsecp256k1 && !nosystemsecp256k1 && (linux || darwin) && (amd64 || arm64)

package crypto

// The system libsecp256k1 (bitcoin-core's C library, the one go-ethereum
// bundles) found at run time, without cgo: github.com/ebitengine/purego
// opens the shared library and calls it, in builds with and without
// CGO_ENABLED. Sign, recover and ECDH run about three times faster than
// decred's pure Go, and these bound discovery lookups and RLPx setup.
//
// The binding is written from the library's public headers (secp256k1.h,
// secp256k1_ecdh.h, secp256k1_recovery.h), API of release 0.2.0 and later;
// the opaque structs it fills (secp256k1_pubkey and the signatures) are
// byte arrays of fixed size in that API. Every buffer handed to C lives in
// one heap-allocated systemCall per operation: purego.SyscallN takes
// pointers as uintptr, and only heap memory (kept alive by the call, which
// is //go:uintptrescapes) stays put while C uses it.
//
// The library is opened with RTLD_LOCAL (and RTLD_DEEPBIND on Linux), and
// every function is looked up in that handle, so a program that also links
// another copy of libsecp256k1 (go-ethereum's crypto/secp256k1 compiles one
// into the binary, as in our bench/ and interop/ modules) never mixes the
// two: the system library only sees its own context and its own functions.
//
// One context is created and randomized when the library is loaded and never
// written again, so all goroutines may use it at once (the library only needs
// exclusive access for context_randomize and the callback setters). A
// known-answer check (selfTest) runs once after loading; a library that fails
// it, lacks a function (the ECDH and recovery modules are optional at its
// build) or cannot be found is not used, and decred's pure Go runs instead.
//
// The library's default "illegal argument" callback aborts the process, so
// no call may ever pass what the API calls illegal: the recovery id is
// checked to be at most 3 before parsing, and pointers are never nil.

import (
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"runtime"
	"strings"
	"sync"
	"unsafe"

	"github.com/ebitengine/purego"
)

// Constants from secp256k1.h.
const (
	// SECP256K1_CONTEXT_SIGN | SECP256K1_CONTEXT_VERIFY: what releases
	// before 0.2.0 need; later ones treat every flag as CONTEXT_NONE.
	secpContextSignVerify = 1<<0 | 1<<8 | 1<<9
	secpECUncompressed    = 1 << 1 // SECP256K1_EC_UNCOMPRESSED
)

// rtldDeepbind is glibc's RTLD_DEEPBIND: the library binds its own symbols
// before the program's.
const rtldDeepbind = 0x8

// systemLibraryNames are tried in order: the development symlink, the
// sonames of releases 0.2.0 (.so.1) and later, newest first; on macOS the
// plain name and Homebrew's prefixes.
func systemLibraryNames() []string {
	if runtime.GOOS == "darwin" {
		return []string{"libsecp256k1.dylib", "/opt/homebrew/lib/libsecp256k1.dylib", "/usr/local/lib/libsecp256k1.dylib"}
	}
	return []string{
		"libsecp256k1.so",
		"libsecp256k1.so.9", "libsecp256k1.so.8", "libsecp256k1.so.7", "libsecp256k1.so.6",
		"libsecp256k1.so.5", "libsecp256k1.so.4", "libsecp256k1.so.3", "libsecp256k1.so.2",
		"libsecp256k1.so.1",
	}
}

// systemBackend implements curveBackend with a loaded library.
type systemBackend struct {
	path string  // the name it was opened under
	ctx  uintptr // secp256k1_context *, read-only after loading

	// Function pointers, resolved in the library's own handle.
	contextCreate, contextRandomize, contextDestroy                            uintptr
	seckeyVerify, pubkeyCreate, pubkeyParse, pubkeySerialize                   uintptr
	ecdhFn, signRecoverable, recSigSerialize, recSigParse, recoverFn, sigParse uintptr
	verifyFn                                                                   uintptr
}

// systemCall holds every buffer one operation hands to the library.
type systemCall struct {
	pub    [64]byte // secp256k1_pubkey
	rsig   [65]byte // secp256k1_ecdsa_recoverable_signature
	sig    [64]byte // secp256k1_ecdsa_signature
	in     [PubkeyLength]byte
	out    [PubkeyLength]byte
	msg    [DigestLength]byte
	seckey [PrivateKeyLength]byte
	outLen uintptr // size_t
	recid  int32   // int
}

// loadSystemBackend opens the first of names that loads, resolves the
// functions, creates the context and runs the self-test. The error says
// errNoSystemLibrary when no name could be opened at all, and otherwise
// what failed for each name that could.
func loadSystemBackend(names []string) (curveBackend, error) {
	var errs []string
	for _, name := range names {
		b, err := openSystemLibrary(name)
		if err == nil {
			return b, nil
		}
		var dlErr purego.Dlerror
		if !errors.As(err, &dlErr) {
			errs = append(errs, err.Error()) // opened, but not usable
		}
	}
	if len(errs) == 0 {
		return nil, errNoSystemLibrary
	}
	return nil, errors.New(strings.Join(errs, "; "))
}

// openSystemLibrary loads one library name. On any failure the library is
// closed again.
func openSystemLibrary(name string) (b *systemBackend, err error) {
	mode := purego.RTLD_NOW | purego.RTLD_LOCAL
	if runtime.GOOS == "linux" {
		mode |= rtldDeepbind
	}
	h, err := purego.Dlopen(name, mode)
	if err != nil {
		return nil, err
	}
	b = &systemBackend{path: name}
	defer func() {
		if err != nil {
			purego.Dlclose(h)
		}
	}()
	for _, f := range []struct {
		ptr  *uintptr
		name string
	}{
		{&b.contextCreate, "secp256k1_context_create"},
		{&b.contextRandomize, "secp256k1_context_randomize"},
		{&b.contextDestroy, "secp256k1_context_destroy"},
		{&b.seckeyVerify, "secp256k1_ec_seckey_verify"},
		{&b.pubkeyCreate, "secp256k1_ec_pubkey_create"},
		{&b.pubkeyParse, "secp256k1_ec_pubkey_parse"},
		{&b.pubkeySerialize, "secp256k1_ec_pubkey_serialize"},
		{&b.ecdhFn, "secp256k1_ecdh"},
		{&b.signRecoverable, "secp256k1_ecdsa_sign_recoverable"},
		{&b.recSigSerialize, "secp256k1_ecdsa_recoverable_signature_serialize_compact"},
		{&b.recSigParse, "secp256k1_ecdsa_recoverable_signature_parse_compact"},
		{&b.recoverFn, "secp256k1_ecdsa_recover"},
		{&b.sigParse, "secp256k1_ecdsa_signature_parse_compact"},
		{&b.verifyFn, "secp256k1_ecdsa_verify"},
	} {
		if *f.ptr, err = purego.Dlsym(h, f.name); err != nil {
			return nil, fmt.Errorf("%s: no %s (built without the ecdh or recovery module?)", name, f.name)
		}
	}
	if err := b.newContext(); err != nil {
		return nil, fmt.Errorf("%s: %w", name, err)
	}
	if err := selfTest(b); err != nil {
		b.call(b.contextDestroy, b.ctx)
		return nil, fmt.Errorf("%s gives wrong results: %w", name, err)
	}
	return b, nil
}

// newContext creates the shared context and randomizes it with 32 fresh
// bytes (blinding for the operations on secret keys).
func (b *systemBackend) newContext() error {
	b.ctx = b.call(b.contextCreate, secpContextSignVerify)
	if b.ctx == 0 {
		return errors.New("context creation failed")
	}
	c := new(systemCall)
	defer clear(c.seckey[:])
	rand.Read(c.seckey[:]) // never fails (crypto/rand crashes the program instead)
	if !b.ok(b.contextRandomize, b.ctx, uintptr(unsafe.Pointer(&c.seckey))) {
		b.call(b.contextDestroy, b.ctx)
		return errors.New("context randomization failed")
	}
	return nil
}

// call calls the C function fn with integer and pointer arguments. Like
// purego.SyscallN it is go:uintptrescapes: a pointer converted to uintptr
// in the argument list of a call to it is moved to the heap and kept alive
// until the call returns, so C may use it. The conversion must be written in
// that argument list itself.
//
//go:uintptrescapes
func (b *systemBackend) call(fn uintptr, args ...uintptr) uintptr {
	r, _, _ := purego.SyscallN(fn, args...)
	return r
}

// ok calls a library function that returns a C int, 1 for success, with
// arguments as for call. Only the low 32 bits of the return register hold
// the int.
//
//go:uintptrescapes
func (b *systemBackend) ok(fn uintptr, args ...uintptr) bool {
	r, _, _ := purego.SyscallN(fn, args...)
	return uint32(r) == 1
}

func (b *systemBackend) name() string {
	return "libsecp256k1 (" + b.path + ", loaded at run time)"
}

// generateKey returns a new private scalar: 32 bytes from rand, drawn again
// in the (about 2⁻¹²⁸) case that they are zero or not below N, as decred
// does.
func (b *systemBackend) generateKey(rand io.Reader) ([]byte, error) {
	c := new(systemCall)
	defer clear(c.seckey[:])
	for {
		if _, err := io.ReadFull(rand, c.seckey[:]); err != nil {
			return nil, err
		}
		if b.ok(b.seckeyVerify, b.ctx, uintptr(unsafe.Pointer(&c.seckey))) {
			return append([]byte(nil), c.seckey[:]...), nil
		}
	}
}

// pubkey computes d·G. d must be a valid 32-byte scalar.
func (b *systemBackend) pubkey(d []byte) (x, y *big.Int) {
	if len(d) != PrivateKeyLength {
		panic("crypto: pubkey needs a 32-byte scalar")
	}
	c := new(systemCall)
	defer clear(c.seckey[:])
	copy(c.seckey[:], d)
	if !b.ok(b.pubkeyCreate, b.ctx, uintptr(unsafe.Pointer(&c.pub)), uintptr(unsafe.Pointer(&c.seckey))) {
		panic("crypto: pubkey called with an invalid scalar")
	}
	b.serialize(c)
	return new(big.Int).SetBytes(c.out[1:33]), new(big.Int).SetBytes(c.out[33:])
}

// serialize writes c.pub to c.out in uncompressed form.
func (b *systemBackend) serialize(c *systemCall) {
	c.outLen = PubkeyLength
	b.call(b.pubkeySerialize, b.ctx, uintptr(unsafe.Pointer(&c.out)), uintptr(unsafe.Pointer(&c.outLen)), uintptr(unsafe.Pointer(&c.pub)), secpECUncompressed)
}

// parse parses the first n bytes of c.in into c.pub: only the encodings the
// package accepts (pubkeyEncodingOK), as the library would also take the
// hybrid 0x06/0x07 forms.
func (b *systemBackend) parse(c *systemCall, n int) bool {
	if !pubkeyEncodingOK(c.in[:n]) {
		return false
	}
	return b.ok(b.pubkeyParse, b.ctx, uintptr(unsafe.Pointer(&c.pub)), uintptr(unsafe.Pointer(&c.in)), uintptr(n))
}

// parsePubkey validates a 33- or 65-byte key and returns its coordinates.
func (b *systemBackend) parsePubkey(enc []byte) (x, y *big.Int, err error) {
	if !pubkeyEncodingOK(enc) {
		return nil, nil, ErrInvalidPubkey
	}
	c := new(systemCall)
	copy(c.in[:], enc)
	if !b.parse(c, len(enc)) {
		return nil, nil, ErrInvalidPubkey
	}
	b.serialize(c)
	return new(big.Int).SetBytes(c.out[1:33]), new(big.Int).SetBytes(c.out[33:]), nil
}

// loadPub writes (x, y) as 0x04 ‖ X ‖ Y to c.in and parses it into c.pub;
// the library rejects coordinates >= p and points off the curve.
func (b *systemBackend) loadPub(c *systemCall, x, y *big.Int) bool {
	if !coordsFit(x, y) {
		return false
	}
	c.in[0] = 4
	x.FillBytes(c.in[1:33])
	y.FillBytes(c.in[33:])
	return b.parse(c, PubkeyLength)
}

// validatePub returns ErrInvalidPubkey unless (x, y) is on the curve with
// coordinates in [0, p).
func (b *systemBackend) validatePub(x, y *big.Int) error {
	if !b.loadPub(new(systemCall), x, y) {
		return ErrInvalidPubkey
	}
	return nil
}

// ecdhPoint is the secp256k1_ecdh_hash_function given to secp256k1_ecdh.
// Instead of hashing, it writes the shared point in compressed form to the
// output: the discv5 secret as is, the RLPx one (X only) after the first
// byte. secp256k1_ecdh multiplies in constant time, which the node key needs.
// It is made on first use: purego has a fixed number of callback slots.
var ecdhPoint = sync.OnceValue(func() uintptr {
	return purego.NewCallback(func(out *[CompressedPubkeyLength]byte, x32, y32 *[32]byte, _ uintptr) int32 {
		out[0] = 2 | y32[31]&1
		copy(out[1:], x32[:])
		return 1
	})
})

// ecdh returns prv·pub: its X coordinate, or the compressed point. The
// public key is checked first, as by decred.
func (b *systemBackend) ecdh(prv *ecdsa.PrivateKey, x, y *big.Int, compressed bool) ([]byte, error) {
	c := new(systemCall)
	defer clear(c.seckey[:])
	defer clear(c.out[:])
	if !b.loadPub(c, x, y) {
		return nil, ErrInvalidPubkey
	}
	if err := checkPrivateKey(prv); err != nil {
		return nil, err
	}
	prv.D.FillBytes(c.seckey[:])
	if !b.ok(b.ecdhFn, b.ctx, uintptr(unsafe.Pointer(&c.out)), uintptr(unsafe.Pointer(&c.pub)), uintptr(unsafe.Pointer(&c.seckey)), ecdhPoint(), 0) {
		return nil, ErrInvalidPrivateKey // not reached: the scalar was checked
	}
	if compressed {
		return append([]byte(nil), c.out[:CompressedPubkeyLength]...), nil
	}
	return append([]byte(nil), c.out[1:CompressedPubkeyLength]...), nil
}

// sign returns a 65-byte R ‖ S ‖ V signature (RFC 6979 nonce, the library's
// default; S in the lower half; V the recovery id). The bytes are decred's,
// except for digests >= N (a chance of about 2⁻¹²⁸ for a hash):
// libsecp256k1 derives the nonce from the digest mod N, as RFC 6979's
// bits2octets says, decred from the digest as given. Both signatures are
// valid and recover the same key.
func (b *systemBackend) sign(hash []byte, prv *ecdsa.PrivateKey) ([]byte, error) {
	if err := checkPrivateKey(prv); err != nil {
		return nil, err
	}
	if len(hash) != DigestLength {
		return nil, ErrInvalidSignature
	}
	c := new(systemCall)
	defer clear(c.seckey[:])
	prv.D.FillBytes(c.seckey[:])
	copy(c.msg[:], hash)
	if !b.ok(b.signRecoverable, b.ctx, uintptr(unsafe.Pointer(&c.rsig)), uintptr(unsafe.Pointer(&c.msg)), uintptr(unsafe.Pointer(&c.seckey)), 0, 0) {
		return nil, ErrInvalidPrivateKey // not reached: the scalar was checked
	}
	b.call(b.recSigSerialize, b.ctx, uintptr(unsafe.Pointer(&c.out)), uintptr(unsafe.Pointer(&c.recid)), uintptr(unsafe.Pointer(&c.rsig)))
	sig := make([]byte, SignatureLength)
	copy(sig, c.out[:64])
	sig[64] = byte(c.recid)
	return sig, nil
}

// recover returns the uncompressed key that made the R ‖ S ‖ V signature.
// The library refuses R or S >= N or zero, R+N >= p with the overflow ids
// and an infinite result; high S is accepted, as by decred.
func (b *systemBackend) recover(hash, sig []byte) ([]byte, error) {
	// A recovery id above 3 is an illegal argument (the process would
	// abort), so it must never reach the parser.
	if len(sig) != SignatureLength || sig[64] > 3 || len(hash) != DigestLength {
		return nil, ErrInvalidSignature
	}
	c := new(systemCall)
	copy(c.in[:], sig[:64])
	copy(c.msg[:], hash)
	if !b.ok(b.recSigParse, b.ctx, uintptr(unsafe.Pointer(&c.rsig)), uintptr(unsafe.Pointer(&c.in)), uintptr(sig[64])) ||
		!b.ok(b.recoverFn, b.ctx, uintptr(unsafe.Pointer(&c.pub)), uintptr(unsafe.Pointer(&c.rsig)), uintptr(unsafe.Pointer(&c.msg))) {
		return nil, ErrInvalidSignature
	}
	b.serialize(c)
	return append([]byte(nil), c.out[:]...), nil
}

// verify checks a 64-byte R ‖ S signature against a 33- or 65-byte key.
// secp256k1_ecdsa_verify refuses high S; the parser refuses R or S >= N.
func (b *systemBackend) verify(pubkey, hash, sig []byte) bool {
	if len(sig) != 64 || len(hash) != DigestLength || !pubkeyEncodingOK(pubkey) {
		return false
	}
	c := new(systemCall)
	copy(c.in[:], pubkey)
	copy(c.msg[:], hash)
	copy(c.out[:], sig)
	return b.parse(c, len(pubkey)) &&
		b.ok(b.sigParse, b.ctx, uintptr(unsafe.Pointer(&c.sig)), uintptr(unsafe.Pointer(&c.out))) &&
		b.ok(b.verifyFn, b.ctx, uintptr(unsafe.Pointer(&c.sig)), uintptr(unsafe.Pointer(&c.msg)), uintptr(unsafe.Pointer(&c.pub)))
}
