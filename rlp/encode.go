package rlp

import (
	"encoding/binary"
	"fmt"
	"io"
	"math/big"
	"reflect"
	"slices"
	"unsafe"
)

// Encoder is implemented by types that produce their own RLP encoding.
// EncodeRLP must write exactly one valid, canonical RLP value to w.
type Encoder interface {
	EncodeRLP(io.Writer) error
}

// Encode writes the RLP encoding of val to w. See the package documentation
// for the encoding rules of each Go type.
func Encode(w io.Writer, val any) error {
	// An Encoder that encodes its parts with Encode writes straight into
	// the caller's buffer.
	if buf, ok := w.(*encBuffer); ok {
		return buf.encode(val)
	}
	buf := getEncBuffer()
	defer putEncBuffer(buf)
	if err := buf.encode(val); err != nil {
		return err
	}
	return buf.writeTo(w)
}

// EncodeToBytes returns the RLP encoding of val.
func EncodeToBytes(val any) ([]byte, error) {
	buf := getEncBuffer()
	defer putEncBuffer(buf)
	if err := buf.encode(val); err != nil {
		return nil, err
	}
	return buf.makeBytes(), nil
}

// AppendToBytes appends the RLP encoding of val to dst.
func AppendToBytes(dst []byte, val any) ([]byte, error) {
	buf := getEncBuffer()
	defer putEncBuffer(buf)
	if err := buf.encode(val); err != nil {
		return dst, err
	}
	return buf.appendTo(dst), nil
}

// encode writes val, with fast paths for the most common simple types.
func (buf *encBuffer) encode(val any) error {
	switch v := val.(type) {
	case []byte:
		buf.writeBytes(v)
		return nil
	case uint64:
		buf.writeUint64(v)
		return nil
	case uint:
		buf.writeUint64(uint64(v))
		return nil
	case string:
		buf.writeString(v)
		return nil
	case bool:
		buf.writeBool(v)
		return nil
	case RawValue:
		buf.str = append(buf.str, v...)
		return nil
	case *big.Int:
		if v == nil {
			buf.str = append(buf.str, 0x80)
			return nil
		}
		return buf.writeBigInt(v)
	}
	rval := reflect.ValueOf(val)
	if !rval.IsValid() {
		// Encoding a nil interface gives the empty list, as for a nil
		// interface field.
		buf.str = append(buf.str, 0xC0)
		return nil
	}
	info := cachedTypeInfo(rval.Type())
	if info.writerErr != nil {
		return info.writerErr
	}
	return info.writer(rval, buf)
}

func makeWriter(typ reflect.Type, t tags) (writer, error) {
	kind := typ.Kind()
	switch {
	case typ == rawValueType:
		return writeRawValue, nil
	case typ.AssignableTo(bigIntPtrType):
		return writeBigIntPtr, nil
	case typ.AssignableTo(bigIntType):
		return writeBigIntValue, nil
	case kind == reflect.Pointer:
		return makePtrWriter(typ, t)
	case typ.Implements(encoderInterface):
		return writeEncoder, nil
	case reflect.PointerTo(typ).Implements(encoderInterface):
		return writeEncoderPtrMethod, nil
	case isUint(kind):
		return writeUint, nil
	case kind == reflect.Bool:
		return writeBoolValue, nil
	case kind == reflect.String:
		return writeStringValue, nil
	case kind == reflect.Slice && isByte(typ.Elem()):
		return writeByteSlice, nil
	case kind == reflect.Array && isByte(typ.Elem()):
		return makeByteArrayWriter(typ), nil
	case kind == reflect.Slice || kind == reflect.Array:
		return makeListWriter(typ)
	case kind == reflect.Struct:
		return makeStructWriter(typ)
	case kind == reflect.Interface:
		return writeInterface, nil
	}
	return nil, fmt.Errorf("rlp: type %v is not RLP-serializable", typ)
}

func writeRawValue(v reflect.Value, buf *encBuffer) error {
	buf.str = append(buf.str, v.Bytes()...)
	return nil
}

