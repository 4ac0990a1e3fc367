package v4wire

import (
	"crypto/ecdsa"
	"errors"
	"net/netip"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

// Packet types (discv4.md, Wire Protocol; ENR packets from EIP-868).
const (
	PingPacket        = 1
	PongPacket        = 2
	FindnodePacket    = 3
	NeighborsPacket   = 4
	ENRRequestPacket  = 5
	ENRResponsePacket = 6
)

// Sizes (discv4.md, Wire Protocol).
const (
	MaxPacketSize = 1280 // bytes; "The maximum size of any packet is 1280 bytes"

	macSize  = 32                     // keccak256 hash at the start of a packet
	sigSize  = crypto.SignatureLength // 65: R ‖ S ‖ V
	headSize = macSize + sigSize + 1  // hash ‖ signature ‖ packet-type = 98
	minSize  = headSize + 1           // the smallest packet: header and one RLP byte

	// MaxNeighbors is the most nodes that fit in one Neighbors packet of at
	// most MaxPacketSize bytes, each node with an IPv6 address, maximal ports
	// and a maximal expiration: 98 header + 3 list + 3 nodes list + 12 × 91
	// per node + 9 expiration = 1205 bytes; 13 nodes would need 1296.
	// TestMaxNeighbors checks this against the encoder.
	MaxNeighbors = 12
)

// Errors returned by Decode. Decode wraps them with detail; use errors.Is.
var (
	ErrPacketTooSmall = errors.New("v4wire: packet too small")
	ErrTooBig         = errors.New("v4wire: packet too big")
	ErrBadHash        = errors.New("v4wire: bad hash")
	ErrBadSignature   = errors.New("v4wire: bad signature")
	ErrBadPoint       = errors.New("v4wire: invalid public key")
	ErrUnknownType    = errors.New("v4wire: unknown packet type")
)

// Packet is one of the six discv4 packets: *Ping, *Pong, *Findnode,
// *Neighbors, *ENRRequest, *ENRResponse.
type Packet interface {
	// Name is the packet's name for logs, like "PING/v4".
	Name() string
	// Kind is the packet type byte.
	Kind() byte
}

// Ping asks a node to answer with a Pong; it is the endpoint proof's first
// half.
type Ping struct {
	Version    uint
	From, To   Endpoint
	Expiration uint64
	ENRSeq     uint64 // optional (EIP-868); 0 when absent
	// Rest holds the list elements after the known fields (EIP-8): they are
	// ignored, and kept only so that a packet can be re-encoded.
	Rest []rlp.RawValue
}

// Pong answers a Ping.
type Pong struct {
	// To is the endpoint the ping was sent from, as the recipient saw it.
	// It lets a node learn its external address.
	To         Endpoint
	ReplyTok   []byte // hash of the Ping packet
	Expiration uint64
	ENRSeq     uint64 // optional (EIP-868); 0 when absent
	Rest       []rlp.RawValue
}

// Findnode asks for the nodes closest to Target.
type Findnode struct {
	Target     Pubkey
	Expiration uint64
	Rest       []rlp.RawValue
}

// Neighbors answers a Findnode, with at most MaxNeighbors nodes per packet.
type Neighbors struct {
	Nodes      []Node
	Expiration uint64
	Rest       []rlp.RawValue
}

// ENRRequest asks for the recipient's node record (EIP-868).
type ENRRequest struct {
	Expiration uint64
	Rest       []rlp.RawValue
}

// ENRResponse answers an ENRRequest (EIP-868).
type ENRResponse struct {
	ReplyTok []byte // hash of the ENRRequest packet
	Record   enr.Record
	Rest     []rlp.RawValue
}

// Endpoint is a node's address as carried in Ping, Pong and Neighbors.
type Endpoint struct {
	IP  netip.Addr // the zero Addr when the packet carried no usable IP
	UDP uint16
	TCP uint16
}

// NewEndpoint makes an Endpoint from a UDP address and a TCP port.
func NewEndpoint(addr netip.AddrPort, tcpPort uint16) Endpoint {
	return Endpoint{IP: addr.Addr().Unmap(), UDP: addr.Port(), TCP: tcpPort}
}

// Node is one entry of a Neighbors packet.
type Node struct {
	IP  netip.Addr
	UDP uint16
	TCP uint16
	ID  Pubkey
}

// Pubkey is a secp256k1 public key as carried in discv4 packets: the 64
// bytes X ‖ Y, without the 0x04 prefix. The bytes come from the network and
// may not be a point on the curve; DecodePubkey checks.
type Pubkey [64]byte

// ID returns the node ID of the key, keccak256(X ‖ Y).
func (e Pubkey) ID() enode.ID {
	return enode.ID(crypto.Keccak256Hash(e[:]))
}

// EncodePubkey converts a public key to its wire form.
func EncodePubkey(key *ecdsa.PublicKey) Pubkey {
	var e Pubkey
	copy(e[:], crypto.FromECDSAPub(key)[1:])
	return e
}

// DecodePubkey converts a wire key to a public key. It fails with ErrBadPoint
// for bytes that are not a point on secp256k1 (off the curve, coordinates
// ≥ p, or the point at infinity): such keys crashed go-ethereum (CVE-2025-24883).
func DecodePubkey(e Pubkey) (*ecdsa.PublicKey, error) {
	var b [65]byte
	b[0] = 4
	copy(b[1:], e[:])
	key, err := crypto.UnmarshalPubkey(b[:])
	if err != nil {
		return nil, errors.Join(ErrBadPoint, err)
	}
	return key, nil
}

func (*Ping) Name() string        { return "PING/v4" }
func (*Ping) Kind() byte          { return PingPacket }
func (*Pong) Name() string        { return "PONG/v4" }
func (*Pong) Kind() byte          { return PongPacket }
func (*Findnode) Name() string    { return "FINDNODE/v4" }
func (*Findnode) Kind() byte      { return FindnodePacket }
func (*Neighbors) Name() string   { return "NEIGHBORS/v4" }
func (*Neighbors) Kind() byte     { return NeighborsPacket }
func (*ENRRequest) Name() string  { return "ENRREQUEST/v4" }
func (*ENRRequest) Kind() byte    { return ENRRequestPacket }
func (*ENRResponse) Name() string { return "ENRRESPONSE/v4" }
func (*ENRResponse) Kind() byte   { return ENRResponsePacket }
