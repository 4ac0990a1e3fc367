package rlp

import (
	"fmt"
	"maps"
	"math/big"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
)

// typeinfo holds the encoder and decoder functions generated for one Go type
// (with the struct-tag options that change how it is handled). Generation
// happens once per type; the functions are looked up through the pointer at
// call time, which makes recursive types work.
type typeinfo struct {
	decoder    decoder
	decoderErr error
	writer     writer
	writerErr  error
}

type decoder func(*Stream, reflect.Value) error

type writer func(reflect.Value, *encBuffer) error

// tags are the options from an `rlp:"..."` struct tag.
type tags struct {
	// nilOK: an empty value of nilKind decodes to a nil pointer (rlp:"nil").
	nilOK bool
	// nilKind is String or List: the empty value a nil pointer encodes to.
	// It is set by nilString/nilList, or derived from the pointee type.
	nilKind Kind
	// nilKindSet records that the tag chose nilKind explicitly.
	nilKindSet bool
	optional   bool
	tail       bool
	ignored    bool
}

type typekey struct {
	typ reflect.Type
	// only the pointer-related options are part of the key; optional and
	// tail are handled by the struct codec.
	nilOK      bool
	nilKind    Kind
	nilKindSet bool
}

// The cache is a copy-on-write map: lookups are a plain map read without
// locking, which is faster than sync.Map for this read-mostly workload.
var (
	cacheMu  sync.Mutex
	cacheMap atomic.Pointer[map[typekey]*typeinfo]
	// pending holds infos whose generation is in progress (under cacheMu),
	// so that recursive types find their own entry.
	pending map[typekey]*typeinfo
)

// plainCache maps types to their info without tag options: the lookup done
// for every top-level Encode/Decode call, kept apart because hashing a bare
// type is cheaper than hashing a typekey.
var plainCache atomic.Pointer[map[reflect.Type]*typeinfo]

// cachedTypeInfo returns the info for a type without tag options.
func cachedTypeInfo(typ reflect.Type) *typeinfo {
	if m := plainCache.Load(); m != nil {
		if info := (*m)[typ]; info != nil {
			return info
		}
	}
	info := cachedTypeInfoTags(typ, tags{})
	cacheMu.Lock()
	defer cacheMu.Unlock()
	next := make(map[reflect.Type]*typeinfo)
	if m := plainCache.Load(); m != nil {
		maps.Copy(next, *m)
	}
	next[typ] = info
	plainCache.Store(&next)
	return info
}

func cachedTypeInfoTags(typ reflect.Type, t tags) *typeinfo {
	key := typekey{typ: typ, nilOK: t.nilOK, nilKind: t.nilKind, nilKindSet: t.nilKindSet}
	if m := cacheMap.Load(); m != nil {
		if info := (*m)[key]; info != nil {
			return info
		}
	}
	cacheMu.Lock()
	defer cacheMu.Unlock()
	if m := cacheMap.Load(); m != nil {
		if info := (*m)[key]; info != nil {
			return info
		}
	}
	outer := pending == nil
	if outer {
		pending = make(map[typekey]*typeinfo)
	}
	info := generate(key, t)
	if outer {
		next := make(map[typekey]*typeinfo)
		if m := cacheMap.Load(); m != nil {
			maps.Copy(next, *m)
		}
		maps.Copy(next, pending)
		cacheMap.Store(&next)
		pending = nil
	}
	return info
}

// generate is called with cacheMu held.
func generate(key typekey, t tags) *typeinfo {
	if info := pending[key]; info != nil {
		return info // recursive type: filled in by the outer call
	}
	info := new(typeinfo)
	pending[key] = info
	info.decoder, info.decoderErr = makeDecoder(key.typ, t)
	info.writer, info.writerErr = makeWriter(key.typ, t)
	return info
}

// infoLocked is used from inside makeDecoder/makeWriter, which run under
// cacheMu, to get the info for a component type.
func infoLocked(typ reflect.Type, t tags) *typeinfo {
	key := typekey{typ: typ, nilOK: t.nilOK, nilKind: t.nilKind, nilKindSet: t.nilKindSet}
	if m := cacheMap.Load(); m != nil {
		if info := (*m)[key]; info != nil {
			return info
		}
	}
	return generate(key, t)
}

// field is one serialized struct field.
type field struct {
	index    int
	name     string
	info     *typeinfo
	optional bool
	tail     bool
	elem     *typeinfo // element info of a tail slice
	simple   simpleKind
	bits     int // size of a simpleUint field
}

// simpleKind marks field types that the struct codecs handle inline.
type simpleKind uint8

const (
	simpleNone simpleKind = iota
	simpleUint
	simpleBytes
	simpleString
)

