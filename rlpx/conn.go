package rlpx

import (
	"crypto/ecdsa"
	"crypto/rand"
	"fmt"
	"net"
	"sync"
	"sync/atomic"
	"time"

	"github.com/devp2p-go/devp2p/rlp"
)

// Conn is an RLPx connection: after Handshake, Read and Write exchange
// messages (msg-id ‖ msg-data) in encrypted, authenticated frames.
//
// One goroutine may call Read while others call Write; Writes are
// serialised internally. The deadline setters and Close may be called from
// any goroutine. After Read or Write returns an error other than
// ErrMessageTooLarge from a Write, the connection is no longer usable (the
// cipher and MAC states no longer match the peer's) and should be closed.
type Conn struct {
	// Fields are ordered to keep Conn small (no padding): every connected
	// peer has one.
	conn     net.Conn
	dialDest *ecdsa.PublicKey
	snappy   atomic.Bool
	maxRead  atomic.Int32            // frame and decoded message size limit for Read
	fl       atomic.Pointer[flusher] // set in coalescing mode; closedFlusher after Close
	flmu     sync.Mutex              // orders fl changes with Close; held by Close

	// Deadlines set through Conn (as deadline values), so Handshake can
	// honour an earlier one and restore them afterwards.
	dlmu    sync.Mutex
	readDL  deadline
	writeDL deadline

	// Read side: owned by the one goroutine in Read (or Handshake). The
	// buffers are pooled and given back whenever rbuf is drained, so an
	// idle connection holds only rbuf's small array (see buffer.go).
	in      ingress
	rbuf    readBuffer
	rsnappy scratch

	// Write side: guarded by wmu. Frames are sealed in pooled buffers
	// borrowed for one Write.
	wmu sync.Mutex
	out egress
}

// NewConn wraps conn. dialDest is the remote's static public key when we
// dialed (we are the initiator); nil when we accepted (recipient).
func NewConn(conn net.Conn, dialDest *ecdsa.PublicKey) *Conn {
	c := &Conn{conn: conn, dialDest: dialDest}
	c.maxRead.Store(maxUint24)
	return c
}

// Handshake runs the RLPx handshake with our static key prv and returns the
// remote's static public key. The whole handshake runs under a deadline of
// HandshakeTimeout, or an earlier deadline set with c.SetDeadline (or
// SetRead/WriteDeadline) before the call; afterwards the deadlines set
// through c are restored (none, if none were set). Errors are
// *HandshakeError values; errors.Is tells ErrHandshakeTimeout, ErrBadMAC,
// ErrUnknownFormat and ErrWrongIdentity apart.
func (c *Conn) Handshake(prv *ecdsa.PrivateKey) (*ecdsa.PublicKey, error) {
	if c.in.dec != nil {
		return nil, errHandshook
	}
	c.dlmu.Lock()
	rdl, wdl := c.readDL.time(), c.writeDL.time()
	c.dlmu.Unlock()
	hdl := time.Now().Add(HandshakeTimeout)
	for _, d := range []time.Time{rdl, wdl} {
		if !d.IsZero() && d.Before(hdl) {
			hdl = d
		}
	}
	if err := c.conn.SetDeadline(hdl); err != nil {
		return nil, &HandshakeError{"set deadline", err}
	}
	defer func() {
		c.conn.SetReadDeadline(rdl)
		c.conn.SetWriteDeadline(wdl)
	}()

	h := &handshakeState{initiator: c.dialDest != nil, prv: prv, rand: rand.Reader, remote: c.dialDest}
	var (
		sec *secrets
		err error
	)
	if h.initiator {
		sec, err = h.runInitiator(c.conn, &c.rbuf)
	} else {
		sec, err = h.runRecipient(c.conn, &c.rbuf)
	}
	if err != nil {
		return nil, err
	}
	if err := c.initSession(sec); err != nil {
		return nil, &HandshakeError{"init session", err}
	}
	return sec.remote, nil
}

// initSession sets up the frame ciphers and MACs.
func (c *Conn) initSession(sec *secrets) error {
	out, in, err := newStreams(sec)
	if err != nil {
		return err
	}
	c.wmu.Lock()
	c.out = out
	c.wmu.Unlock()
	c.in = in
	return nil
}

// Read reads the next message. data is valid until the next call to Read.
// wireSize is the size of msg-data as it came over the wire (compressed,
// when snappy is on).
func (c *Conn) Read() (code uint64, data []byte, wireSize int, err error) {
	h, data, err := c.read(nil)
	return h.Code, data, h.WireSize, err
}

