// Package crypto provides the secp256k1 and Keccak-256 primitives of the
// devp2p stack: key generation and node key files, recoverable 65-byte
// signatures (R ‖ S ‖ V, low S, V in {0,1}), public key encodings, ECDH and
// Keccak-256.
//
// Keys are the standard library's *ecdsa.PrivateKey and *ecdsa.PublicKey
// with Curve S256(), the form other Ethereum code uses. Two secp256k1
// backends give the same results: decred's pure-Go dcrec/secp256k1 by
// default, or, built with `-tags libsecp256k1` (cgo), the system's C
// libsecp256k1, about three times faster for signing, recovery and ECDH. The
// tagged build needs the library's headers to build and its shared library
// (loaded at start-up) to run.
//
// Every public key that arrives from outside is validated before use:
// coordinates below the field prime p, on the curve, not the point at
// infinity. These checks close known holes of devp2p stacks (off-curve keys,
// x+p aliases, invalid-curve attacks on ECDH; see docs/SECURITY.md).
//
// Example:
//
//	key, _ := crypto.GenerateKey()
//	digest := crypto.Keccak256([]byte("hello"))
//	sig, _ := crypto.Sign(digest, key)
//	pub, _ := crypto.Ecrecover(digest, sig) // == crypto.FromECDSAPub(&key.PublicKey)
//	ok := crypto.VerifySignature(pub, digest, sig[:64])
package crypto
