package enr

import (
	"bytes"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/devp2p-go/devp2p/rlp"
)

// EncodeRLP writes the signed record. An unsigned record is an error
// (ErrUnsigned): its encoding would not be a valid record.
func (r Record) EncodeRLP(w io.Writer) error {
	if r.raw == nil {
		return ErrUnsigned
	}
	_, err := w.Write(r.raw)
	return err
}

// MarshalRLP returns the encoding of the signed record.
func (r *Record) MarshalRLP() ([]byte, error) {
	if r.raw == nil {
		return nil, ErrUnsigned
	}
	return append([]byte(nil), r.raw...), nil
}

// DecodeRLP reads a record and checks its structure (see DecodeRecordUnverified);
// it does not verify the signature, since a stream carries no identity scheme.
// Callers that get records from the network verify them next, as
// enode.New does.
func (r *Record) DecodeRLP(s *rlp.Stream) error {
	kind, size, err := s.Kind()
	if err != nil {
		return err
	}
	if kind != rlp.List {
		return fmt.Errorf("enr: %w", rlp.ErrExpectedList)
	}
	// Refuse an oversized record before reading it.
	if rlp.ListSize(size) > SizeLimit {
		return ErrTooBig
	}
	raw, err := s.Raw()
	if err != nil {
		return err
	}
	dec, err := decodeRaw(raw)
	if err != nil {
		return err
	}
	*r = dec
	return nil
}

// DecodeRecordUnverified decodes an RLP-encoded record and checks its
// structure: at most SizeLimit bytes, one list of [signature, seq, k, v, ...],
// keys sorted and unique, values that are well-formed RLP, and well-formed
// values of the pre-defined keys. The signature is not checked.
func DecodeRecordUnverified(b []byte) (*Record, error) {
	r, err := decodeRaw(b)
	if err != nil {
		return nil, err
	}
	return &r, nil
}

// DecodeRecord is DecodeRecordUnverified followed by signature verification
// under schemes (usually a SchemeMap such as enode.ValidSchemes). A record of
// an unknown scheme fails with ErrUnknownScheme.
func DecodeRecord(b []byte, schemes IdentityScheme) (*Record, error) {
	r, err := decodeRaw(b)
	if err != nil {
		return nil, err
	}
	if err := r.VerifySignature(schemes); err != nil {
		return nil, err
	}
	return &r, nil
}

func decodeRaw(raw []byte) (r Record, err error) {
	if len(raw) == 0 {
		return r, ErrEmptyRecord
	}
	if len(raw) > SizeLimit {
		return r, ErrTooBig
	}
	// The record keeps sub-slices of its encoding: copy it once so the
	// caller's buffer may be reused.
	raw = bytes.Clone(raw)
	content, rest, err := rlp.SplitList(raw)
	if err != nil {
		return r, fmt.Errorf("enr: %w", err)
	}
	if len(rest) != 0 {
		return r, fmt.Errorf("enr: %w", rlp.ErrMoreThanOneValue)
	}
	if len(content) == 0 {
		return r, ErrIncompleteList
	}
	sig, content, err := rlp.SplitString(content)
	if err != nil {
		return r, fmt.Errorf("enr: signature: %w", err)
	}
	if len(content) == 0 {
		return r, ErrIncompleteList
	}
	seq, content, err := rlp.SplitUint64(content)
	if err != nil {
		return r, fmt.Errorf("enr: seq: %w", err)
	}
	// Count the pairs first so the slice is allocated once; the count is
	// bounded by the input length (at most SizeLimit bytes).
	n, err := rlp.CountValues(content)
	if err != nil {
		return r, fmt.Errorf("enr: %w", err)
	}
	if n%2 != 0 {
		return r, ErrIncompletePair
	}
	pairs := make([]pair, 0, n/2)
	for len(content) > 0 {
		var k []byte
		k, content, err = rlp.SplitString(content)
		if err != nil {
			return r, fmt.Errorf("enr: key: %w", err)
		}
		key := string(k)
		rest, err := skipValue(content, 0)
		if err != nil {
			return r, fmt.Errorf("enr: value of %q: %w", key, err)
		}
		v := content[:len(content)-len(rest)]
		content = rest
		if len(pairs) > 0 {
			switch prev := pairs[len(pairs)-1].k; {
			case key == prev:
				return r, fmt.Errorf("%w %q", ErrDuplicateKey, key)
			case key < prev:
				return r, fmt.Errorf("%w (%q after %q)", ErrNotSorted, key, prev)
			}
		}
		if err := checkValue(key, v); err != nil {
			return r, err
		}
		pairs = append(pairs, pair{k: key, v: v})
	}
	r = Record{seq: seq, signature: sig, raw: raw, pairs: pairs}
	return r, nil
}

