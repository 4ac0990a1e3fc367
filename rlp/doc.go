// Package rlp implements Recursive Length Prefix encoding, the serialization
// used by Ethereum's p2p stack (RLPx messages, discovery packets, node
// records). The format is specified on the ethereum.org RLP page
// (https://ethereum.org/en/developers/docs/data-structures-and-encoding/rlp/,
// sections "Definition" and "RLP decoding") and in the Ethereum yellow
// paper, appendix B.
//
// # Encoding
//
// Encode, EncodeToBytes and AppendToBytes map Go values to RLP:
//
//   - bool: 0x01 for true, 0x80 for false.
//   - unsigned integers of every width, *big.Int and big.Int: big-endian
//     without leading zeros (zero is the empty string 0x80). Negative big
//     integers cannot be encoded. Signed integers and floats are not
//     supported.
//   - []byte, [N]byte and string: a string. A single byte below 0x80 is
//     its own encoding.
//   - other slices and arrays: a list of the elements.
//   - structs: a list of the exported fields in declaration order.
//   - pointers: the value pointed to. A nil pointer is the empty value of
//     the pointee's kind: 0x80 for integers, strings, byte arrays and bools,
//     0xC0 for everything else (struct tags can choose).
//   - interfaces: the value held; a nil interface is 0xC0.
//   - RawValue: written as is.
//   - types implementing Encoder: whatever EncodeRLP writes.
//
// # Struct tags
//
//   - rlp:"-" leaves a field out.
//   - rlp:"optional" marks a trailing field that may be absent. Trailing
//     zero-valued optional fields are not encoded; absent ones decode to
//     zero. Every field after an optional one must be optional or tail.
//   - rlp:"tail" on the last field, a slice, takes all remaining list
//     elements (EIP-8 forward compatibility).
//   - rlp:"nil", rlp:"nilString", rlp:"nilList" on a pointer field: an
//     empty value (of the pointee's kind, or the named kind) decodes to a
//     nil pointer. Without these tags an empty value decodes into a newly
//     allocated zero value.
//
// Invalid tags are reported as errors naming the struct and the field.
//
// # Decoding is strict
//
// Decode, DecodeBytes and Stream accept only the canonical encoding of a
// value, so that every value has exactly one encoding (signatures and
// hashes over RLP rely on this). They reject:
//
//   - integers with leading zero bytes, including 0x00 for zero
//     (ErrCanonInt);
//   - a single byte below 0x80 wrapped as a one-byte string (81 05), a
//     long-form size for a payload under 56 bytes, and sizes with leading
//     zero bytes (ErrCanonSize);
//   - a value larger than the remaining input (ErrValueTooLarge) or than
//     its enclosing list (ErrElemTooLarge);
//   - integers too large for the target type (ErrUintOverflow), a list
//     where a string is expected and the reverse (ErrExpectedString,
//     ErrExpectedList), wrong element counts and byte-array sizes;
//   - any data after the value in DecodeBytes (ErrMoreThanOneValue);
//   - lists nested deeper than 1024 levels (ErrTooDeep), a bound of this
//     package that keeps hostile input from exhausting the stack.
//
// Decoding into RawValue (and Stream.Raw) checks the nested structure too.
// Decoding fills existing values where it can: a []byte or slice keeps its
// capacity, a non-nil pointer is decoded into, and absent optional fields
// are reset to zero. Decoding into an empty interface gives []byte for
// strings and []any for lists.
// Errors wrap the sentinels above (use errors.Is) and say where they
// happened, e.g.
//
//	rlp: non-canonical integer (leading zero bytes) for uint64, decoding into (pkg.T).Field
//
// # Untrusted input
//
// A Stream has an input limit. No value may extend past it, and every
// allocation is checked against it before it is made, so a hostile size
// prefix cannot allocate more than the input holds. The limit is set with
// NewStream, or taken automatically from readers with a Len method such as
// *bytes.Reader, *bytes.Buffer and *strings.Reader. Without any limit, strings are read in
// chunks so that memory grows only with the data actually received.
//
// # Compatibility with go-ethereum
//
// Encodings are byte-identical to go-ethereum's rlp package, and decoding
// gives the same values (interop/rlp_test.go checks both directions), with
// these deliberate differences: RawValue contents and Stream.Raw are
// checked for canonical form (go-ethereum copies them unchecked); lists may
// nest at most 1024 levels; and a value passed by value whose EncodeRLP has
// a pointer receiver is encoded from a copy instead of being refused.
//
// # Zero-copy helpers
//
// Split, SplitString, SplitList, SplitUint64, CountValues and the iterators
// Values and Elems work on byte slices without allocating, for codecs that
// take messages apart by hand.
//
// # Example
//
//	type Ping struct {
//		Version    uint
//		Expiration uint64
//		ENRSeq     uint64 `rlp:"optional"`
//		Rest       []rlp.RawValue `rlp:"tail"`
//	}
//	b, err := rlp.EncodeToBytes(&Ping{Version: 4, Expiration: 1700000000})
//	...
//	var p Ping
//	err = rlp.DecodeBytes(b, &p)
//
//	// Reading a message of known size from a connection:
//	s := rlp.NewStream(conn, uint64(size))
//	if _, err := s.List(); err != nil { ... }
//	code, err := s.Uint64()
package rlp
