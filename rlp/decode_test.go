package rlp

import (
	"bytes"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"strings"
	"testing"
)

type testDecoder struct{ called bool }

func (d *testDecoder) DecodeRLP(s *Stream) error {
	if _, err := s.Raw(); err != nil {
		return err
	}
	d.called = true
	return nil
}

type decodeCtx struct {
	Outer struct {
		Inner []struct {
			N uint64
		}
	}
}

type nilTags struct {
	S *[]byte       `rlp:"nil"`
	L *simpleStruct `rlp:"nil"`
	X *uint         `rlp:"nilList"`
	Y *[]uint       `rlp:"nilString"`
}

func TestDecodeErrorMessages(t *testing.T) {
	tests := []struct {
		input string
		ptr   any
		want  string
		is    error
	}{
		{"820001", new(uint64), "rlp: non-canonical integer (leading zero bytes) for uint64", ErrCanonInt},
		{"c5c4c3c28300", new(decodeCtx), "rlp: element is larger than containing list for uint64, decoding into (rlp.decodeCtx).Outer.Inner[0].N", ErrElemTooLarge},
		{"c6c5c48300", new(decodeCtx), "rlp: value size exceeds available input length for rlp.decodeCtx", ErrValueTooLarge},
		{"c6c5c4c3820001", new(decodeCtx), "rlp: non-canonical integer (leading zero bytes) for uint64, decoding into (rlp.decodeCtx).Outer.Inner[0].N", ErrCanonInt},
		{"c5c4c3c20102", new(decodeCtx), "rlp: input list has too many elements for struct { N uint64 }, decoding into (rlp.decodeCtx).Outer.Inner[0]", ErrTooManyElements},
		{"c4c3c2c180", new(decodeCtx), "", nil},
		{"c7c50583343434c0", new([]*simpleStruct), "rlp: too few elements for rlp.simpleStruct, decoding into ([]*rlp.simpleStruct)[1]", ErrTooFewElements},
		{"c50102c20102", new(tailUint), "rlp: expected input string or byte for uint, decoding into (rlp.tailUint).Tail[1]", ErrExpectedString},
		{"02", new(bool), "rlp: invalid boolean value: 2 for bool", ErrInvalidBool},
		{"c0", new(string), "rlp: expected input string or byte for string", ErrExpectedString},
		{"80", new(simpleStruct), "rlp: expected input list for rlp.simpleStruct", ErrExpectedList},
		{"c180", new(nilTags), "rlp: too few elements for rlp.nilTags", ErrTooFewElements},
		{"c4c08080c0", new(nilTags), "rlp: wrong kind of empty value: got List, want String for *[]uint8, decoding into (rlp.nilTags).S", ErrNilEmptyKind},
		{"0102", new(uint64), "rlp: input contains more than one value", ErrMoreThanOneValue},
		{"", new(uint64), "EOF", io.EOF},
		{"88ffffffffffffffffff", new(uint32), "rlp: uint overflow for uint32", ErrUintOverflow},
		{"8100", new(uint8), "rlp: non-canonical size information for uint8", ErrCanonSize},
		{"c102", new([2]uint), "rlp: too few elements for [2]uint", ErrTooFewElements},
		{"820102", new([3]byte), "rlp: input string too short for [3]uint8", ErrStringTooShort},
	}
	for _, tt := range tests {
		err := DecodeBytes(unhex(t, tt.input), tt.ptr)
		if tt.want == "" {
			if err != nil {
				t.Errorf("%s into %T: unexpected error %v", tt.input, tt.ptr, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s into %T: no error, want %q", tt.input, tt.ptr, tt.want)
			continue
		}
		if !strings.HasPrefix(err.Error(), tt.want) {
			t.Errorf("%s into %T:\n got %q\nwant %q", tt.input, tt.ptr, err, tt.want)
		}
		if !errors.Is(err, tt.is) {
			t.Errorf("%s into %T: error %q is not %v", tt.input, tt.ptr, err, tt.is)
		}
	}
}

func TestDecodeNilTags(t *testing.T) {
	var v nilTags
	if err := DecodeBytes(unhex(t, "c480c0c080"), &v); err != nil {
		t.Fatal(err)
	}
	if v.S != nil || v.L != nil || v.X != nil || v.Y != nil {
		t.Errorf("empty values did not decode to nil pointers: %+v", v)
	}
	full := "c88180c2056105c180"
	if err := DecodeBytes(unhex(t, full+"80"), &v); !errors.Is(err, ErrMoreThanOneValue) {
		t.Errorf("accepted trailing data: %v", err)
	}
	if err := DecodeBytes(unhex(t, full), &v); err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(*v.S, []byte{0x80}) || v.L.A != 5 || v.L.B != "a" || *v.X != 5 || len(*v.Y) != 1 {
		t.Errorf("wrong values: %+v", v)
	}
	// Without a nil tag, an empty value decodes into a new zero value.
	var p struct{ U *uint }
	if err := DecodeBytes(unhex(t, "c180"), &p); err != nil || p.U == nil || *p.U != 0 {
		t.Errorf("got %v, %v", p.U, err)
	}
}

func TestDecodeIntoExisting(t *testing.T) {
	// Byte slices reuse their capacity.
	buf := make([]byte, 0, 16)
	v := struct{ B []byte }{buf}
	if err := DecodeBytes(unhex(t, "c483010203"), &v); err != nil {
		t.Fatal(err)
	}
	if &v.B[0] != &buf[:1][0] || !bytes.Equal(v.B, []byte{1, 2, 3}) {
		t.Errorf("did not reuse capacity: %x", v.B)
	}
	// Existing pointers are decoded into, not replaced.
	x := uint(7)
	p := struct{ P *uint }{&x}
	if err := DecodeBytes(unhex(t, "c109"), &p); err != nil || p.P != &x || x != 9 {
		t.Errorf("pointer replaced or not set: %v %v", p.P, err)
	}
	// Slices shrink to the decoded length.
	l := []uint{1, 2, 3, 4}
	if err := DecodeBytes(unhex(t, "c20506"), &l); err != nil || len(l) != 2 || l[1] != 6 {
		t.Errorf("got %v, %v", l, err)
	}
	// Absent optional fields are reset to zero.
	o := optionalFields{A: 1, B: 2, C: 3}
	if err := DecodeBytes(unhex(t, "c105"), &o); err != nil || o != (optionalFields{A: 5}) {
		t.Errorf("got %+v, %v", o, err)
	}
}

func TestDecodeInterfaces(t *testing.T) {
	var d testDecoder
	if err := DecodeBytes(unhex(t, "c3010203"), &d); err != nil || !d.called {
		t.Errorf("Decoder not called: %v", err)
	}
	var l []testDecoder
	if err := DecodeBytes(unhex(t, "c20102"), &l); err != nil || len(l) != 2 || !l[1].called {
		t.Errorf("Decoder elements: %v %v", l, err)
	}
	var x any
	if err := DecodeBytes(unhex(t, "c6827a77c10401"), &x); err != nil {
		t.Fatal(err)
	}
	want := []any{[]byte("zw"), []any{[]byte{4}}, []byte{1}}
	if !reflect.DeepEqual(x, want) {
		t.Errorf("got %#v", x)
	}
	var notEmpty io.Reader
	if err := DecodeBytes(unhex(t, "80"), &notEmpty); err == nil {
		t.Error("decoded into non-empty interface")
	}
}

func TestDecodeBigInt(t *testing.T) {
	var v struct {
		P *big.Int
		V big.Int
	}
	if err := DecodeBytes(unhex(t, "ca"+"8401020304"+"8405060708"), &v); err != nil {
		t.Fatal(err)
	}
	if v.P.Int64() != 0x01020304 || v.V.Int64() != 0x05060708 {
		t.Errorf("got %v %v", v.P, &v.V)
	}
	long := "a1" + "01" + strings.Repeat("00", 32)
	var b *big.Int
	if err := DecodeBytes(unhex(t, long), &b); err != nil || b.BitLen() != 257 {
		t.Errorf("got %v, %v", b, err)
	}
}

func TestDecodeNoPointer(t *testing.T) {
	for _, v := range []any{nil, uint(1), (*uint)(nil), []byte{}, (*[]byte)(nil), (*uint64)(nil)} {
		if err := DecodeBytes([]byte{0x80}, v); !errors.Is(err, ErrNoPointer) {
			t.Errorf("%T: got %v, want ErrNoPointer", v, err)
		}
	}
}

// TestDecodeAllocs checks the zero-allocation paths.
func TestDecodeAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("allocation counts are inexact under -race")
	}
	check := func(name string, input string, ptr any, max float64) {
		t.Helper()
		b := unhex(t, input)
		if n := testing.AllocsPerRun(100, func() {
			if err := DecodeBytes(b, ptr); err != nil {
				t.Fatal(err)
			}
		}); n > max {
			t.Errorf("%s allocates %v times, want <= %v", name, n, max)
		}
	}
	var u uint64
	var h [32]byte
	var bs []byte
	var ping benchPing
	enc, _ := EncodeToBytes(newBenchPing())
	l := make([]uint64, 0, 8)
	check("uint64", "8401020304", &u, 0)
	check("[32]byte", "a0"+strings.Repeat("ab", 32), &h, 0)
	check("[]byte reuse", "83010203", &bs, 0)
	check("ping reuse", hex.EncodeToString(enc), &ping, 0)
	check("[]uint64 reuse", "c3010203", &l, 0)
}

