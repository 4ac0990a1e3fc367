package rlp

import (
	"fmt"
	"io"
	"math/big"
	"reflect"
	"strconv"
	"sync"
	"unsafe"
)

// Decoder is implemented by types that decode themselves. DecodeRLP must
// read exactly one value from the Stream.
type Decoder interface {
	DecodeRLP(*Stream) error
}

var streamPool = sync.Pool{New: func() any { return new(Stream) }}

// Decode reads one value from r and stores it in val, which must be a
// non-nil pointer. It does not check for data after the value. The input
// limit is taken from r if it has a Len method (*bytes.Reader,
// *bytes.Buffer, *strings.Reader); use NewStream to set one otherwise.
func Decode(r io.Reader, val any) error {
	s := streamPool.Get().(*Stream)
	s.Reset(r, 0)
	err := s.Decode(val)
	s.release()
	streamPool.Put(s)
	return err
}

// DecodeBytes decodes b, which must hold exactly one value, into val, a
// non-nil pointer. Data after the value is an error (ErrMoreThanOneValue).
func DecodeBytes(b []byte, val any) error {
	s := streamPool.Get().(*Stream)
	s.ResetBytes(b)
	err := s.Decode(val)
	if err == nil && s.pos < len(b) {
		err = ErrMoreThanOneValue
	}
	s.release()
	streamPool.Put(s)
	return err
}

var (
	byteSliceType = reflect.TypeFor[[]byte]()
	uint64Type    = reflect.TypeFor[uint64]()
)

func (s *Stream) decodeReflect(val any) error {
	rval := reflect.ValueOf(val)
	rtyp := rval.Type()
	if rtyp.Kind() != reflect.Pointer || rval.IsNil() {
		return fmt.Errorf("%w (got %v)", ErrNoPointer, rtyp)
	}
	info := cachedTypeInfo(rtyp.Elem())
	if info.decoderErr != nil {
		return info.decoderErr
	}
	err := info.decoder(s, rval.Elem())
	if de, ok := err.(*decodeError); ok && len(de.ctx) > 0 {
		de.ctx = append(de.ctx, "("+rtyp.Elem().String()+")")
	}
	return err
}

func makeDecoder(typ reflect.Type, t tags) (decoder, error) {
	kind := typ.Kind()
	switch {
	case typ == rawValueType:
		return decodeRawValue, nil
	case typ.AssignableTo(bigIntPtrType):
		return decodeBigIntPtr, nil
	case typ == bigIntType:
		return decodeBigIntValue, nil
	case kind == reflect.Pointer:
		return makePtrDecoder(typ, t)
	case reflect.PointerTo(typ).Implements(decoderInterface):
		return decodeDecoder, nil
	case isUint(kind):
		return makeUintDecoder(typ), nil
	case kind == reflect.Bool:
		return decodeBool, nil
	case kind == reflect.String:
		return decodeString, nil
	case kind == reflect.Slice && isByte(typ.Elem()):
		return decodeByteSlice, nil
	case kind == reflect.Array && isByte(typ.Elem()):
		return makeByteArrayDecoder(typ), nil
	case kind == reflect.Slice:
		return makeSliceDecoder(typ)
	case kind == reflect.Array:
		return makeArrayDecoder(typ)
	case kind == reflect.Struct:
		return makeStructDecoder(typ)
	case kind == reflect.Interface && typ.NumMethod() == 0:
		return decodeInterface, nil
	}
	return nil, fmt.Errorf("rlp: type %v is not RLP-serializable", typ)
}

func decodeRawValue(s *Stream, v reflect.Value) error {
	r, err := s.Raw()
	if err != nil {
		return wrapStreamErr(err, v.Type())
	}
	v.SetBytes(r)
	return nil
}

func decodeBigIntPtr(s *Stream, v reflect.Value) error {
	i := (*big.Int)(v.UnsafePointer())
	fresh := i == nil
	if fresh {
		i = new(big.Int)
	}
	if err := s.decodeBigInt(i); err != nil {
		return wrapStreamErr(err, v.Type())
	}
	if fresh {
		v.Set(reflect.ValueOf(i))
	}
	return nil
}

