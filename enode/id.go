package enode

import (
	"crypto/ecdsa"
	"crypto/rand"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/bits"
	"strings"

	"github.com/devp2p-go/devp2p/crypto"
)

// ID is a node identifier: for the "v4" scheme, the keccak256 hash of the
// 64-byte uncompressed public key.
type ID [32]byte

// Bytes returns the ID as a byte slice.
func (n ID) Bytes() []byte { return n[:] }

// String returns the ID as 64 hex characters.
func (n ID) String() string { return hex.EncodeToString(n[:]) }

// GoString returns the Go syntax for the ID.
func (n ID) GoString() string { return fmt.Sprintf("enode.HexID(%q)", n.String()) }

// TerminalString returns the first 8 bytes in hex, for logs.
func (n ID) TerminalString() string { return hex.EncodeToString(n[:8]) }

// MarshalText implements encoding.TextMarshaler.
func (n ID) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (n *ID) UnmarshalText(text []byte) error {
	id, err := ParseID(string(text))
	if err != nil {
		return err
	}
	*n = id
	return nil
}

// ParseID parses a hex node ID (64 hex characters, optional 0x prefix).
func ParseID(in string) (ID, error) {
	var id ID
	in = strings.TrimPrefix(strings.TrimPrefix(in, "0x"), "0X")
	if len(in) != 2*len(id) {
		return id, fmt.Errorf("invalid node ID: want %d hex characters, got %d", 2*len(id), len(in))
	}
	if _, err := hex.Decode(id[:], []byte(in)); err != nil {
		return id, fmt.Errorf("invalid node ID: %w", err)
	}
	return id, nil
}

// HexID is ParseID for constants; it panics on malformed input.
func HexID(in string) ID {
	id, err := ParseID(in)
	if err != nil {
		panic(err)
	}
	return id
}

// PubkeyToIDV4 derives the "v4" node ID of a public key: keccak256(X ‖ Y).
func PubkeyToIDV4(key *ecdsa.PublicKey) ID {
	return ID(crypto.Keccak256Hash(crypto.FromECDSAPub(key)[1:]))
}

// LogDist returns the logarithmic distance between a and b: the bit length
// of a XOR b, 0 if they are equal, 256 at most.
func LogDist(a, b ID) int {
	lz := 0
	for i := 0; i < len(a); i += 8 {
		x := binary.BigEndian.Uint64(a[i:]) ^ binary.BigEndian.Uint64(b[i:])
		if x != 0 {
			return len(a)*8 - lz - bits.LeadingZeros64(x)
		}
		lz += 64
	}
	return 0
}

// DistCmp compares the XOR distances a^target and b^target: -1 if a is
// closer to target, 1 if b is, 0 if a == b.
func DistCmp(target, a, b ID) int {
	for i := 0; i < len(target); i += 8 {
		t := binary.BigEndian.Uint64(target[i:])
		da := binary.BigEndian.Uint64(a[i:]) ^ t
		db := binary.BigEndian.Uint64(b[i:]) ^ t
		if da < db {
			return -1
		} else if da > db {
			return 1
		}
	}
	return 0
}

// RandomID returns a random ID at logarithmic distance n from a (n is
// clamped to [0, 256]; n = 0 returns a).
func RandomID(a ID, n int) ID {
	if n <= 0 {
		return a
	}
	n = min(n, len(a)*8)
	b := a
	bit := len(a)*8 - n // index of the highest differing bit, from the MSB
	pos, mask := bit/8, byte(0x80)>>(bit%8)
	var rnd [len(a)]byte
	rand.Read(rnd[:])
	// Flip the bit at distance n, randomize the bits below it.
	below := mask - 1
	b[pos] = (a[pos] ^ mask) &^ below
	b[pos] |= rnd[pos] & below
	copy(b[pos+1:], rnd[pos+1:])
	return b
}
