package rlp

import (
	"bufio"
	"io"
	"reflect"
)

// maxListDepth bounds how deeply lists may nest in decoded input. Without a
// bound, input like c1c1c1... makes the recursive decoders (into `any` or a
// recursive struct) use stack proportional to the input size, and Go aborts
// the whole process when a goroutine stack passes 1 GB. Real devp2p
// messages nest fewer than ten levels; this value is our own choice.
const maxListDepth = 1024

// unlimitedChunk is how many bytes (64 KiB) are allocated at a time when a
// string is read from a reader without input limit, so that memory grows
// with the bytes actually received rather than with a declared size.
const unlimitedChunk = 64 << 10

// ByteReader is the reader a Stream reads from. Readers without ReadByte are
// wrapped in a bufio.Reader.
type ByteReader interface {
	io.Reader
	io.ByteReader
}

// Stream reads RLP values one piece at a time. It enforces canonical
// encoding, keeps track of the open lists, and never reads past an element's
// list or past the input limit. A Stream is not safe for concurrent use.
type Stream struct {
	// Input: either an in-memory slice (inmem) or a reader.
	inmem bool
	data  []byte
	pos   int
	r     ByteReader
	bufr  *bufio.Reader // reused wrapper for non-ByteReaders

	limited   bool
	remaining uint64   // input bytes left before the limit (inmem: len(data)-pos)
	stack     []uint64 // content bytes left in each open list, innermost last

	// The header of the next value, read by Kind.
	kindValid bool
	kind      Kind
	size      uint64
	byteval   byte
	kindErr   error

	scratch [32]byte
}

// NewStream creates a Stream reading from r. If inputLimit is > 0, no value
// may extend beyond inputLimit bytes from the current position. If r has a
// Len method (*bytes.Reader, *bytes.Buffer, *strings.Reader), its remaining
// length is used as the limit (or the smaller of the two). With neither, reads are
// unlimited, but memory still only grows with the bytes actually received.
func NewStream(r io.Reader, inputLimit uint64) *Stream {
	s := new(Stream)
	s.Reset(r, inputLimit)
	return s
}

// NewBytesStream creates a Stream over an in-memory input. It is the fastest
// way to read values from a byte slice; the limit is len(b).
func NewBytesStream(b []byte) *Stream {
	s := new(Stream)
	s.ResetBytes(b)
	return s
}

// Reset discards all state and makes the Stream read from r, as NewStream.
func (s *Stream) Reset(r io.Reader, inputLimit uint64) {
	s.resetState()
	s.inmem, s.data, s.pos = false, nil, 0
	s.limited, s.remaining = inputLimit > 0, inputLimit
	// Readers that know how much they hold (*bytes.Reader, *bytes.Buffer,
	// *strings.Reader and others with a Len method) bound the input.
	n := -1
	if lr, ok := r.(interface{ Len() int }); ok {
		n = lr.Len()
	}
	if n >= 0 && (!s.limited || uint64(n) < s.remaining) {
		s.limited, s.remaining = true, uint64(n)
	}
	if br, ok := r.(ByteReader); ok {
		s.r = br
	} else if r == nil {
		s.r = nil
	} else {
		if s.bufr == nil {
			s.bufr = bufio.NewReader(r)
		} else {
			s.bufr.Reset(r)
		}
		s.r = s.bufr
	}
}

// ResetBytes discards all state and makes the Stream read from b.
func (s *Stream) ResetBytes(b []byte) {
	s.resetState()
	s.inmem, s.data, s.pos = true, b, 0
	s.r = nil
	s.limited, s.remaining = true, uint64(len(b))
}

func (s *Stream) resetState() {
	s.stack = s.stack[:0]
	s.kindValid = false
	s.kindErr = nil
}

// release drops references to the input so a pooled Stream does not keep it alive.
func (s *Stream) release() {
	s.data, s.r = nil, nil
	if s.bufr != nil {
		s.bufr.Reset(nil)
	}
}

// Kind returns the kind and content size of the next value without
// consuming it (its header is read and remembered). For Byte the size is 0.
// At the end of a list Kind returns EOL; at the end of the input io.EOF.
func (s *Stream) Kind() (Kind, uint64, error) {
	if s.kindValid {
		return s.kind, s.size, s.kindErr
	}
	depth := len(s.stack)
	if depth > 0 && s.stack[depth-1] == 0 {
		return 0, 0, EOL
	}
	k, size, err := s.readKind()
	if err == nil {
		// The list check comes first: an element overrunning its list
		// is reported as such even when it also overruns the input.
		if depth > 0 && size > s.stack[depth-1] {
			err = ErrElemTooLarge
		} else if s.limited && size > s.remaining {
			err = ErrValueTooLarge
		}
	}
	s.kindValid, s.kind, s.size, s.kindErr = true, k, size, err
	return k, size, err
}

func (s *Stream) readKind() (Kind, uint64, error) {
	if len(s.stack) == 0 && s.limited && s.remaining == 0 {
		return 0, 0, io.EOF
	}
	var b byte
	if s.inmem {
		// Fast path. A byte is available: at top level by the check
		// above, inside a list because Kind saw the list non-empty and
		// a list never extends past the input.
		b = s.data[s.pos]
		s.pos++
		s.remaining--
		if d := len(s.stack); d > 0 {
			s.stack[d-1]--
		}
	} else {
		var err error
		if b, err = s.readByte(); err != nil {
			if err == io.ErrUnexpectedEOF && len(s.stack) == 0 && !s.limited {
				err = io.EOF // clean end of an unlimited reader between values
			}
			return 0, 0, err
		}
	}
	s.byteval = 0
	switch {
	case b < 0x80:
		s.byteval = b
		return Byte, 0, nil
	case b < 0xB8:
		return String, uint64(b - 0x80), nil
	case b < 0xC0:
		size, err := s.readSize(b - 0xB7)
		return String, size, err
	case b < 0xF8:
		return List, uint64(b - 0xC0), nil
	default:
		size, err := s.readSize(b - 0xF7)
		return List, size, err
	}
}