func decodeBigIntValue(s *Stream, v reflect.Value) error {
	if err := s.decodeBigInt((*big.Int)(v.Addr().UnsafePointer())); err != nil {
		return wrapStreamErr(err, v.Type())
	}
	return nil
}

func decodeDecoder(s *Stream, v reflect.Value) error {
	return v.Addr().Interface().(Decoder).DecodeRLP(s)
}

func makeUintDecoder(typ reflect.Type) decoder {
	bits := typ.Bits()
	return func(s *Stream, v reflect.Value) error {
		x, err := s.uint(bits)
		if err != nil {
			return wrapStreamErr(err, v.Type())
		}
		v.SetUint(x)
		return nil
	}
}

func decodeBool(s *Stream, v reflect.Value) error {
	b, err := s.Bool()
	if err != nil {
		return wrapStreamErr(err, v.Type())
	}
	v.SetBool(b)
	return nil
}

func decodeString(s *Stream, v reflect.Value) error {
	b, err := s.stringView()
	if err != nil {
		return wrapStreamErr(err, v.Type())
	}
	v.SetString(string(b))
	return nil
}

func decodeByteSlice(s *Stream, v reflect.Value) error {
	b, err := s.stringInto(v.Bytes())
	if err != nil {
		return wrapStreamErr(err, v.Type())
	}
	v.SetBytes(b)
	return nil
}

func makeByteArrayDecoder(typ reflect.Type) decoder {
	n := typ.Len()
	return func(s *Stream, v reflect.Value) error {
		k, size, err := s.Kind()
		if err != nil {
			return wrapStreamErr(err, typ)
		}
		dst := unsafe.Slice((*byte)(v.Addr().UnsafePointer()), n)
		switch k {
		case Byte:
			switch {
			case n == 0:
				return &decodeError{err: ErrStringTooLong, typ: typ}
			case n > 1:
				return &decodeError{err: ErrStringTooShort, typ: typ}
			}
			s.kindValid = false
			dst[0] = s.byteval
		case String:
			switch {
			case size > uint64(n):
				return &decodeError{err: ErrStringTooLong, typ: typ}
			case size < uint64(n):
				return &decodeError{err: ErrStringTooShort, typ: typ}
			}
			s.kindValid = false
			if err := s.readFull(dst); err != nil {
				return wrapStreamErr(err, typ)
			}
			if n == 1 && dst[0] < 0x80 {
				return &decodeError{err: ErrCanonSize, typ: typ}
			}
		default:
			return &decodeError{err: ErrExpectedString, typ: typ}
		}
		return nil
	}
}

// listHint returns how many values the list just opened holds, when that
// can be counted cheaply (in-memory input). The count is bounded by the
// input size, so it is safe to allocate for.
func (s *Stream) listHint(size uint64) int {
	if !s.inmem || size == 0 {
		return 0
	}
	n, err := CountValues(s.data[s.pos : s.pos+int(size)])
	if err != nil {
		return 0
	}
	return n
}

// startSlice prepares slice v for decoding: length zero, keeping its
// capacity, with room for hint elements. reflect.Value.Grow works on the
// slice in place, so no slice header is allocated.
func startSlice(v reflect.Value, hint int) {
	v.SetLen(0)
	if hint > v.Cap() {
		v.Grow(hint)
	}
}

// growSlice makes room for element i in slice v, whose length is i.
func growSlice(v reflect.Value, i int) {
	if i >= v.Cap() {
		v.Grow(1)
	}
	v.SetLen(i + 1)
}

// finishSlice sets the final length; an empty result is non-nil, as
// go-ethereum decodes it.
func finishSlice(v reflect.Value, n int) {
	if n == 0 && v.IsNil() {
		// A zero-length slice needs no backing array; writing the
		// header directly avoids the allocation reflect.MakeSlice does.
		*(*[]byte)(v.Addr().UnsafePointer()) = []byte{}
		return
	}
	v.SetLen(n)
}

