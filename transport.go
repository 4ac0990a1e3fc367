package devp2p

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"
	"os"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/rlpx"
)

// Timeouts of an established connection (docs/SECURITY.md; go-ethereum
// uses the same values).
const (
	// frameReadTimeout is the longest a connection may stay silent. We ping
	// every pingInterval, so a live peer always sends something sooner.
	frameReadTimeout = 30 * time.Second
	// frameWriteTimeout bounds one message write; a peer that does not
	// read is dropped after it.
	frameWriteTimeout = 20 * time.Second
	// discWriteTimeout bounds the Disconnect message sent when closing.
	discWriteTimeout = 1 * time.Second
	// handshakeTimeout bounds the Hello exchange, as the RLPx handshake.
	handshakeTimeout = 5 * time.Second
)

// transport is a connection after TCP: the RLPx handshake, the Hello
// exchange, and then messages. The rlpx implementation is the only one in
// production; tests may substitute their own.
type transport interface {
	// doEncHandshake runs the RLPx handshake and returns the remote key.
	doEncHandshake(prv *ecdsa.PrivateKey) (*ecdsa.PublicKey, error)
	// doProtoHandshake sends our Hello and reads the remote's.
	doProtoHandshake(our *protoHandshake) (*protoHandshake, error)
	// ReadMsg reads the next message. admit sees the message's code and
	// decoded size before anything is decompressed or allocated for it; an
	// error from it is returned and the message dropped. The reservation it
	// returns (may be nil) travels with the payload.
	ReadMsg(admit admitFunc) (Msg, error)
	WriteMsg(Msg) error
	// interruptRead makes a blocked or later ReadMsg fail at once, leaving
	// the connection open for the Disconnect that close sends.
	interruptRead()
	// close sends a Disconnect with the reason err carries (reasonFor), if
	// any and once the RLPx handshake is done, and closes the connection. Safe to
	// call more than once and concurrently with a blocked WriteMsg.
	close(err error)
}

// timeouts used by rlpxTransport; tests shorten them.
type transportTimeouts struct {
	handshake, read, write, disc time.Duration
	firstAuth                    time.Duration // pending.go; 0: none but handshake
}

var defaultTimeouts = transportTimeouts{
	handshake: handshakeTimeout,
	read:      frameReadTimeout,
	write:     frameWriteTimeout,
	disc:      discWriteTimeout,
	firstAuth: firstAuthTimeout,
}

// rlpxTransport runs devp2p over an rlpx.Conn.
//
// Reads happen from one goroutine at a time (setup, then the peer's read
// loop). Writes may come from several goroutines: rlpx.Conn writes each
// message whole, so messages of different protocols never interleave on the
// wire. Every connected peer has one, so it is kept small.
type rlpxTransport struct {
	conn *rlpx.Conn
	fd   net.Conn
	to   *transportTimeouts

	// dlMu makes "not closing, so set the write deadline" atomic against
	// close, which shortens the deadline of a write in progress, and "not
	// interrupted, so set the read deadline" atomic against interruptRead.
	// It also guards ready, and closing makes close run once.
	dlMu        sync.Mutex
	closing     bool
	readStopped bool
	ready       bool // RLPx handshake done
}

func newRLPXTransport(fd net.Conn, dialDest *ecdsa.PublicKey, to transportTimeouts) transport {
	t := &rlpxTransport{conn: rlpx.NewConn(fd, dialDest), fd: fd, to: &defaultTimeouts}
	if to != defaultTimeouts {
		t.to = &to // tests; a connection of the Server shares the defaults
	}
	return t
}

func (t *rlpxTransport) doEncHandshake(prv *ecdsa.PrivateKey) (*ecdsa.PublicKey, error) {
	t.conn.SetDeadline(time.Now().Add(t.to.handshake))
	pub, err := t.conn.Handshake(prv)
	if err != nil {
		return nil, err
	}
	t.dlMu.Lock()
	t.ready = true
	t.dlMu.Unlock()
	return pub, nil
}