func simpleKindOf(typ reflect.Type) simpleKind {
	if typ.Implements(encoderInterface) || reflect.PointerTo(typ).Implements(encoderInterface) ||
		reflect.PointerTo(typ).Implements(decoderInterface) {
		return simpleNone
	}
	switch k := typ.Kind(); {
	case isUint(k):
		return simpleUint
	case k == reflect.String:
		return simpleString
	case k == reflect.Slice && typ != rawValueType && isByte(typ.Elem()):
		return simpleBytes
	}
	return simpleNone
}

// structFields returns the fields of a struct type that take part in RLP,
// checking the tag rules. Errors name the struct and the field.
func structFields(typ reflect.Type) ([]field, error) {
	var fields []field
	anyOptional := false
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		if !f.IsExported() {
			continue
		}
		t, err := parseTag(typ, f)
		if err != nil {
			return nil, err
		}
		if t.ignored {
			continue
		}
		if t.tail {
			if i != lastPublicField(typ) {
				return nil, tagError(typ, f, "tail", "must be on the last field")
			}
			if f.Type.Kind() != reflect.Slice || isByte(f.Type.Elem()) {
				return nil, tagError(typ, f, "tail", "field type is not a slice of values")
			}
		} else if anyOptional && !t.optional {
			return nil, tagError(typ, f, "", `must be "optional" or "tail" because preceding field is "optional"`)
		}
		anyOptional = anyOptional || t.optional
		if t.nilOK || t.nilKindSet {
			if f.Type.Kind() != reflect.Pointer {
				return nil, tagError(typ, f, "nil", "field is not a pointer")
			}
		}
		fd := field{
			index:    i,
			name:     f.Name,
			info:     infoLocked(f.Type, t),
			optional: t.optional,
			tail:     t.tail,
		}
		if t.tail {
			fd.elem = infoLocked(f.Type.Elem(), tags{})
		} else {
			fd.simple = simpleKindOf(f.Type)
			if fd.simple == simpleUint {
				fd.bits = f.Type.Bits()
			}
		}
		fields = append(fields, fd)
	}
	return fields, nil
}

func lastPublicField(typ reflect.Type) int {
	last := 0
	for i := 0; i < typ.NumField(); i++ {
		if typ.Field(i).IsExported() {
			last = i
		}
	}
	return last
}

func parseTag(typ reflect.Type, f reflect.StructField) (tags, error) {
	var t tags
	tag := f.Tag.Get("rlp")
	if tag == "" {
		return t, nil
	}
	for part := range strings.SplitSeq(tag, ",") {
		switch part = strings.TrimSpace(part); part {
		case "":
		case "-":
			t.ignored = true
		case "nil", "nilString", "nilList":
			if t.nilOK {
				return t, tagError(typ, f, part, "only one nil tag is allowed")
			}
			t.nilOK = true
			switch part {
			case "nilString":
				t.nilKind, t.nilKindSet = String, true
			case "nilList":
				t.nilKind, t.nilKindSet = List, true
			}
		case "optional":
			t.optional = true
			if t.tail {
				return t, tagError(typ, f, part, `also has "tail" tag`)
			}
		case "tail":
			t.tail = true
			if t.optional {
				return t, tagError(typ, f, part, `also has "optional" tag`)
			}
		default:
			return t, tagError(typ, f, part, "unknown tag")
		}
	}
	if t.ignored && (t.nilOK || t.optional || t.tail) {
		return t, tagError(typ, f, "-", "cannot be combined with other tags")
	}
	return t, nil
}

func tagError(typ reflect.Type, f reflect.StructField, tag, msg string) error {
	if tag == "" {
		return fmt.Errorf("rlp: invalid struct tag for %v.%s: %s", typ, f.Name, msg)
	}
	return fmt.Errorf("rlp: invalid struct tag %q for %v.%s: %s", tag, typ, f.Name, msg)
}

// defaultNilKind is the empty value a nil pointer to typ encodes to: the
// empty string for string-like and integer types, the empty list otherwise.
func defaultNilKind(typ reflect.Type) Kind {
	k := typ.Kind()
	switch {
	case isUint(k), k == reflect.String, k == reflect.Bool, isByteArray(typ):
		return String
	case typ == bigIntType, typ.AssignableTo(bigIntPtrType):
		return String
	case k == reflect.Slice && isByte(typ.Elem()):
		return String
	}
	return List
}

var (
	bigIntType       = reflect.TypeFor[big.Int]()
	bigIntPtrType    = reflect.TypeFor[*big.Int]()
	rawValueType     = reflect.TypeFor[RawValue]()
	encoderInterface = reflect.TypeFor[Encoder]()
	decoderInterface = reflect.TypeFor[Decoder]()
)

func isUint(k reflect.Kind) bool { return k >= reflect.Uint && k <= reflect.Uintptr }

// isByte reports whether typ is encoded as a byte of a string (rather than
// as a list element). Byte-like types with their own Encoder are not.
func isByte(typ reflect.Type) bool {
	return typ.Kind() == reflect.Uint8 && !typ.Implements(encoderInterface)
}

func isByteArray(typ reflect.Type) bool {
	return typ.Kind() == reflect.Array && isByte(typ.Elem())
}
