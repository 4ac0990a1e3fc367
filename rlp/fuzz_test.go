package rlp

import (
	"bytes"
	"encoding/hex"
	"io"
	"math/big"
	"reflect"
	"testing"
)

// fuzzTypes are the representative targets FuzzDecode decodes into.
var fuzzTypes = []reflect.Type{
	reflect.TypeFor[any](),
	reflect.TypeFor[optionalAndTail](),
	reflect.TypeFor[[]uint64](),
	reflect.TypeFor[*big.Int](),
	reflect.TypeFor[benchPing](),
	reflect.TypeFor[recStruct](),
	reflect.TypeFor[[]RawValue](),
	reflect.TypeFor[optionalPtrField](),
}

// FuzzDecode decodes random bytes into several types. It must never panic;
// whatever decodes must re-encode to the same bytes (the decoder accepts
// only canonical input), and in-memory and reader-based decoding must agree.
func FuzzDecode(f *testing.F) {
	for _, v := range loadVectors(f) {
		for _, h := range []string{v.Encoded, v.Input} {
			if b, err := hex.DecodeString(h); err == nil && h != "" {
				f.Add(b)
			}
		}
	}
	f.Add([]byte{})
	f.Fuzz(func(t *testing.T, input []byte) {
		for _, typ := range fuzzTypes {
			fuzzOne(t, typ, input)
		}
		// The zero-copy helpers must not panic either, and agree with
		// the decoder about well-formed values.
		var x any
		if err := DecodeBytes(input, &x); err == nil {
			if k, _, rest, err := Split(input); err != nil || len(rest) != 0 {
				t.Fatalf("Split(%x) = %v, %v, %x; but DecodeBytes accepts it", input, k, err, rest)
			}
		}
		CountValues(input)
		for _, err := range Values(input) {
			if err != nil {
				break
			}
		}
	})
}

func fuzzOne(t *testing.T, typ reflect.Type, input []byte) {
	ptr := reflect.New(typ)
	err := DecodeBytes(input, ptr.Interface())

	// The same input through a reader-based Stream with the input
	// length as limit must give the same verdict.
	s := NewStream(struct{ io.Reader }{bytes.NewReader(input)}, uint64(len(input)))
	err2 := s.Decode(reflect.New(typ).Interface())
	if err2 == nil {
		if _, _, kerr := s.Kind(); kerr != io.EOF {
			err2 = ErrMoreThanOneValue
		}
	}
	if (err == nil) != (err2 == nil) {
		t.Fatalf("%v: DecodeBytes and Stream disagree on %x: %v / %v", typ, input, err, err2)
	}
	if err != nil {
		return
	}
	enc, err := EncodeToBytes(ptr.Interface())
	if err != nil {
		t.Fatalf("%v: cannot re-encode value decoded from %x: %v", typ, input, err)
	}
	if bytes.Equal(enc, input) {
		return
	}
	// The only accepted difference: optional fields present in the input
	// with zero values are left out when encoding.
	if !hasOptional(typ) || len(enc) >= len(input) {
		t.Fatalf("%v: decoded %x, re-encoded %x", typ, input, enc)
	}
	again := reflect.New(typ)
	if err := DecodeBytes(enc, again.Interface()); err != nil || !looseEqual(again.Elem(), ptr.Elem()) {
		t.Fatalf("%v: re-encoding %x of %x decodes differently (%v)", typ, enc, input, err)
	}
}

func hasOptional(typ reflect.Type) bool {
	if typ.Kind() != reflect.Struct {
		return false
	}
	for i := range typ.NumField() {
		if typ.Field(i).Tag.Get("rlp") == "optional" {
			return true
		}
	}
	return false
}
