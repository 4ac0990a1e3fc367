package rlp

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"math/big"
	"strings"
	"testing"
)

type testEncoder struct{ err error }

func (e *testEncoder) EncodeRLP(w io.Writer) error {
	if e == nil {
		_, err := w.Write([]byte{0x00, 0x00, 0x00, 0x00})
		return err
	}
	if e.err != nil {
		return e.err
	}
	_, err := w.Write([]byte{0x00, 0x01, 0x00, 0x01})
	return err
}

// byteEncoder is a byte type with its own encoding: slices of it are lists.
type byteEncoder byte

func (e byteEncoder) EncodeRLP(w io.Writer) error {
	_, err := w.Write(EmptyList)
	return err
}

// valueEncoder has a value-receiver EncodeRLP that nests Encode.
type valueEncoder struct{ A, B uint }

func (e valueEncoder) EncodeRLP(w io.Writer) error {
	return Encode(w, []uint{e.B, e.A})
}

type ptrMethodEncoder struct{ X uint }

func (e *ptrMethodEncoder) EncodeRLP(w io.Writer) error { return Encode(w, e.X+1) }

type (
	ignoredField struct {
		A uint
		B uint `rlp:"-"`
		C uint
	}
	unexportedField struct {
		A uint
		b uint
		C uint
	}
	nilStringPtr struct {
		P *[]uint `rlp:"nilString"`
	}
	nilListPtr struct {
		P *uint `rlp:"nilList"`
	}
	ptrFields struct {
		U   *uint
		S   *string
		B   *[]byte
		A   *[4]byte
		Bi  *big.Int
		Sl  *[]uint
		St  *simpleStruct
		Any *any
	}
	bigValue struct {
		X big.Int
	}
)

func TestEncode(t *testing.T) {
	big1 := new(big.Int).Lsh(big.NewInt(1), 100)
	var nilEnc *testEncoder
	tests := []struct {
		val  any
		want string
	}{
		{uint8(0), "80"}, {uint16(0x7f), "7f"}, {uint32(0x80), "8180"}, {uint64(0x0102), "820102"},
		{uint(0xffffffffffffffff), "88ffffffffffffffff"}, {uintptr(5), "05"},
		{true, "01"}, {false, "80"},
		{"", "80"}, {"a", "61"}, {"\x80", "8180"}, {strings.Repeat("a", 56), "b838" + strings.Repeat("61", 56)},
		{[]byte{}, "80"}, {[]byte(nil), "80"}, {[]byte{0x7f}, "7f"}, {[]byte{0x80}, "8180"},
		{[0]byte{}, "80"}, {[1]byte{0}, "00"}, {[1]byte{0x80}, "8180"}, {[2]byte{0, 0}, "820000"},
		{big.NewInt(0), "80"}, {(*big.Int)(nil), "80"}, {big1, "8d10000000000000000000000000"},
		{*big.NewInt(0x1234), "821234"}, {bigValue{*big.NewInt(1)}, "c101"}, {&bigValue{*big1}, "ce8d10000000000000000000000000"},
		{[]uint{}, "c0"}, {[]uint{1, 2, 3}, "c3010203"}, {[3]uint64{1, 2, 3}, "c3010203"}, {[]uint64(nil), "c0"},
		{[][]string{{"a"}, {}}, "c3c161c0"},
		{[]any{uint(1), "a", []any{}}, "c30161c0"}, {any(nil), "c0"}, {[]any{nil}, "c1c0"},
		{RawValue{0xc0}, "c0"}, {[]RawValue{{0x01}, {0xc1, 0x80}}, "c301c180"},
		{ignoredField{1, 2, 3}, "c20103"}, {unexportedField{1, 2, 3}, "c20103"},
		{&ptrFields{}, "c88080808080c0c0c0"},
		{nilStringPtr{}, "c180"}, {nilListPtr{}, "c1c0"},
		{&testEncoder{}, "00010001"}, {nilEnc, "c0"}, {[]*testEncoder{nil, {}}, "c5c000010001"},
		{[]byteEncoder{0, 1}, "c2c0c0"}, {valueEncoder{1, 2}, "c20201"}, {&valueEncoder{1, 2}, "c20201"},
		{ptrMethodEncoder{4}, "05"}, {[]ptrMethodEncoder{{1}}, "c102"},
		{&recStruct{1, &recStruct{2, nil}}, "c401c202c0"},
		{optionalAndTail{A: 1, Tail: []uint{}}, "c101"},
	}
	for _, tt := range tests {
		name := fmt.Sprintf("%T/%v", tt.val, tt.val)
		got, err := EncodeToBytes(tt.val)
		if err != nil {
			t.Errorf("%s: error %v", name, err)
			continue
		}
		if fmt.Sprintf("%x", got) != tt.want {
			t.Errorf("%s: got %x, want %s", name, got, tt.want)
		}
		// Encode to a writer gives the same bytes, and so does
		// AppendToBytes after a prefix.
		var w bytes.Buffer
		if err := Encode(&w, tt.val); err != nil || !bytes.Equal(w.Bytes(), got) {
			t.Errorf("%s: Encode wrote %x (%v)", name, w.Bytes(), err)
		}
		app, err := AppendToBytes([]byte{0xAA}, tt.val)
		if err != nil || !bytes.Equal(app, append([]byte{0xAA}, got...)) {
			t.Errorf("%s: AppendToBytes gave %x (%v)", name, app, err)
		}
	}
}

