package rlpx

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"net"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
)

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// connPair returns two connected Conns over net.Pipe after a handshake.
func connPair(t testing.TB) (initiator, recipient *Conn) {
	t.Helper()
	ka, kb := newKey(t), newKey(t)
	p1, p2 := net.Pipe()
	a, b := NewConn(p1, &kb.PublicKey), NewConn(p2, nil)
	t.Cleanup(func() { a.Close(); b.Close() })
	errc := make(chan error, 1)
	go func() {
		pub, err := b.Handshake(kb)
		if err == nil && !pub.Equal(&ka.PublicKey) {
			err = fmt.Errorf("recipient learned wrong key")
		}
		errc <- err
	}()
	pub, err := a.Handshake(ka)
	if err != nil {
		t.Fatal("initiator:", err)
	}
	if err := <-errc; err != nil {
		t.Fatal("recipient:", err)
	}
	if !pub.Equal(&kb.PublicKey) {
		t.Fatal("initiator got wrong key")
	}
	return a, b
}

func TestConnMessages(t *testing.T) {
	for _, snappy := range []bool{false, true} {
		t.Run(fmt.Sprint("snappy=", snappy), func(t *testing.T) {
			a, b := connPair(t)
			a.SetSnappy(snappy)
			b.SetSnappy(snappy)
			sizes := []int{0, 1, 15, 16, 17, 100, 1024, 65536, 1 << 20}
			errc := make(chan error, 1)
			go func() {
				for i, n := range sizes {
					if _, err := a.Write(uint64(i*50), bytes.Repeat([]byte{byte(i)}, n)); err != nil {
						errc <- err
						return
					}
				}
				errc <- nil
			}()
			for i, n := range sizes {
				code, data, _, err := b.Read()
				if err != nil {
					t.Fatal(err)
				}
				if code != uint64(i*50) || !bytes.Equal(data, bytes.Repeat([]byte{byte(i)}, n)) {
					t.Fatalf("message %d: code %d, %d bytes", i, code, len(data))
				}
			}
			if err := <-errc; err != nil {
				t.Fatal(err)
			}
		})
	}
}

func TestCoalescingMessages(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := connPair(t)
		a.SetWriteCoalescing(true)
		b.SetWriteCoalescing(true)
		a.SetSnappy(true)
		b.SetSnappy(true)
		const n = 2000
		errc := make(chan error, 1)
		go func() {
			for i := range n {
				if _, err := a.Write(uint64(i), bytes.Repeat([]byte{byte(i)}, i*37%5000)); err != nil {
					errc <- err
					return
				}
			}
			errc <- a.Flush()
		}()
		for i := range n {
			code, data, _, err := b.Read()
			if err != nil {
				t.Fatal(err)
			}
			if code != uint64(i) || !bytes.Equal(data, bytes.Repeat([]byte{byte(i)}, i*37%5000)) {
				t.Fatalf("message %d differs", i)
			}
		}
		if err := <-errc; err != nil {
			t.Fatal(err)
		}
		// Close sends what is queued.
		a.Write(7, []byte("last"))
		go a.Close()
		if code, data, _, err := b.Read(); err != nil || code != 7 || string(data) != "last" {
			t.Fatalf("after Close: %d %q %v", code, data, err)
		}
		// Turning the mode off flushes and stops the goroutine.
		if err := b.SetWriteCoalescing(false); err != nil {
			t.Fatal(err)
		}
	})
}

// TestCoalescingStuckPeer: the peer never reads. Writes queue until the
// limit, then block; Close gives up after closeFlushTimeout and unblocks
// everything; later Writes fail.
func TestCoalescingStuckPeer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, _ := connPair(t)
		a.SetWriteCoalescing(true)
		errc := make(chan error, 1)
		go func() {
			for {
				if _, err := a.Write(1, make([]byte, 4096)); err != nil {
					errc <- err
					return
				}
			}
		}()
		synctest.Wait() // writer blocked on the full queue
		start := time.Now()
		a.Close()
		if d := time.Since(start); d != closeFlushTimeout {
			t.Errorf("Close took %v, want %v", d, closeFlushTimeout)
		}
		if err := <-errc; err == nil {
			t.Fatal("Write after Close succeeded")
		}
		if _, err := a.Write(1, nil); err == nil {
			t.Fatal("Write after Close succeeded")
		}
	})
}

// TestCoalescingWriteError: a socket error is sticky and reported later.
func TestCoalescingWriteError(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := connPair(t)
		a.SetWriteCoalescing(true)
		b.conn.Close() // peer gone
		var err error
		for i := 0; i < 100 && err == nil; i++ {
			_, err = a.Write(1, []byte("x"))
			synctest.Wait()
		}
		if err == nil {
			t.Fatal("no error after the peer closed")
		}
		if err := a.Flush(); err == nil {
			t.Fatal("Flush: no error")
		}
	})
}

// TestSnappyDense round-trips maximally compressible messages, which must
// stay within maxSnappyRatio.
func TestSnappyDense(t *testing.T) {
	c := loopPair(t)
	c.SetSnappy(true)
	for _, n := range []int{1, 64, 1 << 10, 1 << 20, maxUint24 - 1} {
		msg := make([]byte, n)
		if _, err := c.Write(1, msg); err != nil {
			t.Fatal(err)
		}
		_, data, wire, err := c.Read()
		if err != nil || !bytes.Equal(data, msg) {
			t.Fatalf("%d zero bytes: %v", n, err)
		}
		t.Logf("%d zero bytes -> %d on the wire", n, wire)
	}
}

// TestFullDuplexTCP: both sides read and write at once over loopback TCP,
// one side coalescing, with snappy; run under -race this checks the
// one-reader/concurrent-writers contract.
func TestFullDuplexTCP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	ka, kb := newKey(t), newKey(t)
	accepted := make(chan *Conn, 1)
	go func() {
		fd, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		c := NewConn(fd, nil)
		if _, err := c.Handshake(kb); err != nil {
			fd.Close()
			accepted <- nil
			return
		}
		accepted <- c
	}()
	fd, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	a := NewConn(fd, &kb.PublicKey)
	defer a.Close()
	if _, err := a.Handshake(ka); err != nil {
		t.Fatal(err)
	}
	b := <-accepted
	if b == nil {
		t.Fatal("recipient handshake failed")
	}
	defer b.Close()
	a.SetWriteCoalescing(true)
	for _, c := range []*Conn{a, b} {
		c.SetSnappy(true)
	}

	const n = 500
	msg := func(i int) []byte { return bytes.Repeat([]byte{byte(i)}, (i*7919)%20000) }
	var wg sync.WaitGroup
	errs := make(chan error, 6)
	for _, c := range []*Conn{a, b} {
		// Two writers per side, each sending its half of the codes.
		for w := range 2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := w; i < n; i += 2 {
					if _, err := c.Write(uint64(i), msg(i)); err != nil {
						errs <- err
						return
					}
				}
			}()
		}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range n {
				code, data, _, err := c.Read()
				if err != nil {
					errs <- err
					return
				}
				if !bytes.Equal(data, msg(int(code))) {
					errs <- fmt.Errorf("message %d differs", code)
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
}
