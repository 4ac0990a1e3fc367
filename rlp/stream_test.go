package rlp

import (
	"bufio"
	"bytes"
	"errors"
	"io"
	"runtime"
	"strings"
	"testing"
)

func TestStreamWalk(t *testing.T) {
	// [1, "dog", [2, []], 0x80]
	s := NewStream(bytes.NewReader(unhex(t, "cb0183646f67c202c0c08180")), 0)
	if k, size, err := s.Kind(); k != List || size != 11 || err != nil {
		t.Fatalf("Kind = %v %d %v", k, size, err)
	}
	if size, err := s.List(); size != 11 || err != nil {
		t.Fatalf("List = %d %v", size, err)
	}
	if x, err := s.Uint64(); x != 1 || err != nil {
		t.Fatalf("Uint64 = %d %v", x, err)
	}
	if k, size, _ := s.Kind(); k != String || size != 3 {
		t.Fatalf("Kind = %v %d", k, size)
	}
	if b, err := s.Bytes(); string(b) != "dog" || err != nil {
		t.Fatalf("Bytes = %q %v", b, err)
	}
	if err := s.ListEnd(); !errors.Is(err, errNotAtEOL) {
		t.Fatalf("early ListEnd = %v", err)
	}
	if _, err := s.List(); err != nil {
		t.Fatal(err)
	}
	if x, err := s.Uint8(); x != 2 || err != nil {
		t.Fatalf("Uint8 = %d %v", x, err)
	}
	if raw, err := s.Raw(); !bytes.Equal(raw, []byte{0xC0}) || err != nil {
		t.Fatalf("Raw = %x %v", raw, err)
	}
	if s.MoreDataInList() {
		t.Fatal("MoreDataInList at end of inner list")
	}
	if _, _, err := s.Kind(); err != EOL {
		t.Fatalf("Kind at end of list = %v, want EOL", err)
	}
	if err := s.ListEnd(); err != nil {
		t.Fatal(err)
	}
	if !s.MoreDataInList() {
		t.Fatal("no MoreDataInList in outer list")
	}
	if err := s.Skip(); err != nil {
		t.Fatal(err)
	}
	var b [1]byte
	if err := s.ReadBytes(b[:]); err != nil || b[0] != 0x80 {
		t.Fatalf("ReadBytes = %x %v", b, err)
	}
	if err := s.ListEnd(); err != nil {
		t.Fatal(err)
	}
	if _, _, err := s.Kind(); err != io.EOF {
		t.Fatalf("Kind at end of input = %v, want io.EOF", err)
	}
	if err := s.ListEnd(); !errors.Is(err, errNotInList) {
		t.Fatalf("ListEnd outside list = %v", err)
	}
}

func TestStreamErrors(t *testing.T) {
	type op func(*Stream) error
	uint32Op := func(s *Stream) error { _, err := s.Uint32(); return err }
	uint16Op := func(s *Stream) error { _, err := s.Uint16(); return err }
	bytesOp := func(s *Stream) error { _, err := s.Bytes(); return err }
	listOp := func(s *Stream) error { _, err := s.List(); return err }
	boolOp := func(s *Stream) error { _, err := s.Bool(); return err }
	bigOp := func(s *Stream) error { _, err := s.BigInt(); return err }
	rawOp := func(s *Stream) error { _, err := s.Raw(); return err }
	read3 := func(s *Stream) error { return s.ReadBytes(make([]byte, 3)) }
	tests := []struct {
		input string
		limit uint64
		op    op
		want  error
	}{
		{"850102030405", 0, uint32Op, ErrUintOverflow},
		{"83010203", 0, uint16Op, ErrUintOverflow},
		{"8105", 0, bytesOp, ErrCanonSize},
		{"8105", 0, rawOp, ErrCanonSize},
		{"c28105", 0, rawOp, ErrCanonSize},
		{"c0", 0, bytesOp, ErrExpectedString},
		{"80", 0, listOp, ErrExpectedList},
		{"02", 0, boolOp, ErrInvalidBool},
		{"00", 0, bigOp, ErrCanonInt},
		{"8200ff", 0, bigOp, ErrCanonInt},
		{"820102", 0, read3, ErrStringTooShort},
		{"8401020304", 0, read3, ErrStringTooLong},
		{"c0", 0, read3, ErrExpectedString},
		{"b90000", 0, bytesOp, ErrCanonSize},
		{"b838" + strings.Repeat("00", 56), 10, bytesOp, ErrValueTooLarge},
		{"8401020304", 3, bytesOp, ErrValueTooLarge},
		{"c401020304", 3, listOp, ErrValueTooLarge},
		{"", 0, bytesOp, io.EOF},
	}
	for _, tt := range tests {
		// Through a plain reader (no automatic limit) and in memory.
		s := NewStream(struct{ io.Reader }{bytes.NewReader(unhex(t, tt.input))}, tt.limit)
		if err := tt.op(s); !errors.Is(err, tt.want) {
			t.Errorf("%s (limit %d): got %v, want %v", tt.input, tt.limit, err, tt.want)
		}
		if tt.limit == 0 {
			s = NewBytesStream(unhex(t, tt.input))
			if err := tt.op(s); !errors.Is(err, tt.want) {
				t.Errorf("%s in memory: got %v, want %v", tt.input, err, tt.want)
			}
		}
	}
}

