package enr

import (
	"bytes"
	"errors"
	"fmt"
	"iter"
	"slices"
	"strings"

	"github.com/devp2p-go/devp2p/rlp"
)

// SizeLimit is the maximum encoded size of a record in bytes (EIP-778, "RLP
// Encoding"). It applies when decoding and when signing.
const SizeLimit = 300

// Errors of record decoding and signing. Decoding wraps them with context;
// test with errors.Is.
var (
	ErrTooBig         = fmt.Errorf("record bigger than %d bytes", SizeLimit)
	ErrNotSorted      = errors.New("record key/value pairs are not sorted by key")
	ErrDuplicateKey   = errors.New("record contains duplicate key")
	ErrIncompleteList = errors.New("record contains less than two list elements")
	ErrIncompletePair = errors.New("record contains incomplete k/v pair")
	ErrEmptyRecord    = errors.New("empty record")
	ErrMalformedValue = errors.New("malformed value of a pre-defined key")
	ErrInvalidSig     = errors.New("invalid signature on node record")
	ErrUnknownScheme  = errors.New("unknown identity scheme")
	ErrUnsigned       = errors.New("can't encode unsigned record")
)

// Record is a node record. The zero value is an empty, unsigned record.
//
// Set and SetSeq drop the signature; SetSig signs again. A Record copied by
// value shares nothing mutable with the original: every change replaces the
// pair slice instead of writing into it.
type Record struct {
	seq       uint64
	signature []byte // nil: unsigned
	raw       []byte // RLP of the signed record; nil when unsigned
	pairs     []pair // sorted by k, keys unique
}

// pair is a key and the RLP encoding of its value.
type pair struct {
	k string
	v rlp.RawValue
}

// Seq returns the sequence number.
func (r *Record) Seq() uint64 { return r.seq }

// SetSeq updates the sequence number and drops the signature.
func (r *Record) SetSeq(s uint64) {
	r.invalidate()
	r.seq = s
}

// Signature returns the signature, nil for an unsigned record. The caller
// must not modify it.
func (r *Record) Signature() []byte { return r.signature }

// Load decodes the value of e's key into e, which must be a pointer (or a
// Generic holding a pointer). A missing key gives a *KeyError for which
// IsNotFound is true; a value that does not decode gives a *KeyError wrapping
// the decoding error.
func (r *Record) Load(e Entry) error {
	key := e.ENRKey()
	v := r.get(key)
	if v == nil {
		return &KeyError{Key: key, Err: errNotFound}
	}
	var target any = e
	switch g := e.(type) {
	case Generic:
		target = g.Value
	case *Generic:
		target = g.Value
	}
	if err := rlp.DecodeBytes(v, target); err != nil {
		return &KeyError{Key: key, Err: err}
	}
	return nil
}

// Get returns the raw RLP value stored under key, or nil.
func (r *Record) Get(key string) rlp.RawValue { return r.get(key) }

func (r *Record) get(key string) rlp.RawValue {
	i, found := r.find(key)
	if !found {
		return nil
	}
	return r.pairs[i].v
}

func (r *Record) find(key string) (int, bool) {
	return slices.BinarySearchFunc(r.pairs, key, func(p pair, k string) int {
		return strings.Compare(p.k, k)
	})
}

// Set adds or replaces the entry and drops the signature. It panics if e
// cannot be encoded (e.g. an IPv4 entry holding an IPv6 address), which is a
// programming error; use TrySet for values from elsewhere.
func (r *Record) Set(e Entry) {
	if err := r.TrySet(e); err != nil {
		panic(err)
	}
}

// TrySet is Set returning the encoding error instead of panicking.
func (r *Record) TrySet(e Entry) error {
	v, err := rlp.EncodeToBytes(e)
	if err != nil {
		return fmt.Errorf("enr: can't encode %q: %w", e.ENRKey(), err)
	}
	r.setRaw(e.ENRKey(), v)
	return nil
}

