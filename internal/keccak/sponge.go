package keccak

import "encoding/binary"

const (
	// Size is the length of a Keccak-256 digest in bytes.
	Size = 32

	// Rate is the block size of Keccak-256: the 1600-bit state minus a
	// capacity of twice the digest length (FIPS 202 section 5.2 with
	// c = 512), in bytes.
	Rate = (1600 - 2*8*Size) / 8

	// padFirst and padLast are the original Keccak submission's padding
	// (pad10*1 with no SHA-3 domain bits): 0x01 after the message, 0x80 in
	// the last byte of the block (the same byte when only one is left).
	padFirst = 0x01
	padLast  = 0x80
)

// State is a Keccak-256 hash (the original Keccak padding that Ethereum
// uses, not SHA3-256). It is a hash.Hash whose Read squeezes the digest
// (and more output, for longer reads) without the copy Sum makes. Once Read
// is called, Write, Sum and Digest panic until Reset: the message is closed.
// The zero value is an empty hash.
//
// The state is 216 bytes with no pointers, so a State declared in a function
// stays on its stack.
type State struct {
	a         [25]uint64 // lanes, little-endian as FIPS 202 lays out the bytes
	n         int        // absorbing: bytes of the current block XORed in; squeezing: bytes of it read
	squeezing bool
}

// Reset empties the hash.
func (s *State) Reset() { *s = State{} }

// Size returns the digest length, 32.
func (s *State) Size() int { return Size }

// BlockSize returns the rate, 136 bytes.
func (s *State) BlockSize() int { return Rate }

// Write absorbs p. It never fails.
func (s *State) Write(p []byte) (int, error) {
	if s.squeezing {
		panic("keccak: Write after Read")
	}
	written := len(p)
	if s.n != 0 {
		p = s.absorbPartial(p)
	}
	if full := len(p) - len(p)%Rate; full > 0 {
		absorbBlocks(&s.a, p[:full])
		p = p[full:]
	}
	if len(p) > 0 {
		s.absorbPartial(p)
	}
	return written, nil
}

// absorbPartial XORs p into the current block from offset s.n on, until
// the block is full (then it is permuted) or p ends, and returns what is left.
func (s *State) absorbPartial(p []byte) []byte {
	for len(p) > 0 && s.n%8 != 0 {
		s.a[s.n/8] ^= uint64(p[0]) << (8 * (s.n % 8))
		s.n++
		p = p[1:]
	}
	for len(p) >= 8 && s.n < Rate {
		s.a[s.n/8] ^= binary.LittleEndian.Uint64(p)
		s.n += 8
		p = p[8:]
	}
	for len(p) > 0 && s.n < Rate {
		s.a[s.n/8] ^= uint64(p[0]) << (8 * (s.n % 8))
		s.n++
		p = p[1:]
	}
	if s.n == Rate {
		permute(&s.a)
		s.n = 0
	}
	return p
}

// absorbBlocksGeneric XORs each full block of p into a and permutes, one
// block at a time; the paths without a fused absorb use it.
func absorbBlocksGeneric(a *[25]uint64, p []byte) {
	for len(p) >= Rate {
		xorBlock(a, (*[Rate]byte)(p))
		permute(a)
		p = p[Rate:]
	}
}

// xorBlock XORs one full block into the first Rate/8 lanes.
func xorBlock(a *[25]uint64, b *[Rate]byte) {
	for i := range Rate / 8 {
		a[i] ^= binary.LittleEndian.Uint64(b[8*i:])
	}
}

// pad applies the padding to the current block and permutes, leaving the
// first block of output in the state.
func (s *State) pad() {
	s.a[s.n/8] ^= padFirst << (8 * (s.n % 8))
	s.a[(Rate-1)/8] ^= padLast << (8 * ((Rate - 1) % 8))
	permute(&s.a)
}

// Read pads the message (on the first call) and squeezes len(out) bytes
// into out. It never fails.
func (s *State) Read(out []byte) (int, error) {
	if !s.squeezing {
		s.pad()
		s.squeezing, s.n = true, 0
	}
	read := len(out)
	for len(out) > 0 {
		if s.n == Rate {
			permute(&s.a)
			s.n = 0
		}
		if s.n%8 == 0 && len(out) >= 8 {
			binary.LittleEndian.PutUint64(out, s.a[s.n/8])
			s.n += 8
			out = out[8:]
			continue
		}
		out[0] = byte(s.a[s.n/8] >> (8 * (s.n % 8)))
		s.n++
		out = out[1:]
	}
	return read, nil
}

// Sum appends the digest of what was written to b, leaving s unchanged.
func (s *State) Sum(b []byte) []byte {
	var d [Size]byte
	s.Digest(&d)
	return append(b, d[:]...)
}

// Digest writes the digest of what was written to d, leaving s unchanged,
// without allocating.
func (s *State) Digest(d *[Size]byte) {
	if s.squeezing {
		panic("keccak: Digest after Read")
	}
	c := *s
	c.pad()
	for i := range Size / 8 {
		binary.LittleEndian.PutUint64(d[8*i:], c.a[i])
	}
}

// Sum256 returns the Keccak-256 digest of data.
func Sum256(data []byte) [Size]byte {
	var s State
	s.Write(data)
	var d [Size]byte
	s.Digest(&d)
	return d
}
