package rlpx

import (
	"io"
	"math/bits"
	"sync"
)

// Buffer memory. A connection holds buffers only while it has bytes in
// them: an idle connection waits for its next frame in a small array inside
// the Conn, and the read, write and snappy buffers are borrowed from pools
// shared by all connections and given back as soon as they are drained. So
// a node with many quiet peers keeps a few pooled buffers in total, not
// 64 KiB per peer, while a busy connection still reads many frames per
// system call.

const (
	// smallReadSize is the array an idle connection waits in: one frame
	// header with its MAC. It takes only the first read after the buffer
	// drained, the one that may wait long; once it is full, the rest goes
	// to a pooled buffer.
	smallReadSize = headerSize + macSize

	// readBufferSize is the smallest read buffer taken from the pool once
	// frames flow. Reads fill as much of it as the socket has ready, so a
	// burst of small frames costs one read system call instead of one or
	// two per frame.
	readBufferSize = 64 << 10

	// maxEagerRead bounds how much buffer a frame gets before its bytes
	// arrive. Beyond it the buffer at most doubles per fill, so memory
	// follows what the peer really sent, not the size its header claims.
	maxEagerRead = 2 * readBufferSize

	// Pooled buffer sizes are minPooledSize<<i + classSlack for
	// i < numClasses: 4 KiB to 4 MiB. The slack makes a frame (or snappy
	// block) carrying a power-of-two payload fit the class of that size.
	minPooledSize = 4 << 10
	numClasses    = 11
	classSlack    = 256

	// maxRetainedBuffer is the largest pooled buffer. Bigger ones (up to
	// MaxMessageSize) are allocated for one message and dropped after use,
	// so a peer that once sent a 16 MiB message pins nothing.
	maxRetainedBuffer = minPooledSize<<(numClasses-1) + classSlack
)

// bufPools hold free buffers by size class. They store *[]byte so that
// Get and Put do not allocate; a buffer's holder travels with it.
var bufPools [numClasses]sync.Pool

// classSize is the length of buffers of class i.
func classSize(i int) int { return minPooledSize<<i + classSlack }

// classFor returns the smallest class whose buffers hold n bytes, or -1 if
// n is larger than every class.
func classFor(n int) int {
	if n > maxRetainedBuffer {
		return -1
	}
	if n <= classSize(0) {
		return 0
	}
	return bits.Len(uint(n-classSlack-1)) - bits.Len(minPooledSize-1)
}

// getBuf returns a buffer of at least n bytes (len == cap), from the pool
// when n fits a class.
func getBuf(n int) *[]byte {
	i := classFor(n)
	if i < 0 {
		b := make([]byte, n)
		return &b
	}
	if p, ok := bufPools[i].Get().(*[]byte); ok {
		return p
	}
	b := make([]byte, classSize(i))
	return &b
}

// putBuf gives a buffer from getBuf back. Buffers that are not of a class
// size (the oversized ones) are left to the garbage collector.
func putBuf(p *[]byte) {
	if p == nil {
		return
	}
	if i := classFor(cap(*p)); i >= 0 && classSize(i) == cap(*p) {
		*p = (*p)[:cap(*p)]
		bufPools[i].Put(p)
	}
}

// scratch is a buffer borrowed from the pools for one operation, or while
// a connection is busy. The zero value holds nothing.
type scratch struct{ p *[]byte }

// get returns a slice of n bytes, borrowing a larger buffer if the one held
// is too small. Its contents are undefined.
func (s *scratch) get(n int) []byte {
	if s.p == nil || len(*s.p) < n {
		putBuf(s.p)
		s.p = getBuf(n)
	}
	return (*s.p)[:n]
}

// release gives the buffer back.
func (s *scratch) release() {
	putBuf(s.p)
	s.p = nil
}

// readBuffer buffers reads from the connection. buf()[off:end] holds bytes
// read but not yet consumed. Bytes before off may be overwritten by the next
// peek that needs room; slices returned by peek stay valid until then. The
// zero value is ready to use.
type readBuffer struct {
	p        *[]byte // pooled buffer in use, or nil: then small is the buffer
	off, end int
	small    [smallReadSize]byte
}

// buf returns the buffer in use.
func (b *readBuffer) buf() []byte {
	if b.p != nil {
		return *b.p
	}
	return b.small[:]
}

// peek returns the next n bytes without consuming them, reading from r as
// needed. It reads as much as fits, to batch small frames.
func (b *readBuffer) peek(r io.Reader, n int) ([]byte, error) {
	buf := b.buf()
	for b.end-b.off < n {
		switch {
		case b.p == nil && b.end == len(buf):
			// The small array filled up: bytes are flowing, so go on in
			// a pooled buffer, reading many frames at a time. (A sender
			// trickling bytes stays in the small array.)
			b.makeRoom(max(n, len(buf)+1))
			buf = b.buf()
		case len(buf)-b.off < n && (n <= len(buf) || b.end == len(buf) || len(buf) < min(n, maxEagerRead)):
			// n does not fit from off: compact, or grow as far as the
			// bytes received so far justify.
			b.makeRoom(n)
			buf = b.buf()
		}
		k, err := r.Read(buf[b.end:])
		b.end += k
		if err != nil && b.end-b.off < n {
			if err == io.EOF && b.end > b.off {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return buf[b.off : b.off+n], nil
}

// makeRoom makes room for reading towards n bytes from off: it moves the
// unconsumed bytes to the front when n then fits, and otherwise switches to
// a larger buffer: large enough for n if n is at most maxEagerRead or fits
// the next class up, else the next class up (twice the size).
func (b *readBuffer) makeRoom(n int) {
	buf := b.buf()
	have := b.end - b.off
	if n <= len(buf) {
		copy(buf, buf[b.off:b.end])
		b.off, b.end = 0, have
		return
	}
	size := n
	if next := 2*len(buf) - classSlack; n > maxEagerRead && n > next {
		size = max(next, maxEagerRead) // the next class up
	}
	np := getBuf(max(size, readBufferSize))
	copy(*np, buf[b.off:b.end])
	putBuf(b.p)
	b.p, b.off, b.end = np, 0, have
}

// skip consumes n bytes (which must have been peeked).
func (b *readBuffer) skip(n int) { b.off += n }

// buffered reports whether unconsumed bytes are held.
func (b *readBuffer) buffered() bool { return b.off != b.end }

// release gives the pooled buffer back when everything in it is consumed,
// so the connection waits for its next frame in the small array. It
// invalidates slices returned by peek.
func (b *readBuffer) release() {
	if b.off != b.end {
		return
	}
	b.off, b.end = 0, 0
	if b.p != nil {
		putBuf(b.p)
		b.p = nil
	}
}

// retained returns the size of the read buffer memory held besides the
// small array (for tests).
func (b *readBuffer) retained() int {
	if b.p == nil {
		return 0
	}
	return cap(*b.p)
}

// grow returns b with length n, keeping its contents, reusing its storage
// when large enough.
func grow(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	nb := make([]byte, n, max(n, 2*cap(b)))
	copy(nb, b)
	return nb
}
