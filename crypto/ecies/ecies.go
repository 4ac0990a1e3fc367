package ecies

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"io"

	"github.com/devp2p-go/devp2p/crypto"
)

// Sizes of the parts of a message (rlpx.md, "ECIES Encryption").
const (
	pubLen  = crypto.PubkeyLength // R: 0x04 ‖ X ‖ Y
	ivLen   = aes.BlockSize       // AES-CTR initialisation vector
	tagLen  = sha256.Size         // HMAC-SHA-256 tag
	keyLen  = 16                  // AES-128 key kE, and the kM input half
	kdfLen  = 2 * keyLen          // concat-KDF output: kE ‖ kM'
	prefixR = 4                   // uncompressed point marker

	// Overhead is the size of a ciphertext minus the size of its plaintext.
	Overhead = pubLen + ivLen + tagLen
)

// Errors callers may branch on.
var (
	// ErrInvalidMessage: the ciphertext is too short or its MAC does not verify.
	ErrInvalidMessage = errors.New("ecies: invalid message")
	// ErrInvalidPublicKey: a public key (the recipient's in Encrypt, the
	// ephemeral R in Decrypt) is not a valid secp256k1 point.
	ErrInvalidPublicKey = errors.New("ecies: invalid public key")
)

// ecdh is crypto.ECDH; a variable so that a test can prove that Decrypt
// rejects a bad R without ever using the private key.
var ecdh = crypto.ECDH

// Encrypt encrypts m for pub. s1 is the KDF's shared info and s2 is
// authenticated by the MAC without being sent; either may be nil.
func Encrypt(rand io.Reader, pub *ecdsa.PublicKey, m, s1, s2 []byte) ([]byte, error) {
	if !crypto.ValidatePubkey(pub) {
		return nil, ErrInvalidPublicKey
	}
	eph, err := generateKey(rand)
	if err != nil {
		return nil, fmt.Errorf("ecies: ephemeral key: %w", err)
	}
	shared, err := crypto.ECDH(eph, pub)
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	kE, kM := deriveKeys(shared, s1)
	clear(shared)

	out := make([]byte, Overhead+len(m))
	copy(out, crypto.FromECDSAPub(&eph.PublicKey))
	iv := out[pubLen : pubLen+ivLen]
	if _, err := io.ReadFull(rand, iv); err != nil {
		return nil, fmt.Errorf("ecies: IV: %w", err)
	}
	ct := out[pubLen+ivLen : len(out)-tagLen]
	if err := xorKeyStream(kE, iv, ct, m); err != nil {
		return nil, err
	}
	copy(out[len(out)-tagLen:], messageTag(kM, out[pubLen:len(out)-tagLen], s2))
	clear(kE)
	clear(kM)
	return out, nil
}

// Decrypt decrypts c with prv, using the same s1 and s2 as Encrypt. It checks,
// in this order: the length, that R is a valid point (before the private key
// is used), and the MAC (before decrypting).
func Decrypt(prv *ecdsa.PrivateKey, c, s1, s2 []byte) ([]byte, error) {
	// A 16-byte IV and a 32-byte tag must fit after R; the ciphertext may be
	// empty (CVE-2026-22862: go-ethereum's bound forgot the IV and
	// panicked).
	if len(c) < Overhead {
		return nil, ErrInvalidMessage
	}
	if c[0] != prefixR {
		return nil, ErrInvalidPublicKey
	}
	R, err := crypto.UnmarshalPubkey(c[:pubLen])
	if err != nil {
		return nil, ErrInvalidPublicKey
	}
	shared, err := ecdh(prv, R)
	if err != nil {
		return nil, fmt.Errorf("ecies: %w", err)
	}
	kE, kM := deriveKeys(shared, s1)
	clear(shared)
	defer clear(kE)
	defer clear(kM)

	body := c[pubLen : len(c)-tagLen] // IV ‖ ciphertext
	if !hmac.Equal(messageTag(kM, body, s2), c[len(c)-tagLen:]) {
		return nil, ErrInvalidMessage
	}
	m := make([]byte, len(body)-ivLen)
	if err := xorKeyStream(kE, body[:ivLen], m, body[ivLen:]); err != nil {
		return nil, err
	}
	return m, nil
}

// generateKey makes an ephemeral key from rand. Taking the randomness as a
// parameter lets tests replay fixed vectors.
func generateKey(rand io.Reader) (*ecdsa.PrivateKey, error) {
	var b [32]byte
	defer clear(b[:])
	// Rejection sampling: almost every 32-byte string is a valid scalar
	// (the chance of zero or >= N is below 2^-127).
	for range 8 {
		if _, err := io.ReadFull(rand, b[:]); err != nil {
			return nil, err
		}
		if k, err := crypto.ToECDSA(b[:]); err == nil {
			return k, nil
		}
	}
	return nil, errors.New("random source keeps producing invalid keys")
}

// deriveKeys runs the concat KDF on the shared secret and splits its output
// into the AES key kE and the MAC key kM = SHA-256(second half).
func deriveKeys(shared, s1 []byte) (kE, kM []byte) {
	k := concatKDF(shared, s1, kdfLen)
	kE = k[:keyLen]
	h := sha256.Sum256(k[keyLen:])
	clear(k[keyLen:])
	return kE, h[:]
}

// concatKDF is the NIST SP 800-56 concatenation KDF with SHA-256: the
// concatenation of SHA-256(counter ‖ z ‖ s1) for counter = 1, 2, ...
// (32-bit big endian), cut to n bytes.
func concatKDF(z, s1 []byte, n int) []byte {
	out := make([]byte, 0, (n+sha256.Size-1)/sha256.Size*sha256.Size)
	h := sha256.New()
	var ctr [4]byte
	for counter := uint32(1); len(out) < n; counter++ {
		binary.BigEndian.PutUint32(ctr[:], counter)
		h.Reset()
		h.Write(ctr[:])
		h.Write(z)
		h.Write(s1)
		out = h.Sum(out)
	}
	return out[:n]
}

// messageTag is HMAC-SHA-256(kM, IV ‖ ciphertext ‖ s2).
func messageTag(kM, ivAndCiphertext, s2 []byte) []byte {
	mac := hmac.New(sha256.New, kM)
	mac.Write(ivAndCiphertext)
	mac.Write(s2)
	return mac.Sum(nil)
}

// xorKeyStream runs AES-128-CTR with key and iv from src into dst.
func xorKeyStream(key, iv, dst, src []byte) error {
	block, err := aes.NewCipher(key)
	if err != nil {
		return fmt.Errorf("ecies: %w", err)
	}
	cipher.NewCTR(block, iv).XORKeyStream(dst, src)
	return nil
}
