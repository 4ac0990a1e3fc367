package v4wire

import (
	"crypto/ecdsa"
	"fmt"
	"net/netip"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/rlp"
)

// Encode encodes and signs a packet: hash ‖ signature ‖ type ‖ RLP(packet),
// where signature = sign(keccak256(type ‖ RLP)) and hash =
// keccak256(signature ‖ type ‖ RLP). It returns the packet and its hash (the
// token a reply carries). A packet longer than MaxPacketSize is an error
// (ErrTooBig): the caller must split Neighbors into packets of at most
// MaxNeighbors nodes.
func Encode(priv *ecdsa.PrivateKey, p Packet) (packet, hash []byte, err error) {
	b := make([]byte, headSize, 256)
	b[headSize-1] = p.Kind()
	if b, err = appendPacket(b, p); err != nil {
		return nil, nil, err
	}
	if len(b) > MaxPacketSize {
		return nil, nil, fmt.Errorf("%w: %s of %d bytes", ErrTooBig, p.Name(), len(b))
	}
	sig, err := crypto.Sign(crypto.Keccak256(b[headSize-1:]), priv)
	if err != nil {
		return nil, nil, fmt.Errorf("v4wire: sign: %w", err)
	}
	copy(b[macSize:], sig)
	hash = crypto.Keccak256(b[macSize:])
	copy(b, hash)
	return b, hash, nil
}

// appendPacket appends the RLP list of p's fields.
func appendPacket(b []byte, p Packet) ([]byte, error) {
	start := len(b)
	switch p := p.(type) {
	case *Ping:
		b = rlp.AppendUint64(b, uint64(p.Version))
		b = appendEndpoint(b, p.From)
		b = appendEndpoint(b, p.To)
		b = rlp.AppendUint64(b, p.Expiration)
		b = appendOptionalSeq(b, p.ENRSeq, p.Rest)
	case *Pong:
		b = appendEndpoint(b, p.To)
		b = appendString(b, p.ReplyTok)
		b = rlp.AppendUint64(b, p.Expiration)
		b = appendOptionalSeq(b, p.ENRSeq, p.Rest)
	case *Findnode:
		b = appendString(b, p.Target[:])
		b = rlp.AppendUint64(b, p.Expiration)
	case *Neighbors:
		nodes := len(b)
		for _, n := range p.Nodes {
			node := len(b)
			b = appendIP(b, n.IP)
			b = rlp.AppendUint64(b, uint64(n.UDP))
			b = rlp.AppendUint64(b, uint64(n.TCP))
			b = appendString(b, n.ID[:])
			b = wrapList(b, node)
		}
		b = wrapList(b, nodes)
		b = rlp.AppendUint64(b, p.Expiration)
	case *ENRRequest:
		b = rlp.AppendUint64(b, p.Expiration)
	case *ENRResponse:
		b = appendString(b, p.ReplyTok)
		rec, err := rlp.EncodeToBytes(&p.Record)
		if err != nil {
			return nil, fmt.Errorf("v4wire: encode record: %w", err)
		}
		b = append(b, rec...)
	default:
		return nil, fmt.Errorf("%w: %T", ErrUnknownType, p)
	}
	b = appendRest(b, p)
	return wrapList(b, start), nil
}

// appendOptionalSeq writes ENRSeq when it is set, or when elements follow it
// (the position must then be filled: it is not the tail yet).
func appendOptionalSeq(b []byte, seq uint64, rest []rlp.RawValue) []byte {
	if seq != 0 || len(rest) > 0 {
		b = rlp.AppendUint64(b, seq)
	}
	return b
}

func appendRest(b []byte, p Packet) []byte {
	var rest []rlp.RawValue
	switch p := p.(type) {
	case *Ping:
		rest = p.Rest
	case *Pong:
		rest = p.Rest
	case *Findnode:
		rest = p.Rest
	case *Neighbors:
		rest = p.Rest
	case *ENRRequest:
		rest = p.Rest
	case *ENRResponse:
		rest = p.Rest
	}
	for _, r := range rest {
		b = append(b, r...)
	}
	return b
}

func appendEndpoint(b []byte, e Endpoint) []byte {
	start := len(b)
	b = appendIP(b, e.IP)
	b = rlp.AppendUint64(b, uint64(e.UDP))
	b = rlp.AppendUint64(b, uint64(e.TCP))
	return wrapList(b, start)
}

// appendIP writes 4 bytes for IPv4, 16 for IPv6 and nothing (the empty
// string) for the zero Addr.
func appendIP(b []byte, ip netip.Addr) []byte {
	switch {
	case ip.Is4():
		a := ip.As4()
		return appendString(b, a[:])
	case ip.IsValid():
		a := ip.As16()
		return appendString(b, a[:])
	default:
		return appendString(b, nil)
	}
}

// appendString appends the RLP encoding of the byte string s.
func appendString(b, s []byte) []byte {
	if len(s) == 1 && s[0] < 0x80 {
		return append(b, s[0])
	}
	b = appendHeader(b, 0x80, len(s))
	return append(b, s...)
}

// wrapList turns b[start:] into an RLP list by inserting the list header at
// start; the content moves right by the header's length.
func wrapList(b []byte, start int) []byte {
	size := len(b) - start
	var hbuf [9]byte
	h := appendHeader(hbuf[:0], 0xC0, size)
	b = append(b, h...)
	copy(b[start+len(h):], b[start:start+size])
	copy(b[start:], h)
	return b
}

// appendHeader appends the RLP header of a string (base 0x80) or list (base
// 0xC0) with size bytes of content.
func appendHeader(b []byte, base byte, size int) []byte {
	if size < 56 {
		return append(b, base+byte(size))
	}
	n := 0
	for x := size; x > 0; x >>= 8 {
		n++
	}
	b = append(b, base+55+byte(n))
	for i := n - 1; i >= 0; i-- {
		b = append(b, byte(size>>(8*i)))
	}
	return b
}
