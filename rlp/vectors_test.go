package rlp

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

// Go types for the type names used in testdata/rlp.json (see its "types").
type (
	simpleStruct struct {
		A uint
		B string
	}
	recStruct struct {
		I     uint
		Child *recStruct `rlp:"nil"`
	}
	tailRaw struct {
		A    uint
		Tail []RawValue `rlp:"tail"`
	}
	tailUint struct {
		A    uint
		Tail []uint `rlp:"tail"`
	}
	optionalFields struct {
		A uint
		B uint `rlp:"optional"`
		C uint `rlp:"optional"`
	}
	optionalAndTail struct {
		A    uint
		B    uint   `rlp:"optional"`
		Tail []uint `rlp:"tail"`
	}
	optionalPtrField struct {
		A uint
		B *[3]byte `rlp:"optional"`
	}
	bigStruct struct {
		I *big.Int
		B string
	}
)

// u256 stands in for a 256-bit integer type: a big.Int limited to 32 bytes.
type u256 struct{ big.Int }

func (u *u256) DecodeRLP(s *Stream) error {
	b, err := s.stringView()
	if err != nil {
		return err
	}
	if len(b) > 32 {
		return ErrUintOverflow
	}
	if len(b) > 0 && b[0] == 0 {
		return ErrCanonInt
	}
	u.SetBytes(b)
	return nil
}

func (u *u256) EncodeRLP(w io.Writer) error { return Encode(w, &u.Int) }

var vectorTypes = map[string]reflect.Type{
	"uint32":     reflect.TypeFor[uint32](),
	"uint64":     reflect.TypeFor[uint64](),
	"uint":       reflect.TypeFor[uint](),
	"bool":       reflect.TypeFor[bool](),
	"bigint":     reflect.TypeFor[*big.Int](),
	"uint256":    reflect.TypeFor[*u256](),
	"bytes":      reflect.TypeFor[[]byte](),
	"bytes0":     reflect.TypeFor[[0]byte](),
	"bytes1":     reflect.TypeFor[[1]byte](),
	"bytes3":     reflect.TypeFor[[3]byte](),
	"bytes5":     reflect.TypeFor[[5]byte](),
	"bytes57":    reflect.TypeFor[[57]byte](),
	"string":     reflect.TypeFor[string](),
	"[]string":   reflect.TypeFor[[]string](),
	"[][]string": reflect.TypeFor[[][]string](),
	"[]uint":     reflect.TypeFor[[]uint](),
	"[5]uint":    reflect.TypeFor[[5]uint](),
	"[0]uint":    reflect.TypeFor[[0]uint](),
	"[]raw":      reflect.TypeFor[[]RawValue](),
	"raw":        reflect.TypeFor[RawValue](),
	"any":        reflect.TypeFor[any](),

	"struct{A uint; B string}":                              reflect.TypeFor[simpleStruct](),
	"[]struct{A uint; B string}":                            reflect.TypeFor[[]*simpleStruct](),
	"struct{I uint; Child *self (nil = empty list)}":        reflect.TypeFor[recStruct](),
	"struct{A uint; Tail []raw (tail)}":                     reflect.TypeFor[tailRaw](),
	"struct{A uint; Tail []uint (tail)}":                    reflect.TypeFor[tailUint](),
	"struct{A uint; B uint (optional); C uint (optional)}":  reflect.TypeFor[optionalFields](),
	"struct{A uint; B uint (optional); Tail []uint (tail)}": reflect.TypeFor[optionalAndTail](),
	"struct{A uint; B *[3]byte (optional)}":                 reflect.TypeFor[optionalPtrField](),
	"struct{I bigint; B string}":                            reflect.TypeFor[bigStruct](),
}

var errorKinds = map[string]error{
	"non_canonical_size":    ErrCanonSize,
	"non_canonical_integer": ErrCanonInt,
	"value_too_large":       ErrValueTooLarge,
	"element_too_large":     ErrElemTooLarge,
	"uint_overflow":         ErrUintOverflow,
	"expected_string":       ErrExpectedString,
	"expected_list":         ErrExpectedList,
	"too_few_elements":      ErrTooFewElements,
	"too_many_elements":     ErrTooManyElements,
	"string_too_short":      ErrStringTooShort,
	"string_too_long":       ErrStringTooLong,
	"invalid_bool":          ErrInvalidBool,
	"unexpected_eof":        io.EOF,
	"trailing_data":         ErrMoreThanOneValue,
	"negative_integer":      ErrNegativeBigInt,
}

