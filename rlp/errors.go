package rlp

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
)

// Kind is the kind of an RLP value as announced by its prefix byte.
type Kind int8

const (
	// Byte is a single byte in [0x00, 0x7f] that is its own encoding.
	Byte Kind = iota
	// String is a byte string with a size prefix (0x80..0xbf).
	String
	// List is a list of values with a size prefix (0xc0..0xff).
	List
)

func (k Kind) String() string {
	switch k {
	case Byte:
		return "Byte"
	case String:
		return "String"
	case List:
		return "List"
	default:
		return fmt.Sprintf("Unknown(%d)", int(k))
	}
}

var (
	// EmptyString is the encoding of an empty byte string (and of integer zero).
	EmptyString = []byte{0x80}
	// EmptyList is the encoding of an empty list.
	EmptyList = []byte{0xC0}
)

// EOL is returned by Stream when the end of the current list has been reached
// while reading its elements. It is not wrapped, so callers may compare it
// with ==.
var EOL = errors.New("rlp: end of list")

// Errors for malformed or non-canonical input. Decoding functions wrap them
// with the target type and the position in the value being decoded, so test
// them with errors.Is.
var (
	ErrExpectedString   = errors.New("rlp: expected input string or byte")
	ErrExpectedList     = errors.New("rlp: expected input list")
	ErrCanonInt         = errors.New("rlp: non-canonical integer (leading zero bytes)")
	ErrCanonSize        = errors.New("rlp: non-canonical size information")
	ErrElemTooLarge     = errors.New("rlp: element is larger than containing list")
	ErrValueTooLarge    = errors.New("rlp: value size exceeds available input length")
	ErrMoreThanOneValue = errors.New("rlp: input contains more than one value")

	// Additions beyond the go-ethereum names, so callers can branch on
	// every rule a strict decoder enforces.
	ErrUintOverflow    = errors.New("rlp: uint overflow")
	ErrTooFewElements  = errors.New("rlp: too few elements")
	ErrTooManyElements = errors.New("rlp: input list has too many elements")
	ErrStringTooShort  = errors.New("rlp: input string too short")
	ErrStringTooLong   = errors.New("rlp: input string too long")
	ErrInvalidBool     = errors.New("rlp: invalid boolean value")
	ErrNilEmptyKind    = errors.New("rlp: wrong kind of empty value")
	ErrTooDeep         = errors.New("rlp: lists nested too deeply")
	ErrNegativeBigInt  = errors.New("rlp: cannot encode negative big.Int")
	ErrNoPointer       = errors.New("rlp: decode target must be a non-nil pointer")

	// errNotAtEOL is returned by ListEnd when elements remain.
	errNotAtEOL = errors.New("rlp: call of ListEnd not positioned at EOL")
	// errNotInList is returned by ListEnd outside of a list.
	errNotInList = errors.New("rlp: call of ListEnd outside of any list")
)

// decodeError attaches the Go type being decoded and the path inside the
// top-level value (innermost first in ctx) to a sentinel error.
type decodeError struct {
	err    error
	detail string
	typ    reflect.Type
	ctx    []string
}

func (e *decodeError) Unwrap() error { return e.err }

func (e *decodeError) Error() string {
	var b strings.Builder
	b.WriteString(e.err.Error())
	if e.detail != "" {
		b.WriteString(": ")
		b.WriteString(e.detail)
	}
	if e.typ != nil {
		b.WriteString(" for ")
		b.WriteString(e.typ.String())
	}
	if len(e.ctx) > 0 {
		b.WriteString(", decoding into ")
		for i := len(e.ctx) - 1; i >= 0; i-- {
			b.WriteString(e.ctx[i])
		}
	}
	return b.String()
}

// wrapStreamErr gives a Stream error the type it was decoded into. I/O
// errors, EOL and errors from user Decoders pass through unchanged.
func wrapStreamErr(err error, typ reflect.Type) error {
	if de, ok := err.(*decodeError); ok && de.typ == nil {
		de.typ = typ
		return de
	}
	switch err {
	case ErrExpectedString, ErrExpectedList, ErrCanonInt, ErrCanonSize,
		ErrElemTooLarge, ErrValueTooLarge, ErrUintOverflow, ErrTooDeep,
		ErrStringTooShort, ErrStringTooLong:
		return &decodeError{err: err, typ: typ}
	case errNotAtEOL:
		return &decodeError{err: ErrTooManyElements, typ: typ}
	}
	return err
}

// addContext records where in the value an error happened (a field name
// or a slice index), if the error carries context.
func addContext(err error, where string) error {
	if de, ok := err.(*decodeError); ok {
		de.ctx = append(de.ctx, where)
	}
	return err
}