func makeSliceDecoder(typ reflect.Type) (decoder, error) {
	etyp := typ.Elem()
	if etyp.Kind() == reflect.Uint64 && !reflect.PointerTo(etyp).Implements(decoderInterface) {
		return makeUint64SliceDecoder(typ), nil
	}
	elem := infoLocked(etyp, tags{})
	return func(s *Stream, v reflect.Value) error {
		if elem.decoderErr != nil {
			return elem.decoderErr
		}
		size, err := s.List()
		if err != nil {
			return wrapStreamErr(err, typ)
		}
		if err := decodeElems(s, v, elem, s.listHint(size), nil); err != nil {
			return err
		}
		return wrapStreamErr(s.ListEnd(), typ)
	}, nil
}

// decodeElems decodes the rest of the current list into slice v. It is
// used for slices and for tail fields (field names the tail field in errors).
func decodeElems(s *Stream, v reflect.Value, elem *typeinfo, hint int, field *field) error {
	if elem.decoderErr != nil {
		return elem.decoderErr
	}
	startSlice(v, hint)
	i := 0
	for ; s.MoreDataInList(); i++ {
		growSlice(v, i)
		if err := elem.decoder(s, v.Index(i)); err != nil {
			v.SetLen(i)
			where := "[" + strconv.Itoa(i) + "]"
			if field != nil {
				where = "." + field.name + where
			}
			return addContext(err, where)
		}
	}
	finishSlice(v, i)
	return nil
}

func makeUint64SliceDecoder(typ reflect.Type) decoder {
	etyp := typ.Elem()
	return func(s *Stream, v reflect.Value) error {
		size, err := s.List()
		if err != nil {
			return wrapStreamErr(err, typ)
		}
		startSlice(v, s.listHint(size))
		i := 0
		if s.inmem {
			// Same memory layout for any slice of a uint64 kind.
			p := (*[]uint64)(v.Addr().UnsafePointer())
			*p = s.fastUint64s(*p)
			i = len(*p)
		}
		for ; s.MoreDataInList(); i++ {
			growSlice(v, i)
			x, err := s.uint(64)
			if err != nil {
				v.SetLen(i)
				return addContext(wrapStreamErr(err, etyp), "["+strconv.Itoa(i)+"]")
			}
			unsafe.Slice((*uint64)(v.UnsafePointer()), i+1)[i] = x
		}
		finishSlice(v, i)
		return wrapStreamErr(s.ListEnd(), typ)
	}
}

func makeArrayDecoder(typ reflect.Type) (decoder, error) {
	elem := infoLocked(typ.Elem(), tags{})
	n := typ.Len()
	return func(s *Stream, v reflect.Value) error {
		if elem.decoderErr != nil {
			return elem.decoderErr
		}
		if _, err := s.List(); err != nil {
			return wrapStreamErr(err, typ)
		}
		for i := range n {
			if !s.MoreDataInList() {
				return &decodeError{err: ErrTooFewElements, typ: typ}
			}
			if err := elem.decoder(s, v.Index(i)); err != nil {
				return addContext(err, "["+strconv.Itoa(i)+"]")
			}
		}
		return wrapStreamErr(s.ListEnd(), typ)
	}, nil
}

func makeStructDecoder(typ reflect.Type) (decoder, error) {
	fields, err := structFields(typ)
	if err != nil {
		return nil, err
	}
	return func(s *Stream, v reflect.Value) error {
		if _, err := s.List(); err != nil {
			return wrapStreamErr(err, typ)
		}
		for i := range fields {
			f := &fields[i]
			if f.info.decoderErr != nil {
				return f.info.decoderErr
			}
			fv := v.Field(f.index)
			if f.tail {
				if err := decodeElems(s, fv, f.elem, 0, f); err != nil {
					return err
				}
				break
			}
			if !s.MoreDataInList() {
				if !f.optional {
					return &decodeError{err: ErrTooFewElements, typ: typ}
				}
				// Absent optional fields (and a tail after them)
				// are zero.
				for j := i; j < len(fields); j++ {
					v.Field(fields[j].index).SetZero()
				}
				break
			}
			if err := decodeField(s, fv, f); err != nil {
				return addContext(err, "."+f.name)
			}
		}
		return wrapStreamErr(s.ListEnd(), typ)
	}, nil
}