// MsgHeader describes a received message before its data is decoded.
type MsgHeader struct {
	Code uint64
	// Size is the size of msg-data once decoded: with snappy, the length
	// the block's header claims (already checked against the read limit
	// and against what the block can hold), else the frame's data size.
	Size int
	// WireSize is the size of msg-data on the wire (compressed, when
	// snappy is on).
	WireSize int
}

// ReadTo reads the next message like Read, but shows it to alloc once its
// frame is read and authenticated and before its data is decoded: alloc
// sees the code and the decoded size, so a caller can apply a size limit
// per code or reserve memory from a budget before anything is decompressed
// or allocated for the message. alloc returns the buffer to decode into
// (its capacity at least MsgHeader.Size; data is then that buffer, owned by
// the caller), or an error, which ReadTo returns with the header and no
// data. The connection stays usable after an error from alloc.
func (c *Conn) ReadTo(alloc func(MsgHeader) ([]byte, error)) (MsgHeader, []byte, error) {
	if alloc == nil {
		return MsgHeader{}, nil, errNilAlloc
	}
	return c.read(alloc)
}

// read reads a message; with a nil alloc, the data goes to the Conn's own
// buffer, or stays in the frame when it is not compressed.
func (c *Conn) read(alloc func(MsgHeader) ([]byte, error)) (h MsgHeader, data []byte, err error) {
	if c.in.dec == nil { // no handshake yet
		return h, nil, errNoSession
	}
	limit := int(c.maxRead.Load())
	if !c.rbuf.buffered() {
		// The previous message is no longer needed and the next one may
		// be far off: hold no snappy buffer while waiting (readFrame gives
		// the read buffer back likewise).
		c.rsnappy.release()
	}
	frame, err := c.in.readFrame(c.conn, &c.rbuf, limit)
	if err != nil {
		c.releaseOnError()
		return h, nil, err
	}
	code, data, err := rlp.SplitUint64(frame)
	if err != nil {
		c.releaseOnError()
		return h, nil, fmt.Errorf("%w: %w", errInvalidCode, err)
	}
	compressed := c.snappy.Load()
	h = MsgHeader{Code: code, Size: len(data), WireSize: len(data)}
	if compressed {
		if h.Size, err = decodedLen(data, limit); err != nil {
			c.releaseOnError()
			return h, nil, err
		}
	}
	var dst []byte
	switch {
	case alloc != nil:
		if dst, err = alloc(h); err != nil {
			return h, nil, err
		}
		if cap(dst) < h.Size {
			return h, nil, fmt.Errorf("rlpx: ReadTo: buffer of %d bytes for %d", cap(dst), h.Size)
		}
	case compressed:
		dst = c.rsnappy.get(h.Size)
	default:
		return h, data, nil // valid until the next read: no copy
	}
	if !compressed {
		return h, append(dst[:0], data...), nil
	}
	if data, err = decompress(dst[:h.Size], data); err != nil {
		c.releaseOnError()
		return h, nil, err
	}
	// data is in dst now: a drained read buffer can go back at once (the
	// last message of a connection, often a Disconnect, would otherwise
	// take it to the garbage collector).
	c.rbuf.release()
	return h, data, nil
}

// releaseOnError gives the read buffers back after a failed Read: the
// connection is usually dropped next, and the buffers would otherwise go to
// the garbage collector with it. Unconsumed bytes are kept.
func (c *Conn) releaseOnError() {
	c.rbuf.release()
	c.rsnappy.release()
}

// Write sends one message and returns the size of msg-data on the wire
// (after compression). It returns when the whole frame has been handed to
// the underlying connection, in one Write call.
func (c *Conn) Write(code uint64, data []byte) (wireSize uint32, err error) {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	if c.out.enc == nil { // no handshake yet
		return 0, errNoSession
	}
	if len(data) >= MaxMessageSize {
		return 0, fmt.Errorf("%w: %d bytes", ErrMessageTooLarge, len(data))
	}
	var wsnappy, wbuf scratch
	defer wsnappy.release()
	defer wbuf.release()
	if c.snappy.Load() {
		if data, err = compress(&wsnappy, data); err != nil {
			return 0, err
		}
	}
	size, err := frameSize(code, len(data))
	if err != nil {
		return 0, err
	}
	frame, err := c.out.appendFrame(wbuf.get(size)[:0], code, data)
	if err != nil {
		return 0, err
	}
	if fl := c.fl.Load(); fl != nil {
		err = fl.queue(&wbuf, frame) // takes over wbuf's buffer when it can
	} else {
		_, err = c.conn.Write(frame)
	}
	return uint32(len(data)), err
}