// TestDecodeHostileSizes: declared sizes far beyond the input must fail
// without allocating for them.
func TestDecodeHostileSizes(t *testing.T) {
	inputs := []string{
		"bbffffffff",         // string of 4 GiB
		"bfffffffffffffffff", // string of 2^64-1
		"fbffffffff01",       // list of 4 GiB
		"c8" + "bbffffffff",  // string inside a list
		"f90400" + "c0",      // 1 KiB list with one element
	}
	types := []any{new([]byte), new(any), new(string), new([]uint64), new(RawValue), new([]RawValue), new(*big.Int), new(benchPing)}
	for _, in := range inputs {
		for _, ptr := range types {
			b := unhex(t, in)
			var err error
			allocs := testing.AllocsPerRun(10, func() { err = DecodeBytes(b, ptr) })
			if err == nil {
				t.Errorf("%s into %T: no error", in, ptr)
			}
			if allocs > 4 && !raceEnabled {
				t.Errorf("%s into %T: %v allocations", in, ptr, allocs)
			}
		}
	}
}

// TestDecodeDeepNesting: nesting beyond maxListDepth is refused instead of
// recursing without bound.
func TestDecodeDeepNesting(t *testing.T) {
	deep := func(n int) []byte {
		b := []byte{0xC0}
		for range n {
			b = append(appendHead(nil, 0xC0, uint64(len(b))), b...)
		}
		return b
	}
	var x any
	if err := DecodeBytes(deep(maxListDepth-1), &x); err != nil {
		t.Errorf("depth %d: %v", maxListDepth, err)
	}
	for _, ptr := range []any{new(any), new(RawValue), new([]RawValue)} {
		if err := DecodeBytes(deep(maxListDepth+10), ptr); !errors.Is(err, ErrTooDeep) {
			t.Errorf("%T: got %v, want ErrTooDeep", ptr, err)
		}
	}
	// The same for a recursive struct: {1, {1, {1, ... nil}}}.
	rec := []byte{0xC0}
	for range maxListDepth + 10 {
		rec = append(appendHead(nil, 0xC0, uint64(len(rec)+1)), append([]byte{0x01}, rec...)...)
	}
	if err := DecodeBytes(rec, new(recStruct)); !errors.Is(err, ErrTooDeep) {
		t.Errorf("recStruct: got %v, want ErrTooDeep", err)
	}
}

// TestDecodeRawStrict: RawValue only accepts canonical nested values.
func TestDecodeRawStrict(t *testing.T) {
	for _, in := range []string{"c28105", "c3c28105", "c4c3820001", "c3c30102", "c2b800"} {
		var r RawValue
		err := DecodeBytes(unhex(t, in), &r)
		if in == "c4c3820001" {
			// Leading zeros inside a raw string are not an integer
			// matter: accepted.
			if err != nil {
				t.Errorf("%s: %v", in, err)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: accepted non-canonical raw value", in)
		}
	}
}

func ExampleDecodeBytes() {
	type Endpoint struct {
		IP       []byte
		UDP, TCP uint16
	}
	var e Endpoint
	err := DecodeBytes([]byte{0xC9, 0x84, 127, 0, 0, 1, 0x82, 0x76, 0x5F, 0x80}, &e)
	fmt.Println(e.IP, e.UDP, e.TCP, err)

	err = DecodeBytes([]byte{0xC5, 0x80, 0x82, 0x00, 0x01, 0x80}, &e)
	fmt.Println(err)
	// Output:
	// [127 0 0 1] 30303 0 <nil>
	// rlp: non-canonical integer (leading zero bytes) for uint16, decoding into (rlp.Endpoint).UDP
}