func TestEncodeErrors(t *testing.T) {
	encErr := errors.New("encoder failed")
	tests := []struct {
		val  any
		want string
	}{
		{big.NewInt(-1), "rlp: cannot encode negative big.Int"},
		{[]*big.Int{big.NewInt(-1)}, "rlp: cannot encode negative big.Int"},
		{int(1), "rlp: type int is not RLP-serializable"},
		{[]int{1}, "rlp: type int is not RLP-serializable"},
		{map[string]uint{}, "rlp: type map[string]uint is not RLP-serializable"},
		{struct{ F float64 }{}, "rlp: type float64 is not RLP-serializable"},
		{&testEncoder{err: encErr}, "encoder failed"},
		{struct {
			A uint `rlp:"optional"`
			B uint
		}{}, `must be "optional" or "tail"`},
		{struct {
			A []uint `rlp:"tail"`
			B uint
		}{}, `"tail" for struct { A []uint "rlp:\"tail\""; B uint }.A: must be on the last field`},
		{struct {
			A uint `rlp:"tail"`
		}{}, "field type is not a slice of values"},
		{struct {
			A uint `rlp:"nil"`
		}{}, "field is not a pointer"},
		{struct {
			A *uint `rlp:"bogus"`
		}{}, `invalid struct tag "bogus"`},
		{struct {
			A []uint `rlp:"optional,tail"`
		}{}, `also has "optional" tag`},
		{struct {
			A *uint `rlp:"-,nil"`
		}{}, "cannot be combined"},
	}
	for _, tt := range tests {
		_, err := EncodeToBytes(tt.val)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("%T: got error %v, want %q", tt.val, err, tt.want)
		}
	}
	if _, err := EncodeToBytes(big.NewInt(-5)); !errors.Is(err, ErrNegativeBigInt) {
		t.Errorf("negative big.Int: got %v", err)
	}
}

// TestEncodeLargeLists checks long-form list headers, including nested
// lists whose headers change size.
func TestEncodeLargeLists(t *testing.T) {
	inner := make([]uint, 60) // 60 bytes of content: long form
	for i := range inner {
		inner[i] = 1
	}
	val := [][]uint{inner, {}, inner}
	got, err := EncodeToBytes(val)
	if err != nil {
		t.Fatal(err)
	}
	one := "f83c" + strings.Repeat("01", 60)
	want := "f87d" + one + "c0" + one
	if fmt.Sprintf("%x", got) != want {
		t.Fatalf("got %x\nwant %s", got, want)
	}
	var back [][]uint
	if err := DecodeBytes(got, &back); err != nil || len(back) != 3 || len(back[2]) != 60 {
		t.Fatalf("decode: %v %v", back, err)
	}
}

func TestAppendUint64(t *testing.T) {
	for _, x := range []uint64{0, 1, 0x7f, 0x80, 0xff, 0x100, 0xffff, 1 << 32, 1<<64 - 1} {
		want, _ := EncodeToBytes(x)
		if got := AppendUint64([]byte{9}, x); !bytes.Equal(got, append([]byte{9}, want...)) {
			t.Errorf("%d: got %x, want 09%x", x, got, want)
		}
		if IntSize(x) != len(want) {
			t.Errorf("IntSize(%d) = %d, want %d", x, IntSize(x), len(want))
		}
	}
}

func TestEncodeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are inexact under -race")
	}
	p := newBenchPing()
	if n := testing.AllocsPerRun(100, func() { EncodeToBytes(p) }); n > 1 {
		t.Errorf("EncodeToBytes(ping) allocates %v times, want 1 (the result)", n)
	}
	var w bytes.Buffer
	w.Grow(1 << 10)
	if n := testing.AllocsPerRun(100, func() { w.Reset(); Encode(&w, p) }); n > 0 {
		t.Errorf("Encode(ping) allocates %v times, want 0", n)
	}
}

type countingWriter struct {
	bytes.Buffer
	writes int
}

func (w *countingWriter) Write(b []byte) (int, error) {
	w.writes++
	return w.Buffer.Write(b)
}

// TestEncodeSingleWrite: Encode hands the whole value to the writer at once.
func TestEncodeSingleWrite(t *testing.T) {
	var w countingWriter
	if err := Encode(&w, [][]uint{{1, 2}, {}, {3}}); err != nil {
		t.Fatal(err)
	}
	if w.writes != 1 || fmt.Sprintf("%x", w.Bytes()) != "c6c20102c0c103" {
		t.Errorf("%d writes of %x", w.writes, w.Bytes())
	}
}

func TestAppendUint64s(t *testing.T) {
	var xs []uint64
	for shift := range 64 {
		xs = append(xs, 1<<shift, 1<<shift-1, 1<<shift+1)
	}
	xs = append(xs, 0, 0x7f, 0x80, 1<<64-1)
	var want []byte
	for _, x := range xs {
		want = AppendUint64(want, x)
	}
	for i := range xs {
		// Every suffix, so the last value hits the end of the buffer.
		var w []byte
		for _, x := range xs[i:] {
			w = AppendUint64(w, x)
		}
		if got := appendUint64s([]byte{}, xs[i:]); !bytes.Equal(got, w) {
			t.Fatalf("suffix %d: got %x, want %x", i, got, w)
		}
	}
	if got := appendUint64s(nil, xs); !bytes.Equal(got, want) {
		t.Fatalf("got %x, want %x", got, want)
	}
}