// SetWriteCoalescing switches coalescing mode on or off. Off (the default),
// Write returns once its frame has been handed to the socket, one system
// call per message. On, Write seals the frame, queues it and returns; a
// background goroutine hands everything queued to the socket in one write,
// so a burst of small messages costs one system call and sealing overlaps
// with sending. The goroutine runs only while frames are queued. Like a kernel socket buffer, a nil error from Write then
// means "queued": a socket error is reported by a later Write, Flush or
// Close. Write blocks while 256 KiB are queued. Write deadlines apply to
// the background writes. Close sends what is queued (waiting at most 1 s)
// before closing. Turning the mode off flushes first.
func (c *Conn) SetWriteCoalescing(on bool) error {
	c.wmu.Lock()
	defer c.wmu.Unlock()
	c.flmu.Lock()
	fl := c.fl.Load()
	switch {
	case on && fl == nil:
		c.fl.Store(newFlusher(c.conn))
	case !on && fl != nil && fl != closedFlusher:
		c.fl.Store(nil)
		c.flmu.Unlock()
		err := fl.flush()
		fl.shutdown(closeFlushTimeout, func() { c.conn.Close() })
		return err
	}
	c.flmu.Unlock()
	return nil
}

// Flush waits until every queued frame has been handed to the socket and
// returns the socket error, if any. Without coalescing it returns nil at
// once: Write has already sent everything.
func (c *Conn) Flush() error {
	if fl := c.fl.Load(); fl != nil {
		return fl.flush()
	}
	return nil
}

// SetSnappy turns snappy compression of msg-data on or off, for both
// directions. Call it once both Hello messages are exchanged and both sides
// speak p2p version 5 or later, before further Reads and Writes.
func (c *Conn) SetSnappy(on bool) { c.snappy.Store(on) }

// SetMaxReadSize lowers the size limit for received messages: a frame whose
// header declares more than n bytes, or a snappy block claiming more, is
// rejected with ErrMessageTooLarge before it is read or decompressed. The
// default and upper bound is MaxMessageSize-1. A Server can use it to
// enforce the 2 KiB Hello limit before the Hello arrives.
func (c *Conn) SetMaxReadSize(n int) {
	c.maxRead.Store(int32(min(max(n, 0), maxUint24)))
}

// SetDeadline sets the read and write deadlines of the underlying connection.
func (c *Conn) SetDeadline(t time.Time) error {
	c.dlmu.Lock()
	defer c.dlmu.Unlock()
	c.readDL, c.writeDL = deadlineOf(t), deadlineOf(t)
	return c.conn.SetDeadline(t)
}

// SetReadDeadline sets the read deadline of the underlying connection.
func (c *Conn) SetReadDeadline(t time.Time) error {
	c.dlmu.Lock()
	defer c.dlmu.Unlock()
	c.readDL = deadlineOf(t)
	return c.conn.SetReadDeadline(t)
}

// SetWriteDeadline sets the write deadline of the underlying connection. In
// coalescing mode it applies to the background socket writes.
func (c *Conn) SetWriteDeadline(t time.Time) error {
	c.dlmu.Lock()
	defer c.dlmu.Unlock()
	c.writeDL = deadlineOf(t)
	return c.conn.SetWriteDeadline(t)
}

// Close closes the underlying connection. In coalescing mode it first sends
// what is queued, waiting at most 1 s. It is safe to call more than once:
// later calls wait for the first to finish and return nil.
func (c *Conn) Close() error {
	c.flmu.Lock()
	defer c.flmu.Unlock()
	fl := c.fl.Load()
	if fl == closedFlusher {
		return nil
	}
	c.fl.Store(closedFlusher)
	if fl != nil {
		fl.shutdown(closeFlushTimeout, func() { c.conn.Close() })
	}
	return c.conn.Close()
}

// closedFlusher marks a closed Conn (in place of a flag, which would make
// every Conn 32 bytes larger): it accepts no frames, so Writes after Close
// fail with errClosed, and coalescing cannot be switched on again.
var closedFlusher = &flusher{stop: true}

// deadline is a time.Time in 8 bytes: Unix nanoseconds, 0 for none.
type deadline int64

func deadlineOf(t time.Time) deadline {
	if t.IsZero() {
		return 0
	}
	return deadline(max(t.UnixNano(), 1))
}

func (d deadline) time() time.Time {
	if d == 0 {
		return time.Time{}
	}
	return time.Unix(0, int64(d))
}

// LocalAddr returns the local network address.
func (c *Conn) LocalAddr() net.Addr { return c.conn.LocalAddr() }

// RemoteAddr returns the remote network address.
func (c *Conn) RemoteAddr() net.Addr { return c.conn.RemoteAddr() }