// readSize reads the n-byte size of a long-form header and rejects sizes
// that are not minimal: leading zero bytes, or a size below 56 that fits in
// the short form.
func (s *Stream) readSize(n byte) (uint64, error) {
	b, err := s.readView(uint64(n))
	if err != nil {
		return 0, err
	}
	if b[0] == 0 {
		return 0, ErrCanonSize
	}
	var size uint64
	for _, c := range b {
		size = size<<8 | uint64(c)
	}
	if size < 56 {
		return 0, ErrCanonSize
	}
	return size, nil
}

// willRead charges n bytes to the innermost list and the input limit.
func (s *Stream) willRead(n uint64) error {
	if d := len(s.stack); d > 0 {
		if n > s.stack[d-1] {
			return ErrElemTooLarge
		}
		s.stack[d-1] -= n
	}
	if s.limited {
		if n > s.remaining {
			return ErrValueTooLarge
		}
		s.remaining -= n
	}
	return nil
}

func (s *Stream) readByte() (byte, error) {
	if err := s.willRead(1); err != nil {
		return 0, err
	}
	if s.inmem {
		b := s.data[s.pos]
		s.pos++
		return b, nil
	}
	if s.r == nil {
		return 0, io.ErrUnexpectedEOF
	}
	b, err := s.r.ReadByte()
	if err == io.EOF {
		err = io.ErrUnexpectedEOF
	}
	return b, err
}

// readFull fills b from the input.
func (s *Stream) readFull(b []byte) error {
	if err := s.willRead(uint64(len(b))); err != nil {
		return err
	}
	if s.inmem {
		s.pos += copy(b, s.data[s.pos:])
		return nil
	}
	if s.r == nil {
		return io.ErrUnexpectedEOF
	}
	if _, err := io.ReadFull(s.r, b); err != nil {
		if err == io.EOF {
			err = io.ErrUnexpectedEOF
		}
		return err
	}
	return nil
}

// readView returns the next n input bytes. The slice is only valid until
// the next read: it points into the input (in memory) or into scratch.
// Larger reads from a reader get a new buffer.
func (s *Stream) readView(n uint64) ([]byte, error) {
	if s.inmem {
		if err := s.willRead(n); err != nil {
			return nil, err
		}
		b := s.data[s.pos : s.pos+int(n)]
		s.pos += int(n)
		return b, nil
	}
	if n <= uint64(len(s.scratch)) {
		b := s.scratch[:n]
		return b, s.readFull(b)
	}
	return s.readNew(nil, n)
}

// readNew reads n bytes into dst (reusing its capacity) or a new slice.
// Without an input limit, the buffer grows in chunks as data arrives, so a
// huge declared size cannot allocate memory the peer never sends.
func (s *Stream) readNew(dst []byte, n uint64) ([]byte, error) {
	if uint64(cap(dst)) >= n {
		dst = dst[:n]
		return dst, s.readFull(dst)
	}
	if s.limited || n <= unlimitedChunk {
		// n was checked against the limit by Kind, so it is backed by input.
		dst = make([]byte, n)
		return dst, s.readFull(dst)
	}
	dst = dst[:0]
	for uint64(len(dst)) < n {
		chunk := min(n-uint64(len(dst)), max(unlimitedChunk, uint64(len(dst))))
		start := len(dst)
		dst = append(dst, make([]byte, chunk)...)
		if err := s.readFull(dst[start:]); err != nil {
			return nil, err
		}
	}
	return dst, nil
}

// List starts reading a list and returns its content size. Read the
// elements, then call ListEnd.
func (s *Stream) List() (size uint64, err error) {
	k, size, err := s.Kind()
	if err != nil {
		return 0, err
	}
	if k != List {
		return 0, ErrExpectedList
	}
	if len(s.stack) >= maxListDepth {
		return 0, ErrTooDeep
	}
	s.kindValid = false
	// The enclosing list pays for the whole content now; the new list's
	// own budget is charged as its elements are read.
	if d := len(s.stack); d > 0 {
		s.stack[d-1] -= size
	}
	s.stack = append(s.stack, size)
	return size, nil
}

// ListEnd finishes the current list. It fails if elements are left.
func (s *Stream) ListEnd() error {
	d := len(s.stack)
	if d == 0 {
		return errNotInList
	}
	if s.stack[d-1] > 0 {
		return errNotAtEOL
	}
	s.stack = s.stack[:d-1]
	s.kindValid = false
	return nil
}

// MoreDataInList reports whether the current list has elements left.
func (s *Stream) MoreDataInList() bool {
	d := len(s.stack)
	return d > 0 && s.stack[d-1] > 0
}

// Decode decodes the next value into val, which must be a non-nil pointer.
// See the package documentation for the rules.
func (s *Stream) Decode(val any) error {
	switch v := val.(type) {
	case nil:
		return ErrNoPointer
	case Decoder:
		if rv := reflect.ValueOf(val); rv.Kind() == reflect.Pointer && !rv.IsNil() {
			return v.DecodeRLP(s)
		}
	case *[]byte:
		if v == nil {
			return ErrNoPointer
		}
		b, err := s.stringInto(*v)
		if err != nil {
			return wrapStreamErr(err, byteSliceType)
		}
		*v = b
		return nil
	case *uint64:
		if v == nil {
			return ErrNoPointer
		}
		x, err := s.uint(64)
		if err != nil {
			return wrapStreamErr(err, uint64Type)
		}
		*v = x
		return nil
	}
	return s.decodeReflect(val)
}