func makePtrDecoder(typ reflect.Type, t tags) (decoder, error) {
	etyp := typ.Elem()
	elem := infoLocked(etyp, tags{})
	decodeElem := func(s *Stream, v reflect.Value) error {
		if elem.decoderErr != nil {
			return elem.decoderErr
		}
		if v.IsNil() {
			nv := reflect.New(etyp)
			if err := elem.decoder(s, nv.Elem()); err != nil {
				return err
			}
			v.Set(nv)
			return nil
		}
		return elem.decoder(s, v.Elem())
	}
	if !t.nilOK {
		return decodeElem, nil
	}
	nilKind := t.nilKind
	if !t.nilKindSet {
		nilKind = defaultNilKind(etyp)
	}
	return func(s *Stream, v reflect.Value) error {
		k, size, err := s.Kind()
		if err != nil {
			return wrapStreamErr(err, typ)
		}
		if k != Byte && size == 0 {
			if k != nilKind {
				return &decodeError{err: ErrNilEmptyKind, detail: fmt.Sprintf("got %v, want %v", k, nilKind), typ: typ}
			}
			s.kindValid = false // the empty value is consumed
			v.SetZero()
			return nil
		}
		return decodeElem(s, v)
	}, nil
}

// decodeInterface decodes into an empty interface: strings become []byte
// and lists []any.
func decodeInterface(s *Stream, v reflect.Value) error {
	x, err := s.decodeAny()
	if err != nil {
		return wrapStreamErr(err, v.Type())
	}
	v.Set(reflect.ValueOf(x))
	return nil
}

func (s *Stream) decodeAny() (any, error) {
	k, size, err := s.Kind()
	if err != nil {
		return nil, err
	}
	if k != List {
		b, err := s.Bytes()
		if err != nil {
			return nil, err
		}
		return b, nil
	}
	if _, err := s.List(); err != nil {
		return nil, err
	}
	list := make([]any, 0, s.listHint(size))
	for s.MoreDataInList() {
		x, err := s.decodeAny()
		if err != nil {
			return nil, err
		}
		list = append(list, x)
	}
	return list, s.ListEnd()
}

// fastUint64s appends the canonical integers at the start of the current
// list's remaining content (in-memory input only), reading them straight
// from the input. It stops at the first value that is not a plain
// canonical integer; the general path then decodes or rejects that value
// with the usual errors.
func (s *Stream) fastUint64s(dst []uint64) []uint64 {
	d := len(s.stack)
	data := s.data[s.pos : s.pos+int(s.stack[d-1])]
	i := 0
loop:
	for i < len(data) {
		var x uint64
		switch b := data[i]; {
		case b == 0x80:
			i++
		case b < 0x80 && b != 0:
			x = uint64(b)
			i++
		case b > 0x80 && b <= 0x88:
			n := int(b - 0x80)
			if i+1+n > len(data) {
				break loop
			}
			c := data[i+1 : i+1+n]
			if c[0] == 0 || n == 1 && c[0] < 0x80 {
				break loop
			}
			for _, cb := range c {
				x = x<<8 | uint64(cb)
			}
			i += 1 + n
		default:
			break loop
		}
		dst = append(dst, x)
	}
	s.pos += i
	s.remaining -= uint64(i)
	s.stack[d-1] -= uint64(i)
	return dst
}

// decodeField decodes one struct field, inline for the most common types.
func decodeField(s *Stream, v reflect.Value, f *field) error {
	var err error
	switch f.simple {
	case simpleUint:
		var x uint64
		if x, err = s.uint(f.bits); err == nil {
			v.SetUint(x)
			return nil
		}
	case simpleBytes:
		var b []byte
		if b, err = s.stringInto(v.Bytes()); err == nil {
			v.SetBytes(b)
			return nil
		}
	case simpleString:
		var b []byte
		if b, err = s.stringView(); err == nil {
			v.SetString(string(b))
			return nil
		}
	default:
		return f.info.decoder(s, v)
	}
	return wrapStreamErr(err, v.Type())
}