// maxValueDepth bounds the list nesting inside a value. A 300-byte record
// cannot nest deeper than this anyway; the bound just makes the recursion
// obviously finite.
const maxValueDepth = SizeLimit

// skipValue checks that b starts with a well-formed RLP value, nested lists
// included, and returns what follows it. Values are kept as raw bytes, so
// this is the only place their inner structure is checked.
func skipValue(b []byte, depth int) (rest []byte, err error) {
	if depth > maxValueDepth {
		return nil, rlp.ErrTooDeep
	}
	kind, content, rest, err := rlp.Split(b)
	if err != nil {
		return nil, err
	}
	if kind == rlp.List {
		for len(content) > 0 {
			if content, err = skipValue(content, depth+1); err != nil {
				return nil, err
			}
		}
	}
	return rest, nil
}

// checkValue validates the values of the keys EIP-778 defines, so that a
// record with, say, a 5-byte "ip" never enters the table.
func checkValue(key string, v []byte) error {
	var err error
	switch key {
	case "id":
		_, _, err = rlp.SplitString(v)
	case "ip":
		err = checkString(v, 4)
	case "ip6":
		err = checkString(v, 16)
	case "tcp", "udp", "tcp6", "udp6":
		var port uint64
		port, _, err = rlp.SplitUint64(v)
		if err == nil && port > 0xFFFF {
			err = rlp.ErrUintOverflow
		}
	}
	if err != nil {
		return fmt.Errorf("%w %q: %v", ErrMalformedValue, key, err)
	}
	return nil
}

func checkString(v []byte, size int) error {
	s, _, err := rlp.SplitString(v)
	if err != nil {
		return err
	}
	if len(s) != size {
		return fmt.Errorf("%d bytes, want %d", len(s), size)
	}
	return nil
}

// textPrefix starts the text form of a record (EIP-778, "Text Encoding").
const textPrefix = "enr:"

var b64 = base64.RawURLEncoding.Strict()

// Text returns the text form: "enr:" + URL-safe base64 (no padding) of the
// signed record's RLP.
func (r *Record) Text() (string, error) {
	if r.raw == nil {
		return "", ErrUnsigned
	}
	return textPrefix + b64.EncodeToString(r.raw), nil
}

// MarshalText implements encoding.TextMarshaler.
func (r Record) MarshalText() ([]byte, error) {
	s, err := r.Text()
	return []byte(s), err
}

var errMissingPrefix = errors.New("missing 'enr:' prefix for base64-encoded record")

// ParseTextUnverified decodes the text form and checks the record's
// structure, not its signature. The base64 must be unpadded and canonical
// (no '=', no line breaks, zero trailing bits).
func ParseTextUnverified(text string) (*Record, error) {
	b, err := decodeText(text)
	if err != nil {
		return nil, err
	}
	return DecodeRecordUnverified(b)
}

// ParseText decodes the text form and verifies the signature under schemes.
func ParseText(text string, schemes IdentityScheme) (*Record, error) {
	b, err := decodeText(text)
	if err != nil {
		return nil, err
	}
	return DecodeRecord(b, schemes)
}

func decodeText(text string) ([]byte, error) {
	enc, ok := strings.CutPrefix(text, textPrefix)
	if !ok {
		return nil, errMissingPrefix
	}
	// Check the size before decoding so no attacker-sized buffer is made.
	if len(enc) > b64.EncodedLen(SizeLimit) {
		return nil, ErrTooBig
	}
	// encoding/base64 skips \r and \n; a record text has none.
	if i := strings.IndexAny(enc, "\r\n="); i >= 0 {
		return nil, fmt.Errorf("enr: illegal base64 data at input byte %d", i)
	}
	b, err := b64.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("enr: %w", err)
	}
	return b, nil
}
