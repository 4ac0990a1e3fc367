package v5wire

import (
	"errors"
	"fmt"
	"net"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/rlp"
)

// Message type codes (discv5-wire.md "Protocol Messages").
const (
	PingMsg     byte = 0x01
	PongMsg     byte = 0x02
	FindnodeMsg byte = 0x03
	NodesMsg    byte = 0x04
	TalkReqMsg  byte = 0x05
	TalkRespMsg byte = 0x06

	// Pseudo kinds for the non-message packets.
	UnknownPacket   byte = 0xFE
	WhoareyouPacket byte = 0xFF
)

// maxReqIDSize is the request-id limit (discv5-wire.md: "at most 8 bytes").
const maxReqIDSize = 8

// Packet is a decoded discv5 packet: a message, a WHOAREYOU challenge or an
// undecryptable message (Unknown).
type Packet interface {
	Name() string
	Kind() byte
	RequestID() []byte
	SetRequestID([]byte)
}

// Ping is PING (0x01): request-id, enr-seq.
type Ping struct {
	ReqID  []byte
	ENRSeq uint64
}

// Pong is PONG (0x02): request-id, enr-seq, recipient-ip, recipient-port.
type Pong struct {
	ReqID  []byte
	ENRSeq uint64
	ToIP   net.IP
	ToPort uint16
}

// Findnode is FINDNODE (0x03): request-id, distances.
type Findnode struct {
	ReqID     []byte
	Distances []uint
}

// Nodes is NODES (0x04): request-id, total, ENRs.
type Nodes struct {
	ReqID     []byte
	RespCount uint8 // total number of NODES messages in this response
	Nodes     []*enr.Record
}

// TalkRequest is TALKREQ (0x05): request-id, protocol, request.
type TalkRequest struct {
	ReqID    []byte
	Protocol string
	Message  []byte
}

// TalkResponse is TALKRESP (0x06): request-id, response.
type TalkResponse struct {
	ReqID   []byte
	Message []byte
}

// Whoareyou is the WHOAREYOU challenge. On encoding, Node (if known) tells
// which record seq to ask for; ChallengeData and Encoded are filled in.
type Whoareyou struct {
	ChallengeData []byte   // masking-iv ‖ static-header ‖ authdata, as sent
	Nonce         Nonce    // nonce of the packet that triggered the challenge
	IDNonce       [16]byte // id-nonce
	RecordSeq     uint64   // enr-seq: highest record seq we know of the recipient

	// Node is the recipient's record, if known; the handshake response may
	// then omit the record. Not on the wire.
	Node *enode.Node
	Sent mclock.AbsTime // when it was sent (for the challenge timeout)

	// Encoded is the packet as sent, kept so a lost challenge is re-sent as is.
	Encoded []byte
}

// Unknown is an ordinary message packet that could not be decrypted
// (no session or a wrong key): the caller answers with WHOAREYOU.
type Unknown struct {
	Nonce Nonce
}

func (*Ping) Name() string            { return "PING/v5" }
func (*Ping) Kind() byte              { return PingMsg }
func (p *Ping) RequestID() []byte     { return p.ReqID }
func (p *Ping) SetRequestID(b []byte) { p.ReqID = b }

func (*Pong) Name() string            { return "PONG/v5" }
func (*Pong) Kind() byte              { return PongMsg }
func (p *Pong) RequestID() []byte     { return p.ReqID }
func (p *Pong) SetRequestID(b []byte) { p.ReqID = b }

func (*Findnode) Name() string            { return "FINDNODE/v5" }
func (*Findnode) Kind() byte              { return FindnodeMsg }
func (p *Findnode) RequestID() []byte     { return p.ReqID }
func (p *Findnode) SetRequestID(b []byte) { p.ReqID = b }

func (*Nodes) Name() string            { return "NODES/v5" }
func (*Nodes) Kind() byte              { return NodesMsg }
func (p *Nodes) RequestID() []byte     { return p.ReqID }
func (p *Nodes) SetRequestID(b []byte) { p.ReqID = b }

func (*TalkRequest) Name() string            { return "TALKREQ/v5" }
func (*TalkRequest) Kind() byte              { return TalkReqMsg }
func (p *TalkRequest) RequestID() []byte     { return p.ReqID }
func (p *TalkRequest) SetRequestID(b []byte) { p.ReqID = b }

func (*TalkResponse) Name() string            { return "TALKRESP/v5" }
func (*TalkResponse) Kind() byte              { return TalkRespMsg }
func (p *TalkResponse) RequestID() []byte     { return p.ReqID }
func (p *TalkResponse) SetRequestID(b []byte) { p.ReqID = b }

func (*Whoareyou) Name() string        { return "WHOAREYOU/v5" }
func (*Whoareyou) Kind() byte          { return WhoareyouPacket }
func (*Whoareyou) RequestID() []byte   { return nil }
func (*Whoareyou) SetRequestID([]byte) {}

func (*Unknown) Name() string        { return "UNKNOWN/v5" }
func (*Unknown) Kind() byte          { return UnknownPacket }
func (*Unknown) RequestID() []byte   { return nil }
func (*Unknown) SetRequestID([]byte) {}

// IsRequest reports whether p is a request message that expects a response.
func IsRequest(p Packet) bool {
	switch p.Kind() {
	case PingMsg, FindnodeMsg, TalkReqMsg:
		return true
	}
	return false
}

var (
	errInvalidReqID   = errors.New("request-id too long")
	errUnknownMsgType = errors.New("unknown message type")
	errEmptyMessage   = errors.New("empty message")
)

// EncodeMessage returns the plaintext of a message: type byte ‖ rlp(list).
func EncodeMessage(p Packet) ([]byte, error) {
	if !isMessage(p.Kind()) {
		return nil, fmt.Errorf("%s is not a message", p.Name())
	}
	if len(p.RequestID()) > maxReqIDSize {
		return nil, errInvalidReqID
	}
	enc, err := rlp.EncodeToBytes(p)
	if err != nil {
		return nil, err
	}
	return append([]byte{p.Kind()}, enc...), nil
}

func isMessage(k byte) bool { return k >= PingMsg && k <= TalkRespMsg }

// DecodeMessage decodes a message plaintext (type byte ‖ rlp list).
func DecodeMessage(b []byte) (Packet, error) {
	if len(b) < 1 {
		return nil, errEmptyMessage
	}
	var p Packet
	switch b[0] {
	case PingMsg:
		p = new(Ping)
	case PongMsg:
		p = new(Pong)
	case FindnodeMsg:
		p = new(Findnode)
	case NodesMsg:
		p = new(Nodes)
	case TalkReqMsg:
		p = new(TalkRequest)
	case TalkRespMsg:
		p = new(TalkResponse)
	default:
		return nil, fmt.Errorf("%w %d", errUnknownMsgType, b[0])
	}
	if err := rlp.DecodeBytes(b[1:], p); err != nil {
		return nil, fmt.Errorf("invalid %s: %w", p.Name(), err)
	}
	if len(p.RequestID()) > maxReqIDSize {
		return nil, errInvalidReqID
	}
	return p, nil
}