func (t *rlpxTransport) doProtoHandshake(our *protoHandshake) (*protoHandshake, error) {
	enc, err := our.encode()
	if err != nil {
		return nil, err
	}
	// Both sides send Hello first; write concurrently with reading, as a
	// synchronous pipe would otherwise deadlock.
	t.conn.SetDeadline(time.Now().Add(t.to.handshake))
	// Hello (or a Disconnect instead of it) is at most 2 KiB: have rlpx
	// refuse a bigger frame before reading its body.
	t.conn.SetMaxReadSize(maxHelloSize)
	werr := make(chan error, 1)
	go func() {
		_, err := t.conn.Write(handshakeMsg, enc)
		werr <- err
	}()
	their, rerr := t.readHello()
	if rerr != nil {
		// Wait for our Hello to go out (bounded by the handshake deadline),
		// so the Disconnect that follows is not cut into a partial frame,
		// and so no goroutine outlives the call.
		<-werr
		return nil, rerr
	}
	if err := <-werr; err != nil {
		return nil, fmt.Errorf("write hello: %w", err)
	}
	// EIP-706: compress everything after Hello when the remote speaks v5.
	t.conn.SetSnappy(their.Version >= snappyProtocolVersion)
	t.conn.SetMaxReadSize(rlpx.MaxMessageSize)
	t.conn.SetDeadline(time.Time{})
	// Coalescing: a burst of messages (from any protocol, pings included)
	// goes out in one socket write from a goroutine that runs only while
	// messages are queued, and the remote reads them in one go. It costs
	// the sender a fraction of the system calls and reads to both sides
	// (bench: Server/msgs CPU per message -30%). WriteMsg then means
	// "queued"; close flushes before the linger.
	t.conn.SetWriteCoalescing(true)
	return their, nil
}

func (t *rlpxTransport) readHello() (*protoHandshake, error) {
	code, data, _, err := t.conn.Read()
	if errors.Is(err, rlpx.ErrMessageTooLarge) {
		return nil, newPeerError(DiscProtocolError, "%v: %v", errHelloTooLarge, err)
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		// The connection works but the peer stays silent: tell it why.
		return nil, newPeerError(DiscReadTimeout, "read hello: %v", err)
	}
	if err != nil {
		return nil, fmt.Errorf("read hello: %w", err)
	}
	if len(data) > maxHelloSize {
		return nil, newPeerError(DiscProtocolError, "%v: %d bytes", errHelloTooLarge, len(data))
	}
	switch code {
	case handshakeMsg:
		h, err := decodeHello(data)
		if err != nil {
			return nil, err
		}
		return h, nil
	case discMsg:
		// The remote refused us before Hello; report its reason.
		return nil, decodeDisconnect(data)
	default:
		return nil, newPeerError(DiscProtocolError, "expected hello, got message code %#x", code)
	}
}

// admitFunc judges a received message from its code and decoded size
// (Peer.admit) and returns the budget it reserved the size in, if any.
type admitFunc func(code uint64, size int) (*byteBudget, error)

func (t *rlpxTransport) ReadMsg(admit admitFunc) (Msg, error) {
	t.dlMu.Lock()
	if t.readStopped {
		t.dlMu.Unlock()
		return Msg{}, errReadInterrupted
	}
	t.conn.SetReadDeadline(time.Now().Add(t.to.read))
	t.dlMu.Unlock()
	var budget *byteBudget
	// The payload goes to another goroutine (the protocol's Run), so it is
	// decoded into a buffer of its own, taken once the message is admitted.
	h, data, err := t.conn.ReadTo(func(h rlpx.MsgHeader) ([]byte, error) {
		var err error
		if budget, err = admit(h.Code, h.Size); err != nil {
			return nil, err
		}
		if budget != nil {
			return budget.buffer(h.Size), nil
		}
		return make([]byte, h.Size), nil
	})
	if err != nil {
		if budget != nil {
			budget.release(int64(h.Size))
		}
		return Msg{}, err
	}
	return Msg{
		Code:       h.Code,
		Size:       uint32(len(data)),
		Payload:    &payloadReader{data: data, budget: budget, reserved: int64(h.Size)},
		ReceivedAt: time.Now(),
		meterSize:  uint32(h.WireSize),
	}, nil
}

