package crypto

import (
	"hash"
	"sync"

	"golang.org/x/crypto/sha3"
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
	return sha3.NewLegacyKeccak256().(KeccakState)
}

// pooledKeccak is what keccakPool holds. The digest is read into out, which
// lives on the heap with the state: reading into a stack array through the
// interface method would make that array escape and cost an allocation.
type pooledKeccak struct {
	KeccakState
	out [32]byte
}

// keccakPool recycles states for Keccak256 and Keccak256Hash; a state is
// about 400 bytes, so reuse keeps hashing allocation-free apart from the result.
var keccakPool = sync.Pool{New: func() any { return &pooledKeccak{KeccakState: NewKeccakState()} }}

// Keccak256 returns the Keccak-256 digest of the concatenated data.
func Keccak256(data ...[]byte) []byte {
	h := Keccak256Hash(data...)
	return h[:]
}

// Keccak256Hash returns the Keccak-256 digest of the concatenated data as an array.
func Keccak256Hash(data ...[]byte) [32]byte {
	d := keccakPool.Get().(*pooledKeccak)
	d.Reset()
	for _, b := range data {
		d.Write(b)
	}
	d.Read(d.out[:])
	h := d.out
	keccakPool.Put(d)
	return h
}
