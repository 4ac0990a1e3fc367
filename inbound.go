package devp2p

import (
	"errors"
	"io"
	"sync"
	"sync/atomic"

	"github.com/devp2p-go/devp2p/mclock"
)

// Bounded decoding (docs/SECURITY.md, "Inbound messages"). A message's code
// travels outside its snappy block, and the block's header states the
// decoded size, so each message is judged before anything is decompressed
// or allocated for it:
//
//   - base-protocol messages (codes below 16) are small: baseMaxMessageSize;
//   - codes the base protocol reserves (4–15) end the session;
//   - a sub-protocol message may be as large as its Protocol.MaxMessageSize;
//   - a code outside every running protocol ends the session;
//   - each peer may send decoded bytes at Config.PeerInboundRate on average;
//   - the decoded bytes held by all peers together stay within
//     Config.InboundBudget: a message's buffer is reserved before decoding
//     and given back when its protocol has read the payload, read its next
//     message, or the session ended. A reader waits while the budget is
//     spent, which pushes back on the sender through TCP.
const (
	// baseMaxMessageSize bounds Disconnect, Ping, Pong (and a repeated
	// Hello) after the handshake: they carry a few bytes. go-ethereum uses
	// the same 2 KiB for its base protocol.
	baseMaxMessageSize = 2 * 1024

	// DefaultInboundBudget is the default Config.InboundBudget: decoded
	// message bytes in flight across all peers.
	// It holds two of the largest messages RLPx can carry.
	DefaultInboundBudget = 32 << 20

	// DefaultPeerInboundRate is the default Config.PeerInboundRate, in
	// decoded bytes per second. A peer may burst beyond it by twice its
	// largest allowed message (at least one second of rate).
	DefaultPeerInboundRate = 64 << 20
)

var (
	errReservedCode    = errors.New("reserved base protocol message code")
	errMsgTooLarge     = errors.New("message too large")
	errInboundRate     = errors.New("inbound byte budget exceeded")
	errBudgetCancelled = errors.New("waiting for decode budget: session ending")
)

// firstReservedCode..baseProtocolLength-1 are the base protocol's reserved
// codes (RLPx spec: the p2p capability owns 0x00–0x0f, of which Hello,
// Disconnect, Ping and Pong are defined).
const firstReservedCode = 0x04

// byteBudget is a weighted semaphore of bytes with first-come first-served
// waiters, so that a large reservation is not starved by small ones. Safe
// for concurrent use.
//
// It also keeps the large buffers of messages that were read to the end, for
// the next messages: a peer sending one large message after another then
// costs no garbage. Free buffers count against the budget too, so the bytes
// reserved and kept together stay within size.
type byteBudget struct {
	size int64

	mu        sync.Mutex
	used      int64
	peak      int64 // highest used, for tests and metrics
	waiters   []*budgetWaiter
	free      [][]byte // buffers of at least minRecycled bytes
	freeBytes int64    // their total capacity
}

// minRecycled is the smallest buffer byteBudget keeps: smaller ones cost
// the garbage collector little.
const minRecycled = 256 << 10

type budgetWaiter struct {
	n     int64
	ready chan struct{} // closed once the bytes are reserved for it
}

func newByteBudget(size int64) *byteBudget { return &byteBudget{size: size} }