// TestStreamAutoLimit: readers that know their length give the limit.
func TestStreamAutoLimit(t *testing.T) {
	in := unhex(t, "bbffffffff0102")
	readers := []io.Reader{bytes.NewReader(in), bytes.NewBuffer(in), strings.NewReader(string(in))}
	for _, r := range readers {
		s := NewStream(r, 0)
		if _, err := s.Bytes(); !errors.Is(err, ErrValueTooLarge) {
			t.Errorf("%T: got %v, want ErrValueTooLarge", r, err)
		}
	}
	// An explicit limit larger than the reader's length: the smaller wins.
	s := NewStream(bytes.NewReader(unhex(t, "830102")), 100)
	if _, err := s.Bytes(); !errors.Is(err, ErrValueTooLarge) {
		t.Errorf("got %v, want ErrValueTooLarge", err)
	}
}

// endlessReader yields zero bytes forever.
type endlessReader struct{}

func (endlessReader) Read(b []byte) (int, error) { clear(b); return len(b), nil }

// TestStreamHostileSizeUnlimited: without any limit, a declared size of
// 4 GiB with only a few bytes behind it must not allocate 4 GiB.
func TestStreamHostileSizeUnlimited(t *testing.T) {
	in := unhex(t, "bbffffffff0102")
	var before, after runtime.MemStats
	runtime.ReadMemStats(&before)
	for _, op := range []func(*Stream) error{
		func(s *Stream) error { _, err := s.Bytes(); return err },
		func(s *Stream) error { _, err := s.Raw(); return err },
		func(s *Stream) error { var x any; return s.Decode(&x) },
	} {
		s := NewStream(struct{ io.Reader }{bytes.NewReader(in)}, 0)
		if err := op(s); !errors.Is(err, io.ErrUnexpectedEOF) {
			t.Errorf("got %v, want io.ErrUnexpectedEOF", err)
		}
	}
	runtime.ReadMemStats(&after)
	if grew := after.TotalAlloc - before.TotalAlloc; grew > 4<<20 {
		t.Errorf("allocated %d bytes for a 7-byte input", grew)
	}
	// With a limit, an endless reader is cut off at the limit.
	s := NewStream(endlessReader{}, 1000)
	if _, err := s.Raw(); err != nil {
		t.Fatal(err) // 0x00 is a valid single byte
	}
	s = NewStream(io.MultiReader(bytes.NewReader(unhex(t, "b90800")), endlessReader{}), 1000)
	if _, err := s.Bytes(); !errors.Is(err, ErrValueTooLarge) {
		t.Errorf("got %v, want ErrValueTooLarge", err)
	}
	// Unlimited, a large string that is really sent is read completely.
	big := append(unhex(t, "ba100000"), bytes.Repeat([]byte{7}, 0x100000)...)
	s = NewStream(bufio.NewReader(bytes.NewReader(big)), 0)
	s.Reset(struct{ io.Reader }{bytes.NewReader(big)}, 0)
	if b, err := s.Bytes(); err != nil || len(b) != 0x100000 || b[len(b)-1] != 7 {
		t.Errorf("got %d bytes, %v", len(b), err)
	}
}

func TestStreamDecodeSequence(t *testing.T) {
	var buf bytes.Buffer
	for i := range uint64(300) {
		if err := Encode(&buf, []uint64{i, i * i}); err != nil {
			t.Fatal(err)
		}
	}
	s := NewStream(&buf, 0)
	for i := uint64(0); ; i++ {
		var v []uint64
		err := s.Decode(&v)
		if err == io.EOF {
			if i != 300 {
				t.Fatalf("EOF after %d values", i)
			}
			break
		}
		if err != nil || len(v) != 2 || v[0] != i || v[1] != i*i {
			t.Fatalf("value %d: %v %v", i, v, err)
		}
	}
}

func TestStreamReset(t *testing.T) {
	s := NewBytesStream(unhex(t, "c3010203"))
	if _, err := s.List(); err != nil {
		t.Fatal(err)
	}
	s.Reset(bytes.NewReader([]byte{0x05}), 0)
	if x, err := s.Uint64(); x != 5 || err != nil {
		t.Fatalf("after Reset: %d %v", x, err)
	}
	s.ResetBytes([]byte{0x06})
	if x, err := s.Uint64(); x != 6 || err != nil {
		t.Fatalf("after ResetBytes: %d %v", x, err)
	}
}

func TestStreamTruncatedUnlimited(t *testing.T) {
	// Input ends in the middle of a list: io.ErrUnexpectedEOF, not EOF.
	s := NewStream(struct{ io.Reader }{bytes.NewReader(unhex(t, "c30102"))}, 0)
	var v []uint
	if err := s.Decode(&v); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("got %v, want io.ErrUnexpectedEOF", err)
	}
}
