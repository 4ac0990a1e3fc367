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

func decodePacket(ptype byte, data []byte) (Packet, error) {
	var (
		p   Packet
		err error
	)
	content, _, err := rlp.SplitList(data) // data after the list is ignored (EIP-8)
	if err != nil {
		return nil, fmt.Errorf("v4wire: packet type %d: %w", ptype, err)
	}
	l := elems{rest: content}
	switch ptype {
	case PingPacket:
		p, err = decodePing(&l)
	case PongPacket:
		p, err = decodePong(&l)
	case FindnodePacket:
		p, err = decodeFindnode(&l)
	case NeighborsPacket:
		p, err = decodeNeighbors(&l)
	case ENRRequestPacket:
		p, err = decodeENRRequest(&l)
	case ENRResponsePacket:
		p, err = decodeENRResponse(&l)
	default:
		return nil, fmt.Errorf("%w: %d", ErrUnknownType, ptype)
	}
	if err != nil {
		return nil, fmt.Errorf("v4wire: decode type %d: %w", ptype, err)
	}
	return p, nil
}

func decodePing(l *elems) (*Ping, error) {
	p := new(Ping)
	version, err := l.uint64("version")
	if err != nil {
		return nil, err
	}
	if version > math.MaxUint {
		return nil, errors.New("version too large")
	}
	p.Version = uint(version)
	if p.From, err = l.endpoint("from"); err != nil {
		return nil, err
	}
	if p.To, err = l.endpoint("to"); err != nil {
		return nil, err
	}
	if p.Expiration, err = l.uint64("expiration"); err != nil {
		return nil, err
	}
	if p.ENRSeq, err = l.optionalSeq(); err != nil {
		return nil, err
	}
	p.Rest, err = l.tail()
	return p, err
}

func decodePong(l *elems) (*Pong, error) {
	p := new(Pong)
	var err error
	if p.To, err = l.endpoint("to"); err != nil {
		return nil, err
	}
	if p.ReplyTok, err = l.bytes("ping-hash"); err != nil {
		return nil, err
	}
	if p.Expiration, err = l.uint64("expiration"); err != nil {
		return nil, err
	}
	if p.ENRSeq, err = l.optionalSeq(); err != nil {
		return nil, err
	}
	p.Rest, err = l.tail()
	return p, err
}

func decodeFindnode(l *elems) (*Findnode, error) {
	p := new(Findnode)
	var err error
	if p.Target, err = l.pubkey("target"); err != nil {
		return nil, err
	}
	if p.Expiration, err = l.uint64("expiration"); err != nil {
		return nil, err
	}
	p.Rest, err = l.tail()
	return p, err
}

func decodeNeighbors(l *elems) (*Neighbors, error) {
	p := new(Neighbors)
	nodes, err := l.list("nodes")
	if err != nil {
		return nil, err
	}
	// The count is bounded by the packet: each node takes at least 70 bytes.
	count, err := rlp.CountValues(nodes.rest)
	if err != nil {
		return nil, fmt.Errorf("nodes: %w", err)
	}
	if count > 0 {
		p.Nodes = make([]Node, 0, count)
	}
	for nodes.more() {
		nl, err := nodes.list("node")
		if err != nil {
			return nil, err
		}
		var n Node
		if n.IP, err = nl.ip("node ip"); err != nil {
			return nil, err
		}
		if n.UDP, err = nl.uint16("node udp"); err != nil {
			return nil, err
		}
		if n.TCP, err = nl.uint16("node tcp"); err != nil {
			return nil, err
		}
		if n.ID, err = nl.pubkey("node id"); err != nil {
			return nil, err
		}
		if _, err := nl.tail(); err != nil { // extra node elements are ignored
			return nil, err
		}
		p.Nodes = append(p.Nodes, n)
	}
	if p.Expiration, err = l.uint64("expiration"); err != nil {
		return nil, err
	}
	p.Rest, err = l.tail()
	return p, err
}

func decodeENRRequest(l *elems) (*ENRRequest, error) {
	p := new(ENRRequest)
	var err error
	if p.Expiration, err = l.uint64("expiration"); err != nil {
		return nil, err
	}
	p.Rest, err = l.tail()
	return p, err
}

func decodeENRResponse(l *elems) (*ENRResponse, error) {
	p := new(ENRResponse)
	var err error
	if p.ReplyTok, err = l.bytes("request-hash"); err != nil {
		return nil, err
	}
	raw, err := l.raw("record")
	if err != nil {
		return nil, err
	}
	if err := rlp.DecodeBytes(raw, &p.Record); err != nil {
		return nil, fmt.Errorf("record: %w", err)
	}
	p.Rest, err = l.tail()
	return p, err
}