type vector struct {
	Name      string          `json:"name"`
	Type      string          `json:"type"`
	Value     json.RawMessage `json:"value"`
	Encoded   string          `json:"encoded"`
	Input     string          `json:"input"`
	Valid     bool            `json:"valid"`
	ErrorKind string          `json:"error_kind"`
	Direction string          `json:"direction"`
	Note      string          `json:"note"`
}

func loadVectors(t testing.TB) []vector {
	t.Helper()
	data, err := os.ReadFile("testdata/rlp.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct{ Vectors []vector }
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	return file.Vectors
}

func unhex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatalf("bad hex %q: %v", s, err)
	}
	return b
}

func TestVectors(t *testing.T) {
	vectors := loadVectors(t)
	if len(vectors) != 193 {
		t.Fatalf("loaded %d vectors, want 193", len(vectors))
	}
	var valid, invalid int
	for _, v := range vectors {
		t.Run(v.Name, func(t *testing.T) {
			typ, ok := vectorTypes[v.Type]
			if !ok {
				t.Fatalf("no Go type for %q", v.Type)
			}
			switch {
			case v.Valid:
				valid++
				testValidVector(t, v, typ)
			case v.Direction == "encode":
				invalid++
				val, err := jsonValue(typ, v.Value)
				if err != nil {
					t.Fatal(err)
				}
				_, err = EncodeToBytes(val.Interface())
				checkErrorKind(t, v, err)
			default:
				invalid++
				ptr := reflect.New(typ)
				err := DecodeBytes(unhex(t, v.Input), ptr.Interface())
				checkErrorKind(t, v, err)
				// The Stream must give the same verdict.
				err2 := NewStream(bytes.NewReader(unhex(t, v.Input)), 0).Decode(reflect.New(typ).Interface())
				if err2 == nil && v.ErrorKind != "trailing_data" {
					t.Errorf("Stream.Decode accepted invalid input")
				}
			}
		})
	}
	if valid != 113 || invalid != 80 {
		t.Errorf("ran %d valid and %d invalid vectors, want 113 and 80", valid, invalid)
	}
}

func testValidVector(t *testing.T, v vector, typ reflect.Type) {
	enc := unhex(t, v.Encoded)
	want, err := jsonValue(typ, v.Value)
	if err != nil {
		t.Fatal(err)
	}
	got, err := EncodeToBytes(want.Interface())
	if err != nil {
		t.Fatalf("encode: %v", err)
	}
	if !bytes.Equal(got, enc) {
		t.Errorf("encode: got %x, want %x", got, enc)
	}
	ptr := reflect.New(typ)
	if err := DecodeBytes(enc, ptr.Interface()); err != nil {
		t.Fatalf("decode: %v", err)
	}
	if !looseEqual(ptr.Elem(), want) {
		t.Errorf("decode: got %#v, want %#v", ptr.Elem(), want)
	}
	re, err := EncodeToBytes(ptr.Interface())
	if err != nil || !bytes.Equal(re, enc) {
		t.Errorf("re-encode: got %x (%v), want %x", re, err, enc)
	}
	// Reader-based Stream decoding gives the same value.
	ptr2 := reflect.New(typ)
	if err := Decode(struct{ io.Reader }{bytes.NewReader(enc)}, ptr2.Interface()); err != nil {
		t.Fatalf("decode from reader: %v", err)
	}
	if !looseEqual(ptr2.Elem(), want) {
		t.Errorf("decode from reader: got %#v, want %#v", ptr2.Elem(), want)
	}
}

func checkErrorKind(t *testing.T, v vector, err error) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", v.ErrorKind)
	}
	want := errorKinds[v.ErrorKind]
	if want == nil {
		t.Fatalf("unknown error kind %q", v.ErrorKind)
	}
	if errors.Is(err, want) {
		return
	}
	// The vectors allow value_too_large when an element overruns both its
	// list and the whole input.
	if v.ErrorKind == "element_too_large" && strings.Contains(v.Note, "value_too_large") && errors.Is(err, ErrValueTooLarge) {
		return
	}
	t.Errorf("got error %q, want kind %s (%v)", err, v.ErrorKind, want)
}

