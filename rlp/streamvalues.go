package rlp

import (
	"fmt"
	"math/big"
)

// This file holds the Stream methods that read one complete value of a
// given kind (strings, integers, raw values); stream.go has the framing.

// stringInto reads the next value, which must be a string or byte, into dst
// (reusing its capacity). The result is never nil.
func (s *Stream) stringInto(dst []byte) ([]byte, error) {
	k, size, err := s.Kind()
	if err != nil {
		return dst, err
	}
	switch k {
	case Byte:
		s.kindValid = false
		if cap(dst) == 0 {
			return []byte{s.byteval}, nil
		}
		return append(dst[:0], s.byteval), nil
	case String:
		s.kindValid = false
		b, err := s.readNew(dst[:0], size)
		if err != nil {
			return dst, err
		}
		if size == 1 && b[0] < 0x80 {
			return dst, ErrCanonSize
		}
		if b == nil {
			b = []byte{} // empty but not nil, as go-ethereum decodes it
		}
		return b, nil
	default:
		return dst, ErrExpectedString
	}
}

// stringView reads the next string or byte and returns its content, valid
// until the next read (see readView).
func (s *Stream) stringView() ([]byte, error) {
	k, size, err := s.Kind()
	if err != nil {
		return nil, err
	}
	switch k {
	case Byte:
		s.kindValid = false
		s.scratch[0] = s.byteval
		return s.scratch[:1], nil
	case String:
		s.kindValid = false
		b, err := s.readView(size)
		if err != nil {
			return nil, err
		}
		if size == 1 && b[0] < 0x80 {
			return nil, ErrCanonSize
		}
		return b, nil
	default:
		return nil, ErrExpectedString
	}
}

// Bytes reads a string (or single byte) and returns its content in a new
// slice. A one-byte string below 0x80 is rejected (ErrCanonSize).
func (s *Stream) Bytes() ([]byte, error) {
	return s.stringInto(nil)
}

// ReadBytes reads a string of exactly len(b) bytes into b.
func (s *Stream) ReadBytes(b []byte) error {
	k, size, err := s.Kind()
	if err != nil {
		return err
	}
	switch k {
	case Byte:
		if len(b) != 1 {
			return sizeError(1, len(b))
		}
		s.kindValid = false
		b[0] = s.byteval
		return nil
	case String:
		if size != uint64(len(b)) {
			return sizeError(size, len(b))
		}
		s.kindValid = false
		if err := s.readFull(b); err != nil {
			return err
		}
		if size == 1 && b[0] < 0x80 {
			return ErrCanonSize
		}
		return nil
	default:
		return ErrExpectedString
	}
}

func sizeError(got uint64, want int) error {
	if got < uint64(want) {
		return fmt.Errorf("%w: got %d bytes, want %d", ErrStringTooShort, got, want)
	}
	return fmt.Errorf("%w: got %d bytes, want %d", ErrStringTooLong, got, want)
}

// Raw reads the next value and returns its complete encoding, header
// included. The value is checked to be canonical, nested lists too.
func (s *Stream) Raw() ([]byte, error) {
	k, size, err := s.Kind()
	if err != nil {
		return nil, err
	}
	if k == Byte {
		s.kindValid = false
		return []byte{s.byteval}, nil
	}
	s.kindValid = false
	base := byte(0x80)
	if k == List {
		base = 0xC0
	}
	hs := headSize(size)
	var buf []byte
	if s.limited || size <= unlimitedChunk {
		// size was checked against the limit by Kind.
		buf = make([]byte, uint64(hs)+size)
		appendHead(buf[:0], base, size)
		if err := s.readFull(buf[hs:]); err != nil {
			return nil, err
		}
	} else {
		content, err := s.readNew(nil, size)
		if err != nil {
			return nil, err
		}
		buf = append(appendHead(make([]byte, 0, uint64(hs)+size), base, size), content...)
	}
	if k == String {
		if size == 1 && buf[hs] < 0x80 {
			return nil, ErrCanonSize
		}
	} else if err := checkValues(buf[hs:]); err != nil {
		return nil, err
	}
	return buf, nil
}

// Skip reads over the next value, checking it like Raw.
func (s *Stream) Skip() error {
	if !s.inmem {
		_, err := s.Raw()
		return err
	}
	k, size, err := s.Kind()
	if err != nil {
		return err
	}
	s.kindValid = false
	if k == Byte {
		return nil
	}
	b, err := s.readView(size)
	if err != nil {
		return err
	}
	if k == String {
		if size == 1 && b[0] < 0x80 {
			return ErrCanonSize
		}
		return nil
	}
	return checkValues(b)
}

// uint reads an unsigned integer of at most bits bits.
func (s *Stream) uint(bits int) (uint64, error) {
	k, size, err := s.Kind()
	if err != nil {
		return 0, err
	}
	switch k {
	case Byte:
		s.kindValid = false
		if s.byteval == 0 {
			return 0, ErrCanonInt
		}
		return uint64(s.byteval), nil
	case String:
		if size > uint64(bits/8) {
			return 0, ErrUintOverflow
		}
		s.kindValid = false
		if size == 0 {
			return 0, nil
		}
		b, err := s.readView(size)
		if err != nil {
			return 0, err
		}
		if size == 1 && b[0] < 0x80 {
			return 0, ErrCanonSize
		}
		if b[0] == 0 {
			return 0, ErrCanonInt
		}
		var x uint64
		for _, c := range b {
			x = x<<8 | uint64(c)
		}
		return x, nil
	default:
		return 0, ErrExpectedString
	}
}

// Uint64 reads an unsigned integer of up to 64 bits.
func (s *Stream) Uint64() (uint64, error) { return s.uint(64) }

// Uint32 reads an unsigned integer of up to 32 bits.
func (s *Stream) Uint32() (uint32, error) {
	x, err := s.uint(32)
	return uint32(x), err
}

// Uint16 reads an unsigned integer of up to 16 bits.
func (s *Stream) Uint16() (uint16, error) {
	x, err := s.uint(16)
	return uint16(x), err
}

// Uint8 reads an unsigned integer of up to 8 bits.
func (s *Stream) Uint8() (uint8, error) {
	x, err := s.uint(8)
	return uint8(x), err
}

// Bool reads a boolean: 01 is true, 80 is false, anything else an error.
func (s *Stream) Bool() (bool, error) {
	x, err := s.uint(8)
	if err != nil {
		return false, err
	}
	switch x {
	case 0:
		return false, nil
	case 1:
		return true, nil
	}
	return false, &decodeError{err: ErrInvalidBool, detail: fmt.Sprint(x)}
}

// BigInt reads a non-negative integer of any size.
func (s *Stream) BigInt() (*big.Int, error) {
	i := new(big.Int)
	if err := s.decodeBigInt(i); err != nil {
		return nil, err
	}
	return i, nil
}

func (s *Stream) decodeBigInt(dst *big.Int) error {
	b, err := s.stringView()
	if err != nil {
		return err
	}
	if len(b) > 0 && b[0] == 0 {
		return ErrCanonInt
	}
	dst.SetBytes(b)
	return nil
}