// acquire reserves n bytes (at most size), waiting in line while they are
// not available, until cancel is closed.
func (b *byteBudget) acquire(n int64, cancel <-chan struct{}) error {
	b.mu.Lock()
	if len(b.waiters) == 0 && b.used+n <= b.size {
		b.take(n)
		b.mu.Unlock()
		return nil
	}
	w := &budgetWaiter{n: n, ready: make(chan struct{})}
	b.waiters = append(b.waiters, w)
	b.mu.Unlock()
	select {
	case <-w.ready:
		return nil
	case <-cancel:
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	select {
	case <-w.ready: // granted meanwhile: give it back
		b.used -= n
		b.grant()
	default:
		for i, o := range b.waiters {
			if o == w {
				b.waiters = append(b.waiters[:i], b.waiters[i+1:]...)
				break
			}
		}
		b.grant() // the head may have changed
	}
	return errBudgetCancelled
}

// release gives n bytes back and wakes the waiters that now fit.
func (b *byteBudget) release(n int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.used -= n
	b.grant()
}

func (b *byteBudget) take(n int64) {
	b.used += n
	b.peak = max(b.peak, b.used)
	// Free buffers give way to reserved bytes.
	for len(b.free) > 0 && b.used+b.freeBytes > b.size {
		last := len(b.free) - 1
		b.freeBytes -= int64(cap(b.free[last]))
		b.free[last] = nil
		b.free = b.free[:last]
	}
}

// buffer returns a buffer of n bytes for a reservation: a kept one if one
// fits without wasting more than n bytes, else a new one. Its contents are
// undefined.
func (b *byteBudget) buffer(n int) []byte {
	if n >= minRecycled/2 {
		b.mu.Lock()
		for i, f := range b.free {
			if cap(f) >= n && cap(f) <= 2*n {
				b.free = append(b.free[:i], b.free[i+1:]...)
				b.freeBytes -= int64(cap(f))
				b.mu.Unlock()
				return f[:n]
			}
		}
		b.mu.Unlock()
	}
	return make([]byte, n)
}

// recycle keeps buf, which nobody reads any more, if the budget has room.
func (b *byteBudget) recycle(buf []byte) {
	if cap(buf) < minRecycled {
		return
	}
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.used+b.freeBytes+int64(cap(buf)) <= b.size {
		b.free = append(b.free, buf[:0])
		b.freeBytes += int64(cap(buf))
	}
}

// grant serves waiters in order while the first one fits. Called with mu.
func (b *byteBudget) grant() {
	for len(b.waiters) > 0 && b.used+b.waiters[0].n <= b.size {
		w := b.waiters[0]
		b.waiters = b.waiters[1:]
		b.take(w.n)
		close(w.ready)
	}
}

// stats returns the bytes in use and the highest use so far.
func (b *byteBudget) stats() (used, peak int64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.used, b.peak
}

// payloadReader is the Payload of a received message: its decoded bytes
// and their reservation in the server's budget, which goes back as soon as
// the last byte has been read (or at the protocol's next ReadMsg, or at the
// session's end: release). It has Len and ReadByte, so rlp streams read it
// without buffering. Its buffer is given back for reuse only once read to
// the end: reads copy out, so nothing refers to it then.
type payloadReader struct {
	data     []byte
	off      int
	budget   *byteBudget // nil when the message took no budget
	reserved int64
	released atomic.Bool
}

// release gives the reservation back, once; safe from any goroutine and on
// a nil reader.
func (r *payloadReader) release() {
	if r != nil && r.budget != nil && r.released.CompareAndSwap(false, true) {
		r.budget.release(r.reserved)
	}
}

func (r *payloadReader) Len() int { return len(r.data) - r.off }

func (r *payloadReader) Read(b []byte) (int, error) {
	if r.off >= len(r.data) {
		r.finish()
		return 0, io.EOF
	}
	n := copy(b, r.data[r.off:])
	r.off += n
	if r.off == len(r.data) {
		r.finish()
	}
	return n, nil
}

func (r *payloadReader) ReadByte() (byte, error) {
	if r.off >= len(r.data) {
		r.finish()
		return 0, io.EOF
	}
	c := r.data[r.off]
	r.off++
	if r.off == len(r.data) {
		r.finish()
	}
	return c, nil
}

// finish runs once the payload is read to the end: the reservation goes
// back, and so does the buffer.
func (r *payloadReader) finish() {
	if r.budget == nil || r.data == nil {
		return
	}
	r.release()
	r.budget.recycle(r.data)
	r.data, r.off = nil, 0
}

// byteRate is a token bucket of decoded bytes: rate per second, up to
// burst. Owned by the session's reader.
type byteRate struct {
	rate, burst float64
	tokens      float64
	last        mclock.AbsTime
}

func newByteRate(rate, burst int64, now mclock.AbsTime) *byteRate {
	return &byteRate{rate: float64(rate), burst: float64(burst), tokens: float64(burst), last: now}
}

// take spends n bytes and reports whether the bucket held them.
func (r *byteRate) take(n int, now mclock.AbsTime) bool {
	if d := now.Sub(r.last); d > 0 {
		r.tokens = min(r.burst, r.tokens+r.rate*d.Seconds())
		r.last = now
	}
	if float64(n) > r.tokens {
		return false
	}
	r.tokens -= float64(n)
	return true
}

// inboundLimits are a session's decoding limits, set up before it runs.
type inboundLimits struct {
	budget *byteBudget // shared by the server's sessions; nil: no shared budget
	rate   *byteRate   // nil: no per-peer rate
}

// peerInbound returns the limits of a session running protos: the shared
// budget, and a rate whose burst holds two of the largest messages the
// protocols allow.
func peerInbound(budget *byteBudget, rate int64, protos []protoRW, now mclock.AbsTime) inboundLimits {
	l := inboundLimits{budget: budget}
	if rate > 0 {
		largest := int64(baseMaxMessageSize)
		for i := range protos {
			largest = max(largest, int64(protos[i].maxMessageSize()))
		}
		l.rate = newByteRate(rate, max(rate, 2*largest), now)
	}
	return l
}

// admit decides whether a received message is decoded, from its code and
// decoded size alone (nothing is decompressed yet), and reserves its bytes
// in the budget it returns (nil: none reserved). An error ends the session
// with the reason it carries.
func (p *Peer) admit(code uint64, size int) (*byteBudget, error) {
	// The frame has arrived: the peer is alive, even if the budget makes
	// us wait below.
	now := p.clock.Now()
	p.lastRecv.Store(int64(now))
	limit := p.maxSizeFor(code)
	switch {
	case limit < 0 && code < baseProtocolLength:
		return nil, newPeerError(DiscProtocolError, "%v: %d", errReservedCode, code)
	case limit < 0:
		return nil, newPeerError(DiscProtocolError, "%v: %d", errInvalidMsgCode, code)
	case size > limit:
		return nil, newPeerError(DiscProtocolError, "%v: code %d decodes to %d bytes, limit %d", errMsgTooLarge, code, size, limit)
	}
	if r := p.inbound.rate; r != nil && !r.take(size, now) {
		return nil, newPeerError(DiscProtocolError, "%v: %d bytes at more than %.0f bytes/s", errInboundRate, size, r.rate)
	}
	b := p.inbound.budget
	if b == nil || size == 0 {
		return nil, nil
	}
	if err := b.acquire(int64(size), p.closed); err != nil {
		return nil, err
	}
	return b, nil
}

// maxSizeFor returns the largest decoded size allowed for a message with
// code, or -1 if the code may not be sent at all.
func (p *Peer) maxSizeFor(code uint64) int {
	if code < baseProtocolLength {
		if code >= firstReservedCode {
			return -1
		}
		return baseMaxMessageSize
	}
	if proto := p.protoFor(code); proto != nil {
		return proto.maxMessageSize()
	}
	return -1
}

// reservationOf returns the payload of a received message that holds
// budget, if any.
func reservationOf(msg Msg) *payloadReader {
	if r, ok := msg.Payload.(*payloadReader); ok && r.budget != nil {
		return r
	}
	return nil
}
