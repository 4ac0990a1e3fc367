package rlpx

import (
	"bytes"
	"fmt"
	"io"
	"testing"
)

// loopConn is a net.Conn whose Writes become its Reads (in memory, no
// goroutines), for measuring the frame path alone.
type loopConn struct {
	fuzzConn
	buf bytes.Buffer
}

func (c *loopConn) Write(b []byte) (int, error) { return c.buf.Write(b) }
func (c *loopConn) Read(b []byte) (int, error)  { return c.buf.Read(b) }

// loopPair returns a Conn whose writes it reads back itself: its egress and
// ingress share secrets and MAC start states.
func loopPair(t testing.TB) *Conn {
	out, in := fuzzSession(t)
	c := &Conn{conn: &loopConn{}, in: in, out: out}
	c.maxRead.Store(maxUint24)
	return c
}

// TestZeroAllocs: after warm-up, a Write and Read of up to 64 KiB
// allocate nothing, snappy off and on.
func TestZeroAllocs(t *testing.T) {
	if raceEnabled {
		t.Skip("the race detector makes sync.Pool drop buffers")
	}
	for _, snappy := range []bool{false, true} {
		for _, n := range []int{0, 100, 1 << 10, 64 << 10} {
			c := loopPair(t)
			c.SetSnappy(snappy)
			msg := bytes.Repeat([]byte("rlpx"), n/4)
			roundTrip := func() {
				if _, err := c.Write(0x10, msg); err != nil {
					t.Fatal(err)
				}
				if _, data, _, err := c.Read(); err != nil || len(data) != len(msg) {
					t.Fatal(len(data), err)
				}
			}
			roundTrip()
			if a := testing.AllocsPerRun(100, roundTrip); a != 0 {
				t.Errorf("snappy=%v, %d bytes: %v allocs per message", snappy, n, a)
			}
		}
	}
}

// BenchmarkFrame measures sealing and opening one message in memory (no
// socket): the crypto ceiling of the transport.
func BenchmarkFrame(b *testing.B) {
	for _, n := range []int{100, 1 << 10, 64 << 10, 1 << 20} {
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			c := loopPair(b)
			msg := make([]byte, n)
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				c.Write(0x10, msg)
				c.Read()
			}
		})
	}
}

// BenchmarkHandshake measures both sides of a handshake over an in-memory
// pipe.
func BenchmarkHandshake(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		connPair(b)
	}
}

var _ = io.EOF