// elems reads the elements of an RLP list one by one.
type elems struct{ rest []byte }

func (l *elems) more() bool { return len(l.rest) > 0 }

// next splits off the next element; raw is its whole encoding.
func (l *elems) next(name string) (k rlp.Kind, content, raw []byte, err error) {
	if len(l.rest) == 0 {
		return 0, nil, nil, fmt.Errorf("%s: missing (list too short)", name)
	}
	k, content, rest, err := rlp.Split(l.rest)
	if err != nil {
		return 0, nil, nil, fmt.Errorf("%s: %w", name, err)
	}
	raw = l.rest[:len(l.rest)-len(rest)]
	l.rest = rest
	return k, content, raw, nil
}

func (l *elems) raw(name string) ([]byte, error) {
	_, _, raw, err := l.next(name)
	return raw, err
}

func (l *elems) uint64(name string) (uint64, error) {
	if len(l.rest) == 0 {
		return 0, fmt.Errorf("%s: missing (list too short)", name)
	}
	x, rest, err := rlp.SplitUint64(l.rest)
	if err != nil {
		return 0, fmt.Errorf("%s: %w", name, err)
	}
	l.rest = rest
	return x, nil
}

func (l *elems) uint16(name string) (uint16, error) {
	x, err := l.uint64(name)
	if err != nil {
		return 0, err
	}
	if x > math.MaxUint16 {
		return 0, fmt.Errorf("%s: %d does not fit 16 bits", name, x)
	}
	return uint16(x), nil
}

func (l *elems) bytes(name string) ([]byte, error) {
	k, content, _, err := l.next(name)
	if err != nil {
		return nil, err
	}
	if k == rlp.List {
		return nil, fmt.Errorf("%s: %w", name, rlp.ErrExpectedString)
	}
	return content, nil
}

func (l *elems) list(name string) (elems, error) {
	k, content, _, err := l.next(name)
	if err != nil {
		return elems{}, err
	}
	if k != rlp.List {
		return elems{}, fmt.Errorf("%s: %w", name, rlp.ErrExpectedList)
	}
	return elems{rest: content}, nil
}

func (l *elems) pubkey(name string) (Pubkey, error) {
	var key Pubkey
	b, err := l.bytes(name)
	if err != nil {
		return key, err
	}
	if len(b) != len(key) {
		return key, fmt.Errorf("%s: %d bytes, want %d", name, len(b), len(key))
	}
	copy(key[:], b)
	return key, nil
}

// ip reads an IP address: 4 bytes are IPv4, 16 bytes IPv6 (v4-mapped ones
// become IPv4). Other lengths, which go-ethereum also accepts, give the zero
// Addr: the endpoint is then unusable, but the packet still decodes.
func (l *elems) ip(name string) (netip.Addr, error) {
	b, err := l.bytes(name)
	if err != nil {
		return netip.Addr{}, err
	}
	switch len(b) {
	case 4:
		return netip.AddrFrom4([4]byte(b)), nil
	case 16:
		return netip.AddrFrom16([16]byte(b)).Unmap(), nil
	default:
		return netip.Addr{}, nil
	}
}

func (l *elems) endpoint(name string) (Endpoint, error) {
	var e Endpoint
	el, err := l.list(name)
	if err != nil {
		return e, err
	}
	// Field names are joined only on error: building them up front would
	// allocate on every packet.
	if e.IP, err = el.ip("ip"); err != nil {
		return e, fmt.Errorf("%s %w", name, err)
	}
	if e.UDP, err = el.uint16("udp"); err != nil {
		return e, fmt.Errorf("%s %w", name, err)
	}
	if e.TCP, err = el.uint16("tcp"); err != nil {
		return e, fmt.Errorf("%s %w", name, err)
	}
	if _, err = el.tail(); err != nil { // extra endpoint elements are ignored (EIP-8)
		return e, fmt.Errorf("%s %w", name, err)
	}
	return e, nil
}

// optionalSeq reads the optional enr-seq of Ping and Pong (EIP-868). A list
// in its place is left for the tail (see Decode).
func (l *elems) optionalSeq() (uint64, error) {
	if !l.more() {
		return 0, nil
	}
	k, _, _, err := rlp.Split(l.rest)
	if err != nil {
		return 0, fmt.Errorf("enr-seq: %w", err)
	}
	if k == rlp.List {
		return 0, nil
	}
	return l.uint64("enr-seq")
}

// tail returns the remaining elements, each as its raw encoding.
func (l *elems) tail() ([]rlp.RawValue, error) {
	var rest []rlp.RawValue
	for l.more() {
		raw, err := l.raw("extra element")
		if err != nil {
			return nil, err
		}
		rest = append(rest, rlp.RawValue(raw))
	}
	return rest, nil
}
