package devp2p

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/rlp"
)

// Msg is one devp2p message. Code is relative to the protocol that reads or
// writes it: a protocol's Run sees codes 0…Length-1, whatever offset the
// session gave it.
//
// Payload must be read (or discarded) before the next ReadMsg of the same
// protocol; the Size bytes of a received message are already in memory, so
// reading never blocks on the network.
type Msg struct {
	Code       uint64
	Size       uint32 // size of the (uncompressed) payload
	Payload    io.Reader
	ReceivedAt time.Time

	meterCap  Cap    // protocol this message belongs to, for events
	meterCode uint64 // Code relative to meterCap
	meterSize uint32 // bytes on the wire
}

// Decode parses the RLP content of a message into val. The stream is limited
// to Size bytes, so a hostile length prefix inside the payload cannot make the
// decoder allocate more than the message holds.
func (msg Msg) Decode(val any) error {
	s := rlp.NewStream(msg.Payload, uint64(msg.Size))
	if err := s.Decode(val); err != nil {
		return newPeerError(DiscProtocolError, "invalid message (code %#x, size %d): %v", msg.Code, msg.Size, err)
	}
	return nil
}

func (msg Msg) String() string {
	return fmt.Sprintf("msg #%v (%v bytes)", msg.Code, msg.Size)
}

// Discard reads any remaining payload data into a black hole.
func (msg Msg) Discard() error {
	if msg.Payload == nil {
		return nil
	}
	_, err := io.Copy(io.Discard, msg.Payload)
	return err
}

// Time returns when the message was received.
func (msg Msg) Time() time.Time { return msg.ReceivedAt }

// MsgReader reads messages of one protocol.
type MsgReader interface {
	ReadMsg() (Msg, error)
}

// MsgWriter writes messages of one protocol. WriteMsg returns once the
// message has been handed to the connection (or failed): on a peer's
// connection that means queued for sending, in order, like data handed to a
// socket; a later send failure ends the session and fails later writes. The
// payload must not be used afterwards by the caller.
type MsgWriter interface {
	WriteMsg(Msg) error
}

// MsgReadWriter is what a protocol's Run gets: its own slice of the
// connection's message-code space.
type MsgReadWriter interface {
	MsgReader
	MsgWriter
}

// Send encodes data as RLP and writes it as a message with the given code.
func Send(w MsgWriter, msgcode uint64, data any) error {
	b, err := rlp.EncodeToBytes(data)
	if err != nil {
		return err
	}
	return w.WriteMsg(Msg{Code: msgcode, Size: uint32(len(b)), Payload: bytes.NewReader(b)})
}

// SendItems writes a message whose content is the RLP list of elems.
//
//	SendItems(w, code, a, b, c)  // sends [a, b, c]
func SendItems(w MsgWriter, msgcode uint64, elems ...any) error {
	return Send(w, msgcode, elems)
}

// payloadBytes reads the Size bytes of msg.Payload into buf, growing it when
// it is too small, and returns the filled slice.
func payloadBytes(msg Msg, buf []byte) ([]byte, error) {
	if msg.Payload == nil {
		return buf[:0], nil
	}
	if cap(buf) < int(msg.Size) {
		buf = make([]byte, msg.Size)
	}
	buf = buf[:msg.Size]
	if _, err := io.ReadFull(msg.Payload, buf); err != nil {
		return nil, fmt.Errorf("read message payload: %w", err)
	}
	return buf, nil
}

// ErrPipeClosed is returned by the ends of a MsgPipe after Close.
var ErrPipeClosed = errors.New("p2p: read or write on closed message pipe")

// MsgPipe creates a message pipe: messages written to one end are read from
// the other. It lets protocol implementations be tested without a network.
// WriteMsg returns once the other end has received the message.
func MsgPipe() (*MsgPipeRW, *MsgPipeRW) {
	var (
		c1, c2  = make(chan Msg), make(chan Msg)
		closing = make(chan struct{})
		once    = new(sync.Once)
		rw1     = &MsgPipeRW{w: c1, r: c2, closing: closing, once: once}
		rw2     = &MsgPipeRW{w: c2, r: c1, closing: closing, once: once}
	)
	return rw1, rw2
}

// MsgPipeRW is one end of a MsgPipe.
type MsgPipeRW struct {
	w       chan<- Msg
	r       <-chan Msg
	closing chan struct{}
	once    *sync.Once
}

// WriteMsg sends a message on the pipe. It copies the payload, so the
// caller may reuse it at once.
func (p *MsgPipeRW) WriteMsg(msg Msg) error {
	select {
	case <-p.closing:
		return ErrPipeClosed
	default:
	}
	data, err := payloadBytes(msg, nil)
	if err != nil {
		return err
	}
	msg.Payload = bytes.NewReader(data)
	msg.Size = uint32(len(data))
	select {
	case p.w <- msg:
		return nil
	case <-p.closing:
		return ErrPipeClosed
	}
}

// ReadMsg returns a message sent on the other end of the pipe.
func (p *MsgPipeRW) ReadMsg() (Msg, error) {
	select {
	case msg := <-p.r:
		msg.ReceivedAt = time.Now()
		return msg, nil
	case <-p.closing:
		return Msg{}, ErrPipeClosed
	}
}

// Close unblocks pending reads and writes on both ends of the pipe.
func (p *MsgPipeRW) Close() error {
	p.once.Do(func() { close(p.closing) })
	return nil
}

// ExpectMsg reads a message from r and checks that its code is code and, if
// content is non-nil, that its payload equals the RLP encoding of content. It
// is meant for protocol tests.
func ExpectMsg(r MsgReader, code uint64, content any) error {
	msg, err := r.ReadMsg()
	if err != nil {
		return err
	}
	if msg.Code != code {
		msg.Discard()
		return fmt.Errorf("message code mismatch: got %d, expected %d", msg.Code, code)
	}
	if content == nil {
		return msg.Discard()
	}
	want, err := rlp.EncodeToBytes(content)
	if err != nil {
		return fmt.Errorf("encode expected content: %w", err)
	}
	if uint32(len(want)) != msg.Size {
		msg.Discard()
		return fmt.Errorf("message size mismatch: got %d, want %d", msg.Size, len(want))
	}
	got, err := io.ReadAll(msg.Payload)
	if err != nil {
		return err
	}
	if !bytes.Equal(got, want) {
		return fmt.Errorf("message payload mismatch:\ngot:  %x\nwant: %x", got, want)
	}
	return nil
}