func writeUint(v reflect.Value, buf *encBuffer) error {
	buf.writeUint64(v.Uint())
	return nil
}

func writeBoolValue(v reflect.Value, buf *encBuffer) error {
	buf.writeBool(v.Bool())
	return nil
}

func writeStringValue(v reflect.Value, buf *encBuffer) error {
	buf.writeString(v.String())
	return nil
}

func writeByteSlice(v reflect.Value, buf *encBuffer) error {
	buf.writeBytes(v.Bytes())
	return nil
}

func writeBigIntPtr(v reflect.Value, buf *encBuffer) error {
	ptr := (*big.Int)(v.UnsafePointer())
	if ptr == nil {
		buf.str = append(buf.str, 0x80)
		return nil
	}
	return buf.writeBigInt(ptr)
}

func writeBigIntValue(v reflect.Value, buf *encBuffer) error {
	if v.CanAddr() {
		return buf.writeBigInt((*big.Int)(v.Addr().UnsafePointer()))
	}
	i := v.Interface().(big.Int)
	return buf.writeBigInt(&i)
}

func makeByteArrayWriter(typ reflect.Type) writer {
	n := typ.Len()
	return func(v reflect.Value, buf *encBuffer) error {
		if n == 1 {
			if b := byte(v.Index(0).Uint()); b < 0x80 {
				buf.str = append(buf.str, b)
				return nil
			}
		}
		buf.str = appendHead(buf.str, 0x80, uint64(n))
		start := len(buf.str)
		buf.str = append(buf.str, make([]byte, n)...)
		if v.CanAddr() {
			copy(buf.str[start:], unsafe.Slice((*byte)(v.Addr().UnsafePointer()), n))
		} else {
			reflect.Copy(reflect.ValueOf(buf.str[start:]), v)
		}
		return nil
	}
}

func writeEncoder(v reflect.Value, buf *encBuffer) error {
	return v.Interface().(Encoder).EncodeRLP(buf)
}

// writeEncoderPtrMethod calls a pointer-receiver EncodeRLP. A value that is
// not addressable (passed by value) is copied so that the method can run.
func writeEncoderPtrMethod(v reflect.Value, buf *encBuffer) error {
	if !v.CanAddr() {
		p := reflect.New(v.Type())
		p.Elem().Set(v)
		v = p.Elem()
	}
	return v.Addr().Interface().(Encoder).EncodeRLP(buf)
}

func writeInterface(v reflect.Value, buf *encBuffer) error {
	if v.IsNil() {
		buf.str = append(buf.str, 0xC0)
		return nil
	}
	elem := v.Elem()
	info := cachedTypeInfo(elem.Type())
	if info.writerErr != nil {
		return info.writerErr
	}
	return info.writer(elem, buf)
}

func makePtrWriter(typ reflect.Type, t tags) (writer, error) {
	// A nil pointer is the empty value, even when the type has its own
	// EncodeRLP (as in go-ethereum); a non-nil one is encoded by the
	// pointee's writer, which calls EncodeRLP.
	elem := infoLocked(typ.Elem(), tags{})
	nilKind := t.nilKind
	if !t.nilKindSet {
		nilKind = defaultNilKind(typ.Elem())
	}
	nilEnc := byte(0xC0)
	if nilKind == String {
		nilEnc = 0x80
	}
	return func(v reflect.Value, buf *encBuffer) error {
		if v.IsNil() {
			buf.str = append(buf.str, nilEnc)
			return nil
		}
		if elem.writerErr != nil {
			return elem.writerErr
		}
		return elem.writer(v.Elem(), buf)
	}, nil
}

