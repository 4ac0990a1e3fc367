package v4wire

import (
	"bytes"
	"errors"
	"fmt"
	"math"
	"net/netip"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/rlp"
)

// Decode checks and decodes a packet. It verifies the hash, decodes the
// packet data and recovers the sender's key from the signature, cheapest
// check first: a packet with a bad hash or bad RLP costs no signature
// recovery. The returned packet and hash do not alias input, so the caller
// may reuse its buffer.
//
// Following EIP-8, extra list elements and data after the packet's list are
// accepted and ignored (extra elements are kept in Rest). A Ping or Pong whose
// fifth element is a list, not an integer (the EIP-8 test packets, written
// before EIP-868 put enr-seq there), decodes with ENRSeq 0 and that list in
// Rest; go-ethereum rejects those two packets.
func Decode(input []byte) (Packet, Pubkey, []byte, error) {
	var fromKey Pubkey
	switch {
	case len(input) < minSize:
		return nil, fromKey, nil, fmt.Errorf("%w: %d bytes", ErrPacketTooSmall, len(input))
	case len(input) > MaxPacketSize:
		return nil, fromKey, nil, fmt.Errorf("%w: %d bytes", ErrTooBig, len(input))
	}
	hash, sig, sigdata := input[:macSize], input[macSize:headSize-1], input[headSize-1:]
	if want := crypto.Keccak256Hash(input[macSize:]); !bytes.Equal(hash, want[:]) {
		return nil, fromKey, nil, ErrBadHash
	}
	// Copy once; the decoded fields alias the copy, never the caller's buffer.
	data := bytes.Clone(input[headSize:])
	p, err := decodePacket(input[headSize-1], data)
	if err != nil {
		return nil, fromKey, nil, err
	}
	pub, err := crypto.Ecrecover(crypto.Keccak256(sigdata), sig)
	if err != nil {
		return nil, fromKey, nil, errors.Join(ErrBadSignature, err)
	}
	if len(pub) != 65 {
		return nil, fromKey, nil, ErrBadSignature
	}
	copy(fromKey[:], pub[1:])
	return p, fromKey, bytes.Clone(hash), nil
}

// DecodeVerified decodes the packet data of a datagram whose hash and
// signature the caller has already verified, typically a copy of one that
// Decode accepted and whose sender's key it remembers. It recovers no key,
// which is the costly part of Decode; it still refuses a datagram too small
// or too large to be a packet, and packet data that does not decode. Like
// Decode, the packet it returns does not alias input.
func DecodeVerified(input []byte) (Packet, error) {
	switch {
	case len(input) < minSize:
		return nil, fmt.Errorf("%w: %d bytes", ErrPacketTooSmall, len(input))
	case len(input) > MaxPacketSize:
		return nil, fmt.Errorf("%w: %d bytes", ErrTooBig, len(input))
	}
	return decodePacket(input[headSize-1], bytes.Clone(input[headSize:]))
}

func decodePacket(ptype byte, data []byte) (Packet, error) {
	content, _, err := rlp.SplitList(data) // data after the list is ignored (EIP-8)
	if err != nil {
		return nil, fmt.Errorf("v4wire: packet type %d: %w", ptype, err)
	}
	l := elems{rest: content}
	var p Packet
	switch ptype {
	case PingPacket:
		p = decodePing(&l)
	case PongPacket:
		p = decodePong(&l)
	case FindnodePacket:
		p = decodeFindnode(&l)
	case NeighborsPacket:
		p = decodeNeighbors(&l)
	case ENRRequestPacket:
		p = decodeENRRequest(&l)
	case ENRResponsePacket:
		p = decodeENRResponse(&l)
	default:
		return nil, fmt.Errorf("%w: %d", ErrUnknownType, ptype)
	}
	if l.err != nil {
		return nil, fmt.Errorf("v4wire: decode type %d: %w", ptype, l.err)
	}
	return p, nil
}

// The decoders below read the fields in wire order. elems keeps the first
// error and turns later reads into no-ops, so they need not check each
// field; decodePacket checks l.err once at the end.

func decodePing(l *elems) *Ping {
	p := new(Ping)
	version := l.uint64("version")
	if version > math.MaxUint {
		l.fail(errors.New("version too large"))
	}
	p.Version = uint(version)
	p.From = l.endpoint("from")
	p.To = l.endpoint("to")
	p.Expiration = l.uint64("expiration")
	p.ENRSeq = l.optionalSeq()
	p.Rest = l.tail()
	return p
}

func decodePong(l *elems) *Pong {
	p := new(Pong)
	p.To = l.endpoint("to")
	p.ReplyTok = l.bytes("ping-hash")
	p.Expiration = l.uint64("expiration")
	p.ENRSeq = l.optionalSeq()
	p.Rest = l.tail()
	return p
}

func decodeFindnode(l *elems) *Findnode {
	p := new(Findnode)
	p.Target = l.pubkey("target")
	p.Expiration = l.uint64("expiration")
	p.Rest = l.tail()
	return p
}

func decodeNeighbors(l *elems) *Neighbors {
	p := new(Neighbors)
	nodes := l.list("nodes")
	// The count is bounded by the packet: each node takes at least 70 bytes.
	if count, err := rlp.CountValues(nodes.rest); err != nil {
		nodes.fail(fmt.Errorf("nodes: %w", err))
	} else if count > 0 {
		p.Nodes = make([]Node, 0, count)
	}
	for nodes.more() {
		nl := nodes.list("node")
		var n Node
		n.IP = nl.ip("node ip")
		n.UDP = nl.uint16("node udp")
		n.TCP = nl.uint16("node tcp")
		n.ID = nl.pubkey("node id")
		nl.tail() // extra node elements are ignored
		nodes.adopt(&nl)
		p.Nodes = append(p.Nodes, n)
	}
	l.adopt(&nodes)
	p.Expiration = l.uint64("expiration")
	p.Rest = l.tail()
	return p
}

