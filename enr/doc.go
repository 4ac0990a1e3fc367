// Package enr implements Ethereum Node Records as defined in EIP-778
// (https://eips.ethereum.org/EIPS/eip-778, also
// https://github.com/ethereum/devp2p/blob/master/enr.md).
//
// A record holds a sequence number, key/value pairs sorted by key with unique
// keys, and a signature made under an identity scheme (the "v4" scheme lives
// in package enode, which has the secp256k1 code). Its RLP encoding is
// [signature, seq, k, v, ...] and is at most SizeLimit (300) bytes; the text
// form is "enr:" followed by the URL-safe base64 of the RLP, without padding.
//
// Decoding is strict: unsorted or duplicate keys, records over 300 bytes,
// incomplete key/value pairs, malformed RLP and malformed values of the
// pre-defined keys (ip, ip6, tcp, udp, tcp6, udp6, id) are errors, returned as
// the sentinel values below (test with errors.Is). DecodeRLP and
// DecodeRecordUnverified check structure only; DecodeRecord and ParseText also
// verify the signature under the given identity scheme(s).
//
// Example:
//
//	var r enr.Record
//	r.Set(enr.IPv4(netip.MustParseAddr("127.0.0.1")))
//	r.Set(enr.UDP(30303))
//	enode.SignV4(&r, key)       // sets "id", "secp256k1" and the signature
//	text, _ := r.Text()         // "enr:-IS4Q..."
//
//	rec, err := enr.ParseText(text, enode.ValidSchemes)
//	var udp enr.UDP
//	err = rec.Load(&udp)
package enr
