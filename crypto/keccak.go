package crypto

import (
	"hash"

	"github.com/devp2p-go/devp2p/internal/keccak"
)

// KeccakState is a Keccak-256 hash that can also Read its digest: Read
// returns the digest without the copy and allocation of Sum. Reading moves
// the state into squeezing; call Reset before writing again.
type KeccakState interface {
	hash.Hash
	Read([]byte) (int, error)
}

// NewKeccakState returns a new Keccak-256 (legacy, pre-SHA-3 padding) state.
func NewKeccakState() KeccakState {
	return new(keccak.State)
}

// Keccak256 returns the Keccak-256 digest of the concatenated data.
func Keccak256(data ...[]byte) []byte {
	h := Keccak256Hash(data...)
	return h[:]
}

// Keccak256Hash returns the Keccak-256 digest of the concatenated data as an
// array. The state lives on the stack, so this allocates nothing.
func Keccak256Hash(data ...[]byte) [32]byte {
	var s keccak.State
	for _, b := range data {
		s.Write(b)
	}
	var h [32]byte
	s.Digest(&h)
	return h
}
