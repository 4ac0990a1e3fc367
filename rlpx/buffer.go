package rlpx

import (
	"io"
)

const (
	// readBufferSize is the smallest read buffer once frames flow. Reads
	// fill as much of it as the socket has ready, so a burst of small frames
	// costs one read system call instead of one or two per frame.
	readBufferSize = 64 << 10

	// handshakeBufferSize is the read buffer during the handshake: one
	// auth or ack (at most maxHandshakeSize) and whatever follows it.
	handshakeBufferSize = 4 << 10

	// maxRetainedBuffer is the largest read, write or snappy buffer kept
	// between messages. Bigger ones (up to MaxMessageSize) are dropped after
	// use, so a peer that once sent a 16 MiB message does not pin 16 MiB.
	maxRetainedBuffer = 4 << 20
)

// readBuffer buffers reads from the connection. buf[off:end] holds bytes
// read but not yet consumed. Bytes before off may be overwritten by the next
// peek that needs room; slices returned by peek stay valid until then.
type readBuffer struct {
	buf      []byte
	off, end int
}

// peek returns the next n bytes without consuming them, reading from r as
// needed. It reads as much as fits, to batch small frames.
func (b *readBuffer) peek(r io.Reader, n int) ([]byte, error) {
	if b.end-b.off >= n {
		return b.buf[b.off : b.off+n], nil
	}
	if len(b.buf)-b.off < n {
		b.makeRoom(n)
	}
	for b.end-b.off < n {
		k, err := r.Read(b.buf[b.end:])
		b.end += k
		if err != nil && b.end-b.off < n {
			if err == io.EOF && b.end > b.off {
				err = io.ErrUnexpectedEOF
			}
			return nil, err
		}
	}
	return b.buf[b.off : b.off+n], nil
}

// makeRoom moves the unconsumed bytes to the front of the buffer and grows it
// so that n bytes fit from off.
func (b *readBuffer) makeRoom(n int) {
	have := b.end - b.off
	if n <= len(b.buf) {
		copy(b.buf, b.buf[b.off:b.end])
	} else {
		// Some slack past n lets the next frames' bytes arrive with this one.
		size := max(n+min(n/4, readBufferSize), handshakeBufferSize)
		nb := make([]byte, size)
		copy(nb, b.buf[b.off:b.end])
		b.buf = nb
	}
	b.off, b.end = 0, have
}

// reserve makes the buffer at least n bytes long.
func (b *readBuffer) reserve(n int) {
	if len(b.buf) < n {
		b.makeRoom(n)
	}
}

// skip consumes n bytes (which must have been peeked).
func (b *readBuffer) skip(n int) { b.off += n }

// shrink drops an oversized buffer once everything in it is consumed.
func (b *readBuffer) shrink() {
	if len(b.buf) > maxRetainedBuffer && b.off == b.end {
		b.buf, b.off, b.end = nil, 0, 0
	}
}

// grow returns b with length n, reusing its storage when large enough.
func grow(b []byte, n int) []byte {
	if cap(b) >= n {
		return b[:n]
	}
	return make([]byte, n, max(n, 2*cap(b)))
}
