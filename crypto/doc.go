// Package crypto provides the secp256k1 and Keccak-256 primitives of the
// devp2p stack: key generation and node key files, recoverable 65-byte
// signatures (R ‖ S ‖ V, low S, V in {0,1}), public key encodings, ECDH and
// Keccak-256.
//
// Keys are the standard library's *ecdsa.PrivateKey and *ecdsa.PublicKey
// with Curve S256(), the form other Ethereum code uses.
//
// # Backends
//
// All secp256k1 arithmetic goes through one small seam with interchangeable
// backends that give the same results:
//
//   - The system's C libsecp256k1 (Debian: libsecp256k1-1), found at run
//     time by a default build, with or without cgo (through
//     github.com/ebitengine/purego), on Linux and macOS, amd64 and arm64.
//     Signing, recovery and ECDH run about three times faster than in pure
//     Go. It is loaded privately, so a program that also links another copy
//     of the library (as go-ethereum's crypto/secp256k1 does) is not
//     disturbed.
//   - Pure Go (crypto/internal/k256: 64-bit limbs with an amd64 BMI2/ADX
//     path; GLV and wNAF for recovery and verification; constant-time
//     complete formulas for key derivation, signing and ECDH), used where
//     the library is not installed, fails its start-up self-test, or the
//     environment variable DEVP2P_SECP256K1=go says not to look for it.
//   - Built with `-tags libsecp256k1` (cgo and the library's headers), the
//     library through cgo, required at start-up.
//
// Secp256k1Backend names the one in use; a node should log it. Building with
// `-tags nosystemsecp256k1` never looks for the library: with CGO_ENABLED=0
// that keeps the executable static, which run-time loading would not (it
// needs the C library's dynamic loader).
//
// Every public key that arrives from outside is validated before use:
// coordinates below the field prime p, on the curve, not the point at
// infinity. Off-curve keys and x+p aliases have crashed nodes before, and
// would open ECDH to invalid-curve attacks on the node key (docs/SECURITY.md).
//
// Example:
//
//	key, _ := crypto.GenerateKey()
//	digest := crypto.Keccak256([]byte("hello"))
//	sig, _ := crypto.Sign(digest, key)
//	pub, _ := crypto.Ecrecover(digest, sig) // == crypto.FromECDSAPub(&key.PublicKey)
//	ok := crypto.VerifySignature(pub, digest, sig[:64])
package crypto