// setRaw stores an encoded value without checking it.
func (r *Record) setRaw(key string, v []byte) {
	r.invalidate()
	i, found := r.find(key)
	pairs := make([]pair, 0, len(r.pairs)+1)
	pairs = append(pairs, r.pairs[:i]...)
	pairs = append(pairs, pair{k: key, v: v})
	if found {
		i++
	}
	pairs = append(pairs, r.pairs[i:]...)
	r.pairs = pairs
}

// Delete removes key from the record (if present) and drops the signature.
func (r *Record) Delete(key string) {
	i, found := r.find(key)
	if !found {
		return
	}
	r.invalidate()
	r.pairs = slices.Delete(slices.Clone(r.pairs), i, i+1)
}

// Pairs iterates over the keys and raw values in key order.
func (r *Record) Pairs() iter.Seq2[string, rlp.RawValue] {
	return func(yield func(string, rlp.RawValue) bool) {
		for _, p := range r.pairs {
			if !yield(p.k, p.v) {
				return
			}
		}
	}
}

func (r *Record) invalidate() {
	r.signature = nil
	r.raw = nil
}

// IdentityScheme returns the value of the "id" key, "" if there is none or it
// is not a string.
func (r *Record) IdentityScheme() string {
	v := r.get("id")
	if v == nil {
		return ""
	}
	s, rest, err := rlp.SplitString(v)
	if err != nil || len(rest) != 0 {
		return ""
	}
	return string(s)
}

// VerifySignature checks the record's signature under s.
func (r *Record) VerifySignature(s IdentityScheme) error {
	return s.Verify(r, r.signature)
}

// SetSig sets the signature after checking it with s.Verify, and caches the
// encoding. It fails with ErrTooBig if the signed record exceeds SizeLimit.
// SetSig(nil, nil) removes the signature.
func (r *Record) SetSig(s IdentityScheme, sig []byte) error {
	if s == nil {
		if sig != nil {
			return errors.New("enr: signature without identity scheme")
		}
		r.invalidate()
		return nil
	}
	if err := s.Verify(r, sig); err != nil {
		return err
	}
	raw := r.encode(sig)
	if len(raw) > SizeLimit {
		return ErrTooBig
	}
	r.signature = bytes.Clone(sig)
	if r.signature == nil {
		r.signature = []byte{}
	}
	r.raw = raw
	return nil
}

// AppendElements appends the signed content [seq, k, v, ...] to list, in the
// form rlp.Encode takes (values as rlp.RawValue).
func (r *Record) AppendElements(list []any) []any {
	list = append(list, r.seq)
	for _, p := range r.pairs {
		list = append(list, p.k, p.v)
	}
	return list
}

// Content returns the RLP encoding of the signed content [seq, k, v, ...]:
// the bytes an identity scheme hashes and signs.
func (r *Record) Content() []byte {
	payload := r.appendPayload(make([]byte, 0, r.payloadSize()))
	out := make([]byte, 0, headerSize(len(payload))+len(payload))
	out = appendHeader(out, 0xC0, len(payload))
	return append(out, payload...)
}

// encode returns the RLP of [sig, seq, k, v, ...].
func (r *Record) encode(sig []byte) []byte {
	n := stringSize(sig) + r.payloadSize()
	out := make([]byte, 0, headerSize(n)+n)
	out = appendHeader(out, 0xC0, n)
	out = appendString(out, sig)
	return r.appendPayload(out)
}

func (r *Record) payloadSize() int {
	n := len(rlp.AppendUint64(nil, r.seq))
	for _, p := range r.pairs {
		n += stringSize(p.k) + len(p.v)
	}
	return n
}

func (r *Record) appendPayload(b []byte) []byte {
	b = rlp.AppendUint64(b, r.seq)
	for _, p := range r.pairs {
		b = appendString(b, p.k)
		b = append(b, p.v...)
	}
	return b
}

// Size returns the encoded size of the signed record, 0 if unsigned.
func (r *Record) Size() int { return len(r.raw) }
