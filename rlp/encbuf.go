package rlp

import (
	"encoding/binary"
	"io"
	"math/big"
	"math/bits"
	"sync"
)

// encBuffer collects an encoding in one pass. List contents are written to
// str as they come; the list headers, whose sizes are known only at the end
// of each list, are kept aside in lheads and merged in when the output is
// produced. This avoids both a sizing pass and moving list contents.
type encBuffer struct {
	str    []byte
	lheads []listHead
	lhsize int    // total size of all list headers in lheads
	out    []byte // scratch for the merged output in writeTo
}

type listHead struct {
	offset int // position in str where the list's content starts
	size   int // content size including nested headers (while open: lhsize at start)
}

// maxPooledBuffer is the largest buffer capacity (bytes) returned to the
// pool; bigger ones are left to the GC so that one huge encoding does not pin
// memory forever.
const maxPooledBuffer = 1 << 20

var encBufferPool = sync.Pool{New: func() any { return new(encBuffer) }}

func getEncBuffer() *encBuffer {
	buf := encBufferPool.Get().(*encBuffer)
	buf.reset()
	return buf
}

func putEncBuffer(buf *encBuffer) {
	if cap(buf.str) <= maxPooledBuffer && cap(buf.out) <= maxPooledBuffer {
		encBufferPool.Put(buf)
	}
}

func (buf *encBuffer) reset() {
	buf.str = buf.str[:0]
	buf.lheads = buf.lheads[:0]
	buf.lhsize = 0
}

// size is the length of the final encoding.
func (buf *encBuffer) size() int { return len(buf.str) + buf.lhsize }

// Write implements io.Writer so that Encoder implementations can write
// already-encoded values into the buffer.
func (buf *encBuffer) Write(b []byte) (int, error) {
	buf.str = append(buf.str, b...)
	return len(b), nil
}

func (buf *encBuffer) listStart() int {
	buf.lheads = append(buf.lheads, listHead{offset: len(buf.str), size: buf.lhsize})
	return len(buf.lheads) - 1
}

func (buf *encBuffer) listEnd(index int) {
	lh := &buf.lheads[index]
	lh.size = len(buf.str) - lh.offset + buf.lhsize - lh.size
	buf.lhsize += headSize(uint64(lh.size))
}

func (buf *encBuffer) writeBool(b bool) {
	if b {
		buf.str = append(buf.str, 0x01)
	} else {
		buf.str = append(buf.str, 0x80)
	}
}

func (buf *encBuffer) writeUint64(i uint64) {
	buf.str = AppendUint64(buf.str, i)
}

func (buf *encBuffer) writeBytes(b []byte) {
	if len(b) == 1 && b[0] < 0x80 {
		buf.str = append(buf.str, b[0])
		return
	}
	buf.str = appendHead(buf.str, 0x80, uint64(len(b)))
	buf.str = append(buf.str, b...)
}

func (buf *encBuffer) writeString(s string) {
	if len(s) == 1 && s[0] < 0x80 {
		buf.str = append(buf.str, s[0])
		return
	}
	buf.str = appendHead(buf.str, 0x80, uint64(len(s)))
	buf.str = append(buf.str, s...)
}

// writeBigInt writes a non-negative integer without allocating: its bytes
// are filled directly into the buffer.
func (buf *encBuffer) writeBigInt(i *big.Int) error {
	if i.Sign() < 0 {
		return ErrNegativeBigInt
	}
	bitlen := i.BitLen()
	if bitlen <= 64 {
		buf.writeUint64(i.Uint64())
		return nil
	}
	n := (bitlen + 7) / 8
	buf.str = appendHead(buf.str, 0x80, uint64(n))
	start := len(buf.str)
	buf.str = append(buf.str, make([]byte, n)...)
	i.FillBytes(buf.str[start:])
	return nil
}

// appendTo appends the final encoding to dst.
func (buf *encBuffer) appendTo(dst []byte) []byte {
	strpos := 0
	for _, head := range buf.lheads {
		dst = append(dst, buf.str[strpos:head.offset]...)
		strpos = head.offset
		dst = appendHead(dst, 0xC0, uint64(head.size))
	}
	return append(dst, buf.str[strpos:]...)
}

// makeBytes returns the final encoding in a new slice of exactly its size.
func (buf *encBuffer) makeBytes() []byte {
	if len(buf.lheads) == 0 {
		out := make([]byte, len(buf.str))
		copy(out, buf.str)
		return out
	}
	return buf.appendTo(make([]byte, 0, buf.size()))
}

// writeTo writes the final encoding to w in one Write call, so that a
// network connection sees one write rather than one per list header.
func (buf *encBuffer) writeTo(w io.Writer) error {
	if len(buf.lheads) == 0 {
		_, err := w.Write(buf.str)
		return err
	}
	buf.out = buf.appendTo(buf.out[:0])
	_, err := w.Write(buf.out)
	return err
}

// headSize is the size of a string or list header for a payload of the
// given size (the spec's encode_length).
func headSize(size uint64) int {
	if size < 56 {
		return 1
	}
	return 1 + intSize(size)
}

// intSize is the number of bytes of i's big-endian form without leading
// zeros.
func intSize(i uint64) int {
	return (bits.Len64(i) + 7) / 8
}

// appendHead appends a string (base 0x80) or list (base 0xC0) header.
func appendHead(b []byte, base byte, size uint64) []byte {
	if size < 56 {
		return append(b, base+byte(size))
	}
	var buf [9]byte
	binary.BigEndian.PutUint64(buf[1:], size)
	n := intSize(size)
	buf[8-n] = base + 55 + byte(n)
	return append(b, buf[8-n:]...)
}