func decodeENRRequest(l *elems) *ENRRequest {
	p := new(ENRRequest)
	p.Expiration = l.uint64("expiration")
	p.Rest = l.tail()
	return p
}

func decodeENRResponse(l *elems) *ENRResponse {
	p := new(ENRResponse)
	p.ReplyTok = l.bytes("request-hash")
	if raw := l.raw("record"); l.err == nil {
		if err := rlp.DecodeBytes(raw, &p.Record); err != nil {
			l.fail(fmt.Errorf("record: %w", err))
		}
	}
	p.Rest = l.tail()
	return p
}

// elems reads the elements of an RLP list one by one. It keeps the first
// error in err; after it, every read returns the zero value.
type elems struct {
	rest []byte
	err  error
}

// fail records err unless an error is recorded already.
func (l *elems) fail(err error) {
	if l.err == nil {
		l.err = err
	}
}

// adopt records the error of sub, a list read from l.
func (l *elems) adopt(sub *elems) { l.fail(sub.err) }

func (l *elems) more() bool { return l.err == nil && len(l.rest) > 0 }

// next splits off the next element; raw is its whole encoding. ok is false
// after an error.
func (l *elems) next(name string) (k rlp.Kind, content, raw []byte, ok bool) {
	if l.err != nil {
		return 0, nil, nil, false
	}
	if len(l.rest) == 0 {
		l.fail(fmt.Errorf("%s: missing (list too short)", name))
		return 0, nil, nil, false
	}
	k, content, rest, err := rlp.Split(l.rest)
	if err != nil {
		l.fail(fmt.Errorf("%s: %w", name, err))
		return 0, nil, nil, false
	}
	raw = l.rest[:len(l.rest)-len(rest)]
	l.rest = rest
	return k, content, raw, true
}

func (l *elems) raw(name string) []byte {
	_, _, raw, _ := l.next(name)
	return raw
}

func (l *elems) uint64(name string) uint64 {
	if l.err != nil {
		return 0
	}
	if len(l.rest) == 0 {
		l.fail(fmt.Errorf("%s: missing (list too short)", name))
		return 0
	}
	x, rest, err := rlp.SplitUint64(l.rest)
	if err != nil {
		l.fail(fmt.Errorf("%s: %w", name, err))
		return 0
	}
	l.rest = rest
	return x
}

func (l *elems) uint16(name string) uint16 {
	x := l.uint64(name)
	if x > math.MaxUint16 {
		l.fail(fmt.Errorf("%s: %d does not fit 16 bits", name, x))
		return 0
	}
	return uint16(x)
}

func (l *elems) bytes(name string) []byte {
	k, content, _, ok := l.next(name)
	if !ok {
		return nil
	}
	if k == rlp.List {
		l.fail(fmt.Errorf("%s: %w", name, rlp.ErrExpectedString))
		return nil
	}
	return content
}

// list returns the reader of the list element name. An error reading it is
// l's; errors inside it are the sub-reader's until l adopts them.
func (l *elems) list(name string) elems {
	k, content, _, ok := l.next(name)
	if ok && k != rlp.List {
		l.fail(fmt.Errorf("%s: %w", name, rlp.ErrExpectedList))
	}
	return elems{rest: content, err: l.err}
}

func (l *elems) pubkey(name string) Pubkey {
	var key Pubkey
	b := l.bytes(name)
	if l.err != nil {
		return key
	}
	if len(b) != len(key) {
		l.fail(fmt.Errorf("%s: %d bytes, want %d", name, len(b), len(key)))
		return key
	}
	copy(key[:], b)
	return key
}

// ip reads an IP address: 4 bytes are IPv4, 16 bytes IPv6 (v4-mapped ones
// become IPv4). Other lengths, which go-ethereum also accepts, give the zero
// Addr: the endpoint is then unusable, but the packet still decodes.
func (l *elems) ip(name string) netip.Addr {
	b := l.bytes(name)
	switch len(b) {
	case 4:
		return netip.AddrFrom4([4]byte(b))
	case 16:
		return netip.AddrFrom16([16]byte(b)).Unmap()
	default:
		return netip.Addr{}
	}
}

func (l *elems) endpoint(name string) Endpoint {
	var e Endpoint
	el := l.list(name)
	if el.err != nil {
		return e
	}
	// Names are joined only on error: building them up front would
	// allocate on every packet.
	e.IP = el.ip("ip")
	e.UDP = el.uint16("udp")
	e.TCP = el.uint16("tcp")
	el.tail() // extra endpoint elements are ignored (EIP-8)
	if el.err != nil {
		l.fail(fmt.Errorf("%s %w", name, el.err))
		return Endpoint{}
	}
	return e
}

// optionalSeq reads the optional enr-seq of Ping and Pong (EIP-868). A list
// in its place is left for the tail (see Decode).
func (l *elems) optionalSeq() uint64 {
	if !l.more() {
		return 0
	}
	k, _, _, err := rlp.Split(l.rest)
	if err != nil {
		l.fail(fmt.Errorf("enr-seq: %w", err))
		return 0
	}
	if k == rlp.List {
		return 0
	}
	return l.uint64("enr-seq")
}

// tail returns the remaining elements, each as its raw encoding.
func (l *elems) tail() []rlp.RawValue {
	var rest []rlp.RawValue
	for l.more() {
		raw := l.raw("extra element")
		if l.err != nil {
			return nil
		}
		rest = append(rest, rlp.RawValue(raw))
	}
	return rest
}