func makeListWriter(typ reflect.Type) (writer, error) {
	etyp := typ.Elem()
	// Fast path for slices and arrays of plain unsigned integers: read the
	// elements from memory instead of through reflect.Value per element.
	if etyp.Kind() == reflect.Uint64 && !etyp.Implements(encoderInterface) && !reflect.PointerTo(etyp).Implements(encoderInterface) {
		return makeUint64ListWriter(typ), nil
	}
	elem := infoLocked(etyp, tags{})
	return func(v reflect.Value, buf *encBuffer) error {
		if elem.writerErr != nil {
			return elem.writerErr
		}
		lh := buf.listStart()
		for i, n := 0, v.Len(); i < n; i++ {
			if err := elem.writer(v.Index(i), buf); err != nil {
				return err
			}
		}
		buf.listEnd(lh)
		return nil
	}, nil
}

func makeUint64ListWriter(typ reflect.Type) writer {
	isArray := typ.Kind() == reflect.Array
	return func(v reflect.Value, buf *encBuffer) error {
		lh := buf.listStart()
		n := v.Len()
		switch {
		case n == 0:
		case isArray && !v.CanAddr():
			for i := range n {
				buf.writeUint64(v.Index(i).Uint())
			}
		default:
			var p unsafe.Pointer
			if isArray {
				p = v.Addr().UnsafePointer()
			} else {
				p = v.UnsafePointer()
			}
			buf.str = appendUint64s(buf.str, unsafe.Slice((*uint64)(p), n))
		}
		buf.listEnd(lh)
		return nil
	}
}

func makeStructWriter(typ reflect.Type) (writer, error) {
	fields, err := structFields(typ)
	if err != nil {
		return nil, err
	}
	firstOptional := len(fields)
	for i, f := range fields {
		if f.optional {
			firstOptional = i
			break
		}
	}
	return func(v reflect.Value, buf *encBuffer) error {
		// Trailing zero-valued optional fields (and an empty tail) are
		// left out.
		end := len(fields)
		for end > firstOptional {
			f := &fields[end-1]
			fv := v.Field(f.index)
			if f.tail && fv.Len() != 0 || !f.tail && !fv.IsZero() {
				break
			}
			end--
		}
		lh := buf.listStart()
		for i := range fields[:end] {
			f := &fields[i]
			if f.tail {
				if err := writeTailElems(v.Field(f.index), f.elem, buf); err != nil {
					return err
				}
				continue
			}
			// The most common field types are written inline,
			// saving an indirect call per field.
			switch f.simple {
			case simpleUint:
				buf.writeUint64(v.Field(f.index).Uint())
				continue
			case simpleBytes:
				buf.writeBytes(v.Field(f.index).Bytes())
				continue
			case simpleString:
				buf.writeString(v.Field(f.index).String())
				continue
			}
			if f.info.writerErr != nil {
				return f.info.writerErr
			}
			if err := f.info.writer(v.Field(f.index), buf); err != nil {
				return err
			}
		}
		buf.listEnd(lh)
		return nil
	}, nil
}

// writeTailElems writes the elements of a tail slice without a list header.
func writeTailElems(v reflect.Value, elem *typeinfo, buf *encBuffer) error {
	if elem.writerErr != nil {
		return elem.writerErr
	}
	for i, n := 0, v.Len(); i < n; i++ {
		if err := elem.writer(v.Index(i), buf); err != nil {
			return err
		}
	}
	return nil
}

// appendUint64s appends the encodings of xs. It reserves the longest
// possible size (9 bytes each) up front, which lets every integer be
// written with one 8-byte store and no bounds-checked append.
func appendUint64s(b []byte, xs []uint64) []byte {
	b = slices.Grow(b, 9*len(xs))
	l := len(b)
	b = b[:cap(b)]
	for _, x := range xs {
		switch {
		case x == 0:
			b[l] = 0x80
			l++
		case x < 0x80:
			b[l] = byte(x)
			l++
		default:
			// At least 9 bytes remain: each earlier value used <= 9.
			n := intSize(x)
			b[l] = 0x80 + byte(n)
			binary.BigEndian.PutUint64(b[l+1:l+9], x<<(64-8*uint(n)))
			l += 1 + n
		}
	}
	return b[:l]
}
