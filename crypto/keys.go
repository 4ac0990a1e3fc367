package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"path/filepath"
)

// Lengths of the encodings handled by this package.
const (
	// SignatureLength is the size of a recoverable signature: R ‖ S ‖ V with V in {0,1}.
	SignatureLength = 64 + 1
	// DigestLength is the size of the hash that Sign, Ecrecover and VerifySignature take.
	DigestLength = 32
	// PrivateKeyLength is the size of a private scalar in bytes.
	PrivateKeyLength = 32
	// PubkeyLength is the size of an uncompressed public key: 0x04 ‖ X ‖ Y.
	PubkeyLength = 65
	// CompressedPubkeyLength is the size of a compressed public key: 0x02/0x03 ‖ X.
	CompressedPubkeyLength = 33
)

// Errors callers may branch on.
var (
	ErrInvalidPubkey     = errors.New("invalid secp256k1 public key")
	ErrInvalidSignature  = errors.New("invalid secp256k1 signature")
	ErrInvalidPrivateKey = errors.New("invalid secp256k1 private key")
)

// errKeyFile wraps problems with node key file contents.
var errKeyFile = errors.New("invalid node key file")

// S256 returns the secp256k1 curve.
func S256() elliptic.Curve { return s256 }

// GenerateKey returns a new random private key.
func GenerateKey() (*ecdsa.PrivateKey, error) {
	d, err := backendGenerateKey(rand.Reader)
	if err != nil {
		return nil, err
	}
	defer clear(d)
	return ToECDSA(d)
}

// ToECDSA builds a private key from a 32-byte big-endian scalar. It rejects
// other lengths, zero and values >= N.
func ToECDSA(d []byte) (*ecdsa.PrivateKey, error) {
	if len(d) != PrivateKeyLength {
		return nil, fmt.Errorf("%w: need %d bytes, got %d", ErrInvalidPrivateKey, PrivateKeyLength, len(d))
	}
	k := new(big.Int).SetBytes(d)
	if k.Sign() == 0 {
		return nil, fmt.Errorf("%w: zero", ErrInvalidPrivateKey)
	}
	if k.Cmp(curveN) >= 0 {
		return nil, fmt.Errorf("%w: not below the curve order", ErrInvalidPrivateKey)
	}
	priv := &ecdsa.PrivateKey{D: k}
	priv.PublicKey.Curve = s256
	priv.PublicKey.X, priv.PublicKey.Y = backendPubkey(d)
	return priv, nil
}

// FromECDSA returns the 32-byte big-endian scalar of priv, or nil if priv is nil.
func FromECDSA(priv *ecdsa.PrivateKey) []byte {
	if priv == nil || priv.D == nil {
		return nil
	}
	return priv.D.FillBytes(make([]byte, PrivateKeyLength))
}

// HexToECDSA parses a private key given as 64 hex characters.
func HexToECDSA(hexkey string) (*ecdsa.PrivateKey, error) {
	if len(hexkey) != 2*PrivateKeyLength {
		return nil, fmt.Errorf("%w: need %d hex characters, got %d", ErrInvalidPrivateKey, 2*PrivateKeyLength, len(hexkey))
	}
	b, err := hex.DecodeString(hexkey)
	if err != nil {
		return nil, fmt.Errorf("%w: not hex", ErrInvalidPrivateKey)
	}
	defer clear(b)
	return ToECDSA(b)
}

// LoadECDSA reads a node key file: exactly 64 hex characters, optionally
// followed by a single newline ("\n" or "\r\n").
func LoadECDSA(file string) (*ecdsa.PrivateKey, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	// Read one byte more than the longest valid content so that an overlong
	// file is noticed without reading all of it.
	const maxLen = 2*PrivateKeyLength + 2
	buf := make([]byte, maxLen+1)
	defer clear(buf)
	n, err := io.ReadFull(f, buf)
	if err != nil && err != io.EOF && err != io.ErrUnexpectedEOF {
		return nil, fmt.Errorf("read node key %s: %w", file, err)
	}
	content := buf[:n]
	switch {
	case bytes.HasSuffix(content, []byte("\r\n")):
		content = content[:len(content)-2]
	case bytes.HasSuffix(content, []byte("\n")):
		content = content[:len(content)-1]
	}
	if len(content) != 2*PrivateKeyLength {
		return nil, fmt.Errorf("%w %s: want %d hex characters and an optional newline", errKeyFile, file, 2*PrivateKeyLength)
	}
	key, err := HexToECDSA(string(content))
	if err != nil {
		return nil, fmt.Errorf("%w %s: %w", errKeyFile, file, err)
	}
	return key, nil
}

// SaveECDSA writes key to file as 64 hex characters with file mode 0600.
// It writes a temporary file in the same directory and renames it, so a
// crash never leaves a truncated key, and an existing file with looser
// permissions is replaced rather than reused.
func SaveECDSA(file string, key *ecdsa.PrivateKey) error {
	d := FromECDSA(key)
	if d == nil {
		return ErrInvalidPrivateKey
	}
	defer clear(d)
	k := make([]byte, hex.EncodedLen(len(d)))
	defer clear(k)
	hex.Encode(k, d)

	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp*") // mode 0600
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	if _, err := tmp.Write(k); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), file)
}

// UnmarshalPubkey parses a 65-byte uncompressed public key 0x04 ‖ X ‖ Y. It
// rejects other prefixes, coordinates >= p and points off the curve (which
// includes (0,0), the affine stand-in for the point at infinity).
func UnmarshalPubkey(pub []byte) (*ecdsa.PublicKey, error) {
	if len(pub) != PubkeyLength {
		return nil, ErrInvalidPubkey
	}
	x, y, err := backendParsePubkey(pub)
	if err != nil {
		return nil, err
	}
	return &ecdsa.PublicKey{Curve: s256, X: x, Y: y}, nil
}

// FromECDSAPub returns the 65-byte uncompressed encoding 0x04 ‖ X ‖ Y, or nil
// if pub is nil.
func FromECDSAPub(pub *ecdsa.PublicKey) []byte {
	if pub == nil || pub.X == nil || pub.Y == nil {
		return nil
	}
	b := make([]byte, PubkeyLength)
	b[0] = 4
	pub.X.FillBytes(b[1:33])
	pub.Y.FillBytes(b[33:])
	return b
}

// CompressPubkey returns the 33-byte compressed encoding 0x02/0x03 ‖ X.
func CompressPubkey(pub *ecdsa.PublicKey) []byte {
	b := make([]byte, CompressedPubkeyLength)
	b[0] = 2 | byte(pub.Y.Bit(0))
	pub.X.FillBytes(b[1:])
	return b
}

// DecompressPubkey parses a 33-byte compressed public key.
func DecompressPubkey(pub []byte) (*ecdsa.PublicKey, error) {
	if len(pub) != CompressedPubkeyLength {
		return nil, ErrInvalidPubkey
	}
	x, y, err := backendParsePubkey(pub)
	if err != nil {
		return nil, err
	}
	return &ecdsa.PublicKey{Curve: s256, X: x, Y: y}, nil
}

// ValidatePubkey reports whether pub is a usable secp256k1 public key:
// coordinates present and below p, and on the curve.
func ValidatePubkey(pub *ecdsa.PublicKey) bool {
	if pub == nil {
		return false
	}
	return backendValidatePub(pub.X, pub.Y) == nil
}
