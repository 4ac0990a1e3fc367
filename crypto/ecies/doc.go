// Package ecies implements the ECIES variant used by the RLPx handshake
// (https://github.com/ethereum/devp2p/blob/master/rlpx.md, "ECIES Encryption"):
//
//	R (65-byte uncompressed ephemeral key) ‖ IV (16) ‖ AES-128-CTR(kE, IV, m) ‖ HMAC-SHA-256(kM, IV ‖ c ‖ s2)
//
// with S = X coordinate of r·K (secp256k1 ECDH), kE ‖ kM' = concat-KDF(S, 32)
// (NIST SP 800-56, SHA-256, shared info s1), and kM = SHA-256(kM').
//
// Decrypt handles untrusted input: it checks the length first, rejects an R
// that is not a valid curve point before any computation with the private key
// (ErrInvalidPublicKey, so decryption cannot serve as an invalid-curve oracle
// on the private key; docs/SECURITY.md),
// and checks the MAC in constant time before decrypting.
//
// Example (RLPx EIP-8 auth: s1 = nil, s2 = the 2-byte size prefix):
//
//	ct, err := ecies.Encrypt(rand.Reader, remotePub, msg, nil, prefix)
//	...
//	msg, err := ecies.Decrypt(key, ct, nil, prefix)
package ecies
