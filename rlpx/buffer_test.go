package rlpx

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"testing"
	"testing/iotest"
	"testing/synctest"
	"unsafe"
)

// maxConnSize pins the memory an idle connection costs besides its cipher
// and MAC states: the Conn itself (with the 32-byte array it waits in) and
// no buffer. A node keeps hundreds of mostly idle connections.
const maxConnSize = 320

func TestConnSize(t *testing.T) {
	if n := unsafe.Sizeof(Conn{}); n > maxConnSize {
		t.Errorf("Conn is %d bytes, want at most %d", n, maxConnSize)
	}
}

// checkIdle fails unless c holds no buffer besides its small read array.
func checkIdle(t *testing.T, name string, c *Conn) {
	t.Helper()
	if n := c.rbuf.retained(); n != 0 {
		t.Errorf("%s: idle Conn holds a %d-byte read buffer", name, n)
	}
	if c.rsnappy.p != nil {
		t.Errorf("%s: idle Conn holds a %d-byte snappy buffer", name, cap(*c.rsnappy.p))
	}
	if fl := c.fl.Load(); fl != nil && fl != closedFlusher {
		fl.mu.Lock()
		defer fl.mu.Unlock()
		if fl.pendingP != nil || fl.running {
			t.Errorf("%s: idle flusher holds a buffer (%v) or a goroutine (%v)", name, fl.pendingP != nil, fl.running)
		}
	}
}

// TestIdleConnHoldsNoBuffers: after messages of every size class (and one
// larger than all) in both directions, with snappy and coalescing, a Conn
// waiting for its next message holds no pooled or allocated buffer.
func TestIdleConnHoldsNoBuffers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := connPair(t)
		a.SetWriteCoalescing(true)
		for _, c := range []*Conn{a, b} {
			c.SetSnappy(true)
		}
		sizes := []int{0, 1, 100, 4 << 10, 64 << 10, 1 << 20, maxRetainedBuffer + 1}
		msg := func(n int) []byte {
			m := make([]byte, n)
			for i := range m {
				m[i] = byte(i * 7 / 5) // compresses, but not to nothing
			}
			return m
		}
		exchange := func(w, r *Conn) {
			errc := make(chan error, 1)
			go func() {
				for i, n := range sizes {
					if _, err := w.Write(uint64(i), msg(n)); err != nil {
						errc <- err
						return
					}
				}
				errc <- w.Flush()
			}()
			for i, n := range sizes {
				code, data, _, err := r.Read()
				if err != nil || code != uint64(i) || !bytes.Equal(data, msg(n)) {
					t.Fatalf("message %d (%d bytes): code %d, %d bytes, %v", i, n, code, len(data), err)
				}
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		}
		exchange(a, b)
		exchange(b, a)

		// Both readers wait for the next frame.
		readErrs := make(chan error, 2)
		for _, c := range []*Conn{a, b} {
			go func() { _, _, _, err := c.Read(); readErrs <- err }()
		}
		synctest.Wait()
		checkIdle(t, "initiator", a)
		checkIdle(t, "recipient", b)
		a.Close()
		b.Close()
		<-readErrs
		<-readErrs
	})
}

// TestSmallArrayThenPool: a connection waits in the small array; once that
// fills, a burst of frames is read into one pooled buffer (few reads), and
// a sender trickling bytes stays in the small array.
func TestSmallArrayThenPool(t *testing.T) {
	out, in := fuzzSession(t)
	var stream []byte
	for i := range 50 {
		stream, _ = out.appendFrame(stream, 0x10, bytes.Repeat([]byte{byte(i)}, 100))
	}
	cr := &countReader{r: bytes.NewReader(stream)}
	var buf readBuffer
	for i := range 50 {
		data, err := in.readFrame(cr, &buf, maxUint24)
		if err != nil || len(data) != 101 || data[1] != byte(i) {
			t.Fatalf("frame %d: %x, %v", i, data, err)
		}
	}
	if cr.reads != 2 {
		t.Errorf("50 frames in %d reads, want 2 (small array, then the rest)", cr.reads)
	}

	// One byte at a time: the header completes in the small array.
	_, in = fuzzSession(t)
	frame, _ := out.appendFrame(nil, 0x02, []byte{0xc0})
	buf = readBuffer{}
	_, err := in.readFrame(&stallReader{iotest.OneByteReader(bytes.NewReader(frame[:headerSize+macSize-1]))}, &buf, maxUint24)
	if !errors.Is(err, errStalled) {
		t.Fatalf("got %v, want the stall", err)
	}
	if buf.p != nil {
		t.Errorf("a trickle of %d bytes borrowed a %d-byte buffer", headerSize+macSize-1, cap(*buf.p))
	}
}

type countReader struct {
	r     io.Reader
	reads int
}

func (c *countReader) Read(b []byte) (int, error) {
	c.reads++
	return c.r.Read(b)
}

// stallReader yields data, then fails: a peer that stops sending.
type stallReader struct{ r io.Reader }

var errStalled = errors.New("stalled")

func (s *stallReader) Read(b []byte) (int, error) {
	n, err := s.r.Read(b)
	if err == io.EOF {
		err = errStalled
	}
	return n, err
}

// TestReadBufferFollowsData: a frame header may declare up to 16 MiB, but
// the read buffer grows only as the bytes arrive (at most doubling per
// fill), so a peer must send what it makes us hold.
func TestReadBufferFollowsData(t *testing.T) {
	out, _ := fuzzSession(t)
	frame, _ := out.appendFrame(nil, 1, make([]byte, maxUint24-16))
	for _, sent := range []int{32, 100, 40 << 10, 200 << 10, 3 << 20} {
		t.Run(fmt.Sprint(sent), func(t *testing.T) {
			_, in := fuzzSession(t)
			var buf readBuffer
			_, err := in.readFrame(&stallReader{bytes.NewReader(frame[:sent])}, &buf, maxUint24)
			if !errors.Is(err, errStalled) {
				t.Fatalf("got %v, want the stall", err)
			}
			if limit := max(2*sent, maxEagerRead) + classSlack; buf.retained() > limit {
				t.Errorf("%d bytes sent, %d-byte buffer held (limit %d)", sent, buf.retained(), limit)
			}
		})
	}
}

func TestBufferClasses(t *testing.T) {
	for i := range numClasses {
		size := classSize(i)
		if got := classFor(size); got != i {
			t.Errorf("classFor(%d) = %d, want %d", size, got, i)
		}
		if got := classFor(size + 1); i+1 < numClasses && got != i+1 {
			t.Errorf("classFor(%d) = %d, want %d", size+1, got, i+1)
		}
	}
	if got := classFor(maxRetainedBuffer + 1); got != -1 {
		t.Errorf("classFor(max+1) = %d, want -1", got)
	}
	if got := classFor(0); got != 0 {
		t.Errorf("classFor(0) = %d", got)
	}
	// An oversized buffer is allocated for its use and never pooled.
	p := getBuf(maxRetainedBuffer + 1)
	if len(*p) != maxRetainedBuffer+1 {
		t.Fatalf("got %d bytes", len(*p))
	}
	putBuf(p) // dropped
	for i := range numClasses {
		if q, ok := bufPools[i].Get().(*[]byte); ok {
			if cap(*q) != classSize(i) {
				t.Errorf("pool %d holds a %d-byte buffer", i, cap(*q))
			}
			bufPools[i].Put(q)
		}
	}
}