var (
	errTransportClosing = errors.New("connection is closing")
	errReadInterrupted  = errors.New("read interrupted: session ending")
)

// interruptRead makes a blocked or later ReadMsg fail at once (by a read
// deadline in the past), leaving the connection open for the Disconnect.
func (t *rlpxTransport) interruptRead() {
	t.dlMu.Lock()
	defer t.dlMu.Unlock()
	t.readStopped = true
	t.conn.SetReadDeadline(time.Unix(1, 0))
}

// payloadBufs holds buffers for the payloads of outgoing messages, shared
// by all connections so that an idle one keeps none.
var payloadBufs = sync.Pool{New: func() any { return new([]byte) }}

func (t *rlpxTransport) WriteMsg(msg Msg) error {
	bp := payloadBufs.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledPayload {
			payloadBufs.Put(bp)
		}
	}()
	data, err := payloadBytes(msg, *bp)
	if err != nil {
		return err
	}
	*bp = data[:0]
	t.dlMu.Lock()
	if t.closing {
		t.dlMu.Unlock()
		return errTransportClosing
	}
	t.fd.SetWriteDeadline(time.Now().Add(t.to.write))
	t.dlMu.Unlock()
	_, err = t.conn.Write(msg.Code, data)
	return err
}

// maxPooledPayload bounds the payload buffers kept in payloadBufs: common
// messages reuse them, a rare large one is left to the garbage collector.
const maxPooledPayload = 64 * 1024

// close runs once; later calls return at once.
func (t *rlpxTransport) close(err error) {
	t.dlMu.Lock()
	if t.closing {
		t.dlMu.Unlock()
		return
	}
	// Cut short a write in progress: a peer that does not read would
	// otherwise keep the connection's writer busy for the whole write
	// timeout.
	t.closing = true
	t.fd.SetWriteDeadline(time.Now().Add(t.to.disc))
	ready := t.ready
	t.dlMu.Unlock()
	if r, ok := reasonFor(err); ok && ready {
		// Waits for a write in progress (cut short above).
		if _, werr := t.conn.Write(discMsg, encodeDisconnect(r)); werr == nil && t.conn.Flush() == nil {
			t.linger()
		}
	}
	t.conn.Close()
}

// pubkeyID returns the 64-byte X ‖ Y form of a public key used in Hello.
func pubkeyID(pub *ecdsa.PublicKey) []byte {
	return crypto.FromECDSAPub(pub)[1:]
}

// maxLingerBytes bounds what linger reads from a peer that keeps sending,
// lingerReadSize bytes at a time.
const (
	maxLingerBytes = 256 * 1024
	lingerReadSize = 4096
)

// linger gives the Disconnect a chance to arrive. Closing a TCP socket that
// still holds unread input sends a reset, and the remote's stack may drop
// our Disconnect with it. So we half-close (FIN after the Disconnect) and
// read what the remote still sends until it closes, the disc timeout
// passes, or maxLingerBytes were read.
func (t *rlpxTransport) linger() {
	cw, ok := t.fd.(interface{ CloseWrite() error })
	if !ok || cw.CloseWrite() != nil {
		return
	}
	t.fd.SetReadDeadline(time.Now().Add(t.to.disc))
	bp := payloadBufs.Get().(*[]byte)
	defer payloadBufs.Put(bp)
	if cap(*bp) < lingerReadSize {
		*bp = make([]byte, lingerReadSize)
	}
	buf := (*bp)[:cap(*bp)]
	for n := 0; n < maxLingerBytes; {
		k, err := t.fd.Read(buf)
		if err != nil {
			return
		}
		n += k
	}
}
