package bench

import (
	"crypto/ecdsa"
	"math/rand/v2"
	"net"
	"os"
	"testing"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	grlpx "github.com/ethereum/go-ethereum/p2p/rlpx"

	"github.com/devp2p-go/devp2p/rlpx"
)

// BenchmarkRLPx pairs our rlpx.Conn with go-ethereum's p2p/rlpx:
//
//	handshake/...        both sides of a full handshake over net.Pipe
//	<size>[-snappy]/...  one-way throughput over loopback TCP: a writer
//	                     goroutine sends b.N messages, the timed reader
//	                     receives them (SetBytes = payload size)
//
// go-ethereum's handshake uses libsecp256k1 through cgo by default; run with
// CGO_ENABLED=0 to compare against its pure-Go build.
func BenchmarkRLPx(b *testing.B) {
	b.Run("handshake/ours", func(b *testing.B) {
		ka, kb := rlpxKeys(b), rlpxKeys(b)
		b.ReportAllocs()
		for b.Loop() {
			p1, p2 := net.Pipe()
			x, y := rlpx.NewConn(p1, &kb.ours.PublicKey), rlpx.NewConn(p2, nil)
			errc := make(chan error, 1)
			go func() { _, err := y.Handshake(kb.ours); errc <- err }()
			if _, err := x.Handshake(ka.ours); err != nil {
				b.Fatal(err)
			}
			if err := <-errc; err != nil {
				b.Fatal(err)
			}
			p1.Close()
			p2.Close()
		}
	})
	b.Run("handshake/geth", func(b *testing.B) {
		ka, kb := rlpxKeys(b), rlpxKeys(b)
		b.ReportAllocs()
		for b.Loop() {
			p1, p2 := net.Pipe()
			x, y := grlpx.NewConn(p1, &kb.geth.PublicKey), grlpx.NewConn(p2, nil)
			errc := make(chan error, 1)
			go func() { _, err := y.Handshake(kb.geth); errc <- err }()
			if _, err := x.Handshake(ka.geth); err != nil {
				b.Fatal(err)
			}
			if err := <-errc; err != nil {
				b.Fatal(err)
			}
			p1.Close()
			p2.Close()
		}
	})

	for _, size := range []struct {
		name string
		n    int
	}{{"100B", 100}, {"1KiB", 1 << 10}, {"64KiB", 64 << 10}, {"1MiB", 1 << 20}} {
		for _, snappy := range []bool{false, true} {
			name := size.name
			if snappy {
				name += "-snappy"
			}
			msg := rlpxBenchMsg(size.n)
			b.Run(name+"/ours", func(b *testing.B) {
				ka, kb := rlpxKeys(b), rlpxKeys(b)
				fa, fb := tcpPair(b)
				x, y := rlpx.NewConn(fa, &kb.ours.PublicKey), rlpx.NewConn(fb, nil)
				handshakePair(b, func() error { _, err := x.Handshake(ka.ours); return err },
					func() error { _, err := y.Handshake(kb.ours); return err })
				x.SetSnappy(snappy)
				y.SetSnappy(snappy)
				// Coalescing mode is how a Server is meant to write; set
				// RLPX_BENCH_SYNC=1 to measure one socket write per message.
				if os.Getenv("RLPX_BENCH_SYNC") == "" {
					x.SetWriteCoalescing(true)
				}
				benchThroughput(b, x, y, msg)
				x.Close()
				y.Close()
			})
			b.Run(name+"/geth", func(b *testing.B) {
				ka, kb := rlpxKeys(b), rlpxKeys(b)
				fa, fb := tcpPair(b)
				x, y := grlpx.NewConn(fa, &kb.geth.PublicKey), grlpx.NewConn(fb, nil)
				handshakePair(b, func() error { _, err := x.Handshake(ka.geth); return err },
					func() error { _, err := y.Handshake(kb.geth); return err })
				x.SetSnappy(snappy)
				y.SetSnappy(snappy)
				benchThroughput(b, x, y, msg)
				x.Close()
				y.Close()
			})
		}
	}
}

type rlpxConn interface {
	Read() (uint64, []byte, int, error)
	Write(uint64, []byte) (uint32, error)
}

// benchThroughput times the reader receiving b.N messages that a writer
// goroutine sends, and reports the CPU time both sides spent per message.
func benchThroughput(b *testing.B, w, r rlpxConn, msg []byte) {
	// Warm up buffers on both sides before timing.
	go func() {
		for range 10 {
			w.Write(0x10, msg)
		}
	}()
	for range 10 {
		if _, _, _, err := r.Read(); err != nil {
			b.Fatal(err)
		}
	}
	b.SetBytes(int64(len(msg)))
	b.ReportAllocs()
	b.ResetTimer()
	cpu := startCPU()
	errc := make(chan error, 1)
	go func() {
		for range b.N {
			if _, err := w.Write(0x10, msg); err != nil {
				errc <- err
				return
			}
		}
		errc <- nil
	}()
	for range b.N {
		if _, _, _, err := r.Read(); err != nil {
			b.Fatal(err)
		}
	}
	b.StopTimer()
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
	cpu.report(b)
}

// rlpxBenchMsg is half pseudo-random and half a repeating pattern, so
// snappy has work of both kinds.
func rlpxBenchMsg(n int) []byte {
	r := rand.New(rand.NewPCG(1, 2))
	b := make([]byte, n)
	for i := range n / 2 {
		b[i] = byte(r.Uint32())
	}
	for i := n / 2; i < n; i++ {
		b[i] = byte(i % 11)
	}
	return b
}

type keyPair struct{ ours, geth *ecdsa.PrivateKey }

func rlpxKeys(b *testing.B) keyPair {
	o, g := benchKeys(b)
	_ = gcrypto.S256
	return keyPair{o, g}
}

func handshakePair(b *testing.B, x, y func() error) {
	errc := make(chan error, 1)
	go func() { errc <- y() }()
	if err := x(); err != nil {
		b.Fatal(err)
	}
	if err := <-errc; err != nil {
		b.Fatal(err)
	}
}

func tcpPair(b *testing.B) (net.Conn, net.Conn) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	acc := make(chan net.Conn, 1)
	go func() {
		c, _ := ln.Accept()
		acc <- c
	}()
	d, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		b.Fatal(err)
	}
	a := <-acc
	if a == nil {
		b.Fatal("accept failed")
	}
	return d, a
}
