package rlp

import (
	"encoding/binary"
	"io"
	"iter"
)

// RawValue is an already-encoded RLP value. It is written as is when
// encoding and receives the complete encoding of one value when decoding.
type RawValue []byte

// AppendUint64 appends the RLP encoding of i to b.
func AppendUint64(b []byte, i uint64) []byte {
	switch {
	case i == 0:
		return append(b, 0x80)
	case i < 0x80:
		return append(b, byte(i))
	}
	// One store of all eight bytes, then a single append of the header
	// and the significant bytes.
	var buf [9]byte
	binary.BigEndian.PutUint64(buf[1:], i)
	n := intSize(i)
	buf[8-n] = 0x80 + byte(n)
	return append(b, buf[8-n:]...)
}

// ListSize returns the encoded size of a list whose content (the encoded
// elements) is contentSize bytes.
func ListSize(contentSize uint64) uint64 {
	return uint64(headSize(contentSize)) + contentSize
}

// IntSize returns the encoded size of the integer x.
func IntSize(x uint64) int {
	if x < 0x80 {
		return 1
	}
	return 1 + intSize(x)
}

// Split returns the kind and content of the first value in b and the bytes
// after it. For Byte the content is the byte itself. The header is checked
// to be canonical.
func Split(b []byte) (k Kind, content, rest []byte, err error) {
	k, ts, cs, err := readHead(b)
	if err != nil {
		return 0, nil, b, err
	}
	return k, b[ts : ts+cs], b[ts+cs:], nil
}

// SplitString splits off the first value, which must be a string or byte.
func SplitString(b []byte) (content, rest []byte, err error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return nil, b, err
	}
	if k == List {
		return nil, b, ErrExpectedString
	}
	return content, rest, nil
}

// SplitList splits off the first value, which must be a list, and returns
// its content.
func SplitList(b []byte) (content, rest []byte, err error) {
	k, content, rest, err := Split(b)
	if err != nil {
		return nil, b, err
	}
	if k != List {
		return nil, b, ErrExpectedList
	}
	return content, rest, nil
}

// SplitUint64 decodes an integer at the start of b.
func SplitUint64(b []byte) (x uint64, rest []byte, err error) {
	content, rest, err := SplitString(b)
	if err != nil {
		return 0, b, err
	}
	switch {
	case len(content) == 0:
		return 0, rest, nil
	case content[0] == 0:
		return 0, b, ErrCanonInt
	case len(content) > 8:
		return 0, b, ErrUintOverflow
	}
	for _, c := range content {
		x = x<<8 | uint64(c)
	}
	return x, rest, nil
}

// CountValues counts the encoded values in b (typically a list's content).
// Nested lists are not inspected.
func CountValues(b []byte) (int, error) {
	n := 0
	for len(b) > 0 {
		_, ts, cs, err := readHead(b)
		if err != nil {
			return 0, err
		}
		b = b[ts+cs:]
		n++
	}
	return n, nil
}

// Values iterates over the encoded values in b (typically a list's content
// from SplitList), yielding each value's complete encoding. Nested lists
// are not inspected. On malformed input it yields the error and stops.
func Values(b []byte) iter.Seq2[[]byte, error] {
	return func(yield func([]byte, error) bool) {
		for len(b) > 0 {
			_, ts, cs, err := readHead(b)
			if err != nil {
				yield(nil, err)
				return
			}
			if !yield(b[:ts+cs], nil) {
				return
			}
			b = b[ts+cs:]
		}
	}
}

// Elems iterates over the elements of the encoded list, which must be the
// only value in list. It yields each element's complete encoding.
func Elems(list []byte) iter.Seq2[[]byte, error] {
	content, rest, err := SplitList(list)
	if err == nil && len(rest) > 0 {
		err = ErrMoreThanOneValue
	}
	if err != nil {
		return func(yield func([]byte, error) bool) { yield(nil, err) }
	}
	return Values(content)
}

// readHead parses the header of the first value in buf: its kind, the
// header size and the content size. It rejects non-canonical headers and
// content that extends past buf.
func readHead(buf []byte) (k Kind, tagsize, contentsize int, err error) {
	if len(buf) == 0 {
		return 0, 0, 0, io.ErrUnexpectedEOF
	}
	var size uint64
	b := buf[0]
	switch {
	case b < 0x80:
		return Byte, 0, 1, nil
	case b < 0xB8:
		k, tagsize, size = String, 1, uint64(b-0x80)
		if size == 1 && len(buf) > 1 && buf[1] < 0x80 {
			return 0, 0, 0, ErrCanonSize
		}
	case b < 0xC0:
		k, tagsize = String, 1+int(b-0xB7)
		size, err = readSizeBytes(buf, tagsize)
	case b < 0xF8:
		k, tagsize, size = List, 1, uint64(b-0xC0)
	default:
		k, tagsize = List, 1+int(b-0xF7)
		size, err = readSizeBytes(buf, tagsize)
	}
	if err != nil {
		return 0, 0, 0, err
	}
	if size > uint64(len(buf)-tagsize) {
		return 0, 0, 0, ErrValueTooLarge
	}
	return k, tagsize, int(size), nil
}

// readSizeBytes reads the size of a long-form header of tagsize bytes.
func readSizeBytes(buf []byte, tagsize int) (uint64, error) {
	if len(buf) < tagsize {
		return 0, ErrValueTooLarge
	}
	if buf[1] == 0 {
		return 0, ErrCanonSize
	}
	var size uint64
	for _, c := range buf[1:tagsize] {
		size = size<<8 | uint64(c)
	}
	if size < 56 {
		return 0, ErrCanonSize
	}
	return size, nil
}

// checkValues checks that b is a sequence of canonical values and that
// every nested list holds exactly its elements. It walks the structure
// iteratively, so nesting depth costs no stack.
func checkValues(b []byte) error {
	var endsBuf [16]int
	ends := endsBuf[:0] // end offsets of the enclosing lists
	pos, end := 0, len(b)
	for {
		for pos == end {
			if len(ends) == 0 {
				return nil
			}
			end = ends[len(ends)-1]
			ends = ends[:len(ends)-1]
		}
		k, ts, cs, err := readHead(b[pos:end])
		if err == ErrValueTooLarge {
			err = ErrElemTooLarge
		}
		if err != nil {
			return err
		}
		if k == List {
			if len(ends) >= maxListDepth {
				return ErrTooDeep
			}
			ends = append(ends, end)
			end = pos + ts + cs
			pos += ts
		} else {
			pos += ts + cs
		}
	}
}