// jsonValue converts a vector's JSON value to a Go value of type typ.
func jsonValue(typ reflect.Type, raw json.RawMessage) (reflect.Value, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return reflect.Value{}, err
	}
	v := reflect.New(typ).Elem()
	return v, fillValue(v, x)
}

func fillValue(v reflect.Value, x any) error {
	typ := v.Type()
	switch {
	case typ == reflect.TypeFor[*big.Int]() || typ == reflect.TypeFor[*u256]():
		s, _ := x.(string)
		neg := strings.HasPrefix(s, "-")
		i, ok := new(big.Int).SetString(strings.TrimPrefix(strings.TrimPrefix(s, "-"), "0x"), 16)
		if !ok {
			return fmt.Errorf("bad integer %q", s)
		}
		if neg {
			i.Neg(i)
		}
		if typ == reflect.TypeFor[*u256]() {
			v.Set(reflect.ValueOf(&u256{*i}))
		} else {
			v.Set(reflect.ValueOf(i))
		}
		return nil
	}
	switch typ.Kind() {
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		n, err := strconv.ParseUint(string(x.(json.Number)), 10, 64)
		v.SetUint(n)
		return err
	case reflect.Bool:
		v.SetBool(x.(bool))
	case reflect.String:
		v.SetString(x.(string))
	case reflect.Pointer:
		if l, ok := x.([]any); x == nil || ok && len(l) == 0 && typ.Elem().Kind() == reflect.Struct {
			return nil // null, or [] for a nil struct pointer
		}
		v.Set(reflect.New(typ.Elem()))
		return fillValue(v.Elem(), x)
	case reflect.Interface:
		v.Set(reflect.ValueOf(anyValue(x)))
	case reflect.Slice, reflect.Array:
		if typ.Elem().Kind() == reflect.Uint8 {
			b, err := hex.DecodeString(x.(string))
			if err != nil {
				return err
			}
			if typ.Kind() == reflect.Slice {
				v.SetBytes(b)
			} else {
				reflect.Copy(v, reflect.ValueOf(b))
			}
			return nil
		}
		list := x.([]any)
		if typ.Kind() == reflect.Slice {
			v.Set(reflect.MakeSlice(typ, len(list), len(list)))
		}
		for i, e := range list {
			if err := fillValue(v.Index(i), e); err != nil {
				return err
			}
		}
	case reflect.Struct:
		list := x.([]any)
		for i, e := range list {
			if err := fillValue(v.Field(i), e); err != nil {
				return err
			}
		}
	default:
		return fmt.Errorf("unsupported type %v", typ)
	}
	return nil
}

func anyValue(x any) any {
	switch x := x.(type) {
	case string:
		b, _ := hex.DecodeString(x)
		return b
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = anyValue(e)
		}
		return out
	}
	panic(fmt.Sprintf("bad any value %v", x))
}

// looseEqual is reflect.DeepEqual, except that nil and empty slices are
// equal and big integers compare by value.
func looseEqual(a, b reflect.Value) bool {
	if a.Type() != b.Type() {
		return false
	}
	if a.Type() == reflect.TypeFor[big.Int]() {
		x, y := a.Interface().(big.Int), b.Interface().(big.Int)
		return x.Cmp(&y) == 0
	}
	switch a.Kind() {
	case reflect.Slice:
		if a.Len() != b.Len() {
			return false
		}
		for i := range a.Len() {
			if !looseEqual(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Array:
		for i := range a.Len() {
			if !looseEqual(a.Index(i), b.Index(i)) {
				return false
			}
		}
		return true
	case reflect.Pointer, reflect.Interface:
		if a.IsNil() || b.IsNil() {
			return a.IsNil() == b.IsNil()
		}
		return looseEqual(a.Elem(), b.Elem())
	case reflect.Struct:
		for i := range a.NumField() {
			if !a.Type().Field(i).IsExported() {
				continue
			}
			if !looseEqual(a.Field(i), b.Field(i)) {
				return false
			}
		}
		return true
	}
	return reflect.DeepEqual(a.Interface(), b.Interface())
}
