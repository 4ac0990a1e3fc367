package rlpx

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net"
	"os"
	"runtime"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/crypto/ecies"
)

// Hostile-input tests (docs/SECURITY.md). They run in synctest bubbles: the
// handshake deadline runs on fake time, and synctest.Test fails if any
// goroutine is left behind.

// recipientResult runs a recipient Handshake on fd and returns its error.
func runRecipient(fd net.Conn, key *ecdsa.PrivateKey) chan error {
	errc := make(chan error, 1)
	go func() {
		_, err := NewConn(fd, nil).Handshake(key)
		errc <- err
	}()
	return errc
}

// feed writes data to fd in a goroutine, then waits for done and closes fd.
func feed(fd net.Conn, data []byte, done <-chan struct{}) {
	go func() {
		fd.Write(data)
		<-done
		fd.Close()
	}()
}

// sealEIP8For seals an arbitrary EIP-8 body (with its size prefix) to pub.
func sealEIP8For(t *testing.T, pub *ecdsa.PublicKey, body []byte) []byte {
	t.Helper()
	h := &handshakeState{rand: rand.Reader, remote: pub}
	p, err := h.sealEIP8(body)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func TestHandshakeRandomBytes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		key := newKey(t)
		for i := range 20 {
			junk := make([]byte, 4096)
			rand.Read(junk)
			if i%4 == 0 {
				junk[0] = 0x04 // take the pre-EIP-8 path first
			}
			a, b := net.Pipe()
			done := make(chan struct{})
			feed(a, junk, done)
			err := <-runRecipient(b, key)
			close(done)
			b.Close()
			var he *HandshakeError
			if !errors.As(err, &he) {
				t.Fatalf("junk %d: error %v is not a *HandshakeError", i, err)
			}
			if !errors.Is(err, ErrBadMAC) && !errors.Is(err, ErrUnknownFormat) {
				t.Fatalf("junk %d (prefix %x): unexpected error %v", i, junk[:2], err)
			}
		}
	})
}

func TestHandshakeTimeout(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		kb := newKey(t)
		// The auth stops after 100 of its bytes and the peer goes silent.
		auth := sealEIP8For(t, &kb.PublicKey, bytes.Repeat([]byte{1}, 200))
		for _, prefix := range [][]byte{nil, auth[:2], auth[:100]} {
			a, b := net.Pipe()
			done := make(chan struct{})
			feed(a, prefix, done)
			start := time.Now()
			err := <-runRecipient(b, kb)
			if !errors.Is(err, ErrHandshakeTimeout) || !errors.Is(err, os.ErrDeadlineExceeded) {
				t.Fatalf("got %v, want handshake timeout", err)
			}
			if d := time.Since(start); d != HandshakeTimeout {
				t.Errorf("timed out after %v, want %v", d, HandshakeTimeout)
			}
			close(done)
			b.Close()
		}
		// Initiator whose peer takes the auth but never answers.
		a, b := net.Pipe()
		go io.Copy(io.Discard, b)
		_, err := NewConn(a, &kb.PublicKey).Handshake(newKey(t))
		if !errors.Is(err, ErrHandshakeTimeout) {
			t.Fatalf("initiator: got %v, want timeout", err)
		}
		a.Close()
		b.Close()
	})
}

// TestHandshakeSizePrefix covers every class of EIP-8 size prefix.
func TestHandshakeSizePrefix(t *testing.T) {
	tests := []struct {
		prefix int
		body   int // bytes sent after the prefix
		want   error
	}{
		{0, 0, ErrUnknownFormat},
		{1, 1, ErrUnknownFormat},
		{ecies.Overhead, ecies.Overhead, ErrUnknownFormat},
		{ecies.Overhead + 1, ecies.Overhead + 1, ErrBadMAC},
		{300, 300, ErrBadMAC},
		{0x0400, 0x0400, ErrBadMAC}, // also tried as pre-EIP-8 first
		{0x04ff, 0x04ff, ErrBadMAC},
		{maxHandshakeSize, maxHandshakeSize, ErrBadMAC},
		{maxHandshakeSize + 1, 0, ErrUnknownFormat}, // rejected before the body
		{0x8000, 0, ErrUnknownFormat},
		{0xffff, 0, ErrUnknownFormat},
	}
	for _, tt := range tests {
		t.Run(fmt.Sprint(tt.prefix), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				msg := make([]byte, 2+tt.body)
				msg[0], msg[1] = byte(tt.prefix>>8), byte(tt.prefix)
				rand.Read(msg[2:])
				a, b := net.Pipe()
				done := make(chan struct{})
				feed(a, msg, done)
				start := time.Now()
				err := <-runRecipient(b, newKey(t))
				if !errors.Is(err, tt.want) {
					t.Fatalf("got %v, want %v", err, tt.want)
				}
				if time.Since(start) != 0 {
					t.Error("error came only with the deadline")
				}
				close(done)
				b.Close()
			})
		})
	}
}

// TestHandshakeTruncatedECIES sends auth packets cut short and closes: every
// length fails with an error, never a panic.
func TestHandshakeTruncatedECIES(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		kb := newKey(t)
		auth := sealEIP8For(t, &kb.PublicKey, bytes.Repeat([]byte{1}, 200))
		for n := 0; n < len(auth); n += 7 {
			a, b := net.Pipe()
			done := make(chan struct{})
			close(done)
			feed(a, auth[:n], done)
			if err := <-runRecipient(b, kb); err == nil {
				t.Fatalf("truncated to %d: no error", n)
			}
			b.Close()
		}
		// A prefix that matches the truncated length: ECIES sees a short message.
		for n := 1; n <= ecies.Overhead+16; n += 5 {
			msg := append([]byte{byte(n >> 8), byte(n)}, auth[2:2+n]...)
			a, b := net.Pipe()
			done := make(chan struct{})
			feed(a, msg, done)
			if err := <-runRecipient(b, kb); err == nil {
				t.Fatalf("ECIES of %d bytes: no error", n)
			}
			close(done)
			b.Close()
		}
	})
}

// badPoints are 64-byte X ‖ Y keys that are not valid secp256k1 points.
func badPoints(t *testing.T) map[string][]byte {
	valid := crypto.FromECDSAPub(&newKey(t).PublicKey)[1:]
	p := crypto.S256().Params().P
	yPlus1 := bytes.Clone(valid)
	y := new(big.Int).SetBytes(yPlus1[32:])
	y.Add(y, big.NewInt(1)).Mod(y, p)
	y.FillBytes(yPlus1[32:])
	// x+p alias: same point mod p, but x >= p (only when x+p < 2^256).
	xAlias := bytes.Clone(valid)
	x := new(big.Int).SetBytes(valid[:32])
	x.Add(x, p)
	if x.BitLen() <= 256 {
		x.FillBytes(xAlias[:32])
	} else {
		xAlias = nil
	}
	pp := make([]byte, 64)
	p.FillBytes(pp[:32])
	p.FillBytes(pp[32:])
	m := map[string][]byte{
		"zero":   make([]byte, 64), // (0,0), the affine stand-in for infinity
		"y+1":    yPlus1,
		"x=y=p":  pp,
		"all-ff": bytes.Repeat([]byte{0xff}, 64),
	}
	if xAlias != nil {
		m["x+p"] = xAlias
	}
	return m
}

func TestHandshakeOffCurveAuth(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ka, kb := newKey(t), newKey(t)
		for name, bad := range badPoints(t) {
			auth := &authMsg{Version: 4}
			copy(auth.InitiatorPubkey[:], bad)
			rand.Read(auth.Nonce[:])
			sig, _ := crypto.Sign(auth.Nonce[:], ka)
			copy(auth.Signature[:], sig)
			a, b := net.Pipe()
			done := make(chan struct{})
			feed(a, sealEIP8For(t, &kb.PublicKey, auth.appendEIP8(nil)), done)
			err := <-runRecipient(b, kb)
			if !errors.Is(err, ErrWrongIdentity) {
				t.Errorf("%s: got %v, want ErrWrongIdentity", name, err)
			}
			close(done)
			b.Close()
		}
	})
}

func TestHandshakeOffCurveAck(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ka, kb := newKey(t), newKey(t)
		for name, bad := range badPoints(t) {
			a, b := net.Pipe()
			errc := make(chan error, 1)
			go func() {
				_, err := NewConn(a, &kb.PublicKey).Handshake(ka)
				errc <- err
			}()
			// Fake recipient: take the auth, answer with a bad ephemeral key.
			var buf readBuffer
			if _, _, _, err := readPacket(b, &buf, kb, authPlainV4); err != nil {
				t.Fatal(err)
			}
			ack := &ackMsg{Version: 4}
			copy(ack.EphemeralPubkey[:], bad)
			b.Write(sealEIP8For(t, &ka.PublicKey, ack.appendEIP8(nil)))
			if err := <-errc; !errors.Is(err, ErrWrongIdentity) {
				t.Errorf("%s: got %v, want ErrWrongIdentity", name, err)
			}
			a.Close()
			b.Close()
		}
	})
}

// TestHandshakeOffCurveECIES replaces the ECIES point R of a valid auth.
func TestHandshakeOffCurveECIES(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		kb := newKey(t)
		auth := sealEIP8For(t, &kb.PublicKey, bytes.Repeat([]byte{1}, 200))
		for name, bad := range badPoints(t) {
			msg := bytes.Clone(auth)
			copy(msg[3:67], bad) // prefix(2) ‖ 0x04 ‖ X ‖ Y ‖ ...
			a, b := net.Pipe()
			done := make(chan struct{})
			feed(a, msg, done)
			if err := <-runRecipient(b, kb); !errors.Is(err, ErrBadMAC) {
				t.Errorf("%s: got %v", name, err)
			}
			close(done)
			b.Close()
		}
	})
}

// tamperConn flips one byte of the next Write when armed.
type tamperConn struct {
	net.Conn
	at  int // byte offset to flip in the next write; -1 = off
	cut int // if > 0, write only this many bytes of the next write, then close
}

func (c *tamperConn) Write(b []byte) (int, error) {
	if c.at >= 0 && c.at < len(b) {
		b = bytes.Clone(b)
		b[c.at] ^= 0x01
		c.at = -1
	}
	if c.cut > 0 {
		c.Conn.Write(b[:c.cut])
		c.Conn.Close()
		return c.cut, io.ErrClosedPipe
	}
	return c.Conn.Write(b)
}

// tamperPair is connPair with a tamperConn under the initiator.
func tamperPair(t *testing.T) (*Conn, *Conn, *tamperConn) {
	ka, kb := newKey(t), newKey(t)
	p1, p2 := net.Pipe()
	tc := &tamperConn{Conn: p1, at: -1}
	a, b := NewConn(tc, &kb.PublicKey), NewConn(p2, nil)
	errc := make(chan error, 1)
	go func() { _, err := b.Handshake(kb); errc <- err }()
	if _, err := a.Handshake(ka); err != nil {
		t.Fatal(err)
	}
	if err := <-errc; err != nil {
		t.Fatal(err)
	}
	return a, b, tc
}

// writeAsync writes in a goroutine (net.Pipe blocks until read) and returns
// a channel that yields when the Write is done.
func writeAsync(c *Conn, code uint64, data []byte) chan error {
	errc := make(chan error, 1)
	go func() { _, err := c.Write(code, data); errc <- err }()
	return errc
}

func TestFrameBadMAC(t *testing.T) {
	const size = 100 // frame: header 16, header-mac 16, body 112, frame-mac 16
	for _, tt := range []struct {
		name string
		at   int
	}{
		{"header-ciphertext", 0},
		{"header-mac", 16},
		{"frame-ciphertext", 40},
		{"frame-mac", 32 + 112 + 3},
	} {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a, b, tc := tamperPair(t)
				defer a.Close()
				defer b.Close()
				tc.at = tt.at
				errc := writeAsync(a, 1, make([]byte, size-1))
				_, data, _, err := b.Read()
				if !errors.Is(err, ErrBadMAC) {
					t.Fatalf("got %v (data %x), want ErrBadMAC", err, data)
				}
				b.Close()
				<-errc
			})
		})
	}
}

func TestFrameOverLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b, _ := tamperPair(t)
		defer a.Close()
		defer b.Close()
		b.SetMaxReadSize(1024)
		errc := writeAsync(a, 1, make([]byte, 2000))
		var before runtime.MemStats
		runtime.ReadMemStats(&before)
		_, _, _, err := b.Read()
		if !errors.Is(err, ErrMessageTooLarge) {
			t.Fatalf("got %v, want ErrMessageTooLarge", err)
		}
		b.Close()
		<-errc
		// Writes at or over the 24-bit limit never reach the wire.
		if _, err := a.Write(1, make([]byte, MaxMessageSize)); !errors.Is(err, ErrMessageTooLarge) {
			t.Fatalf("oversized Write: %v", err)
		}
		if _, err := a.Write(1, make([]byte, MaxMessageSize-1)); !errors.Is(err, ErrMessageTooLarge) {
			t.Fatalf("oversized frame (code + data): %v", err)
		}
	})
}

// TestSnappyBomb sends frames whose snappy header claims too much: rejected
// from the header, with no allocation of the claimed size.
func TestSnappyBomb(t *testing.T) {
	for _, claim := range []uint64{1<<32 - 1, 1 << 31, MaxMessageSize, maxUint24 + 1} {
		t.Run(fmt.Sprint(claim), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a, b, _ := tamperPair(t)
				defer a.Close()
				defer b.Close()
				b.SetSnappy(true) // a stays off, so it sends the block as is
				block := appendUvarint(nil, claim)
				block = append(block, 0x00, 'x') // one literal byte
				errc := writeAsync(a, 0x10, block)
				var before, after runtime.MemStats
				runtime.ReadMemStats(&before)
				_, _, _, err := b.Read()
				runtime.ReadMemStats(&after)
				if !errors.Is(err, ErrMessageTooLarge) {
					t.Fatalf("got %v, want ErrMessageTooLarge", err)
				}
				if d := after.TotalAlloc - before.TotalAlloc; d > 1<<20 {
					t.Errorf("allocated %d bytes for a rejected message", d)
				}
				b.Close()
				<-errc
			})
		})
	}
}

func appendUvarint(b []byte, x uint64) []byte {
	for x >= 0x80 {
		b = append(b, byte(x)|0x80)
		x >>= 7
	}
	return append(b, byte(x))
}

func TestFrameTruncated(t *testing.T) {
	// Frame of a 100-byte message is 160 bytes; cut it at every class.
	for _, cut := range []int{1, 16, 31, 32, 33, 100, 159} {
		t.Run(fmt.Sprint(cut), func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				a, b, tc := tamperPair(t)
				defer a.Close()
				defer b.Close()
				tc.cut = cut
				errc := writeAsync(a, 1, make([]byte, 99))
				_, _, _, err := b.Read()
				if !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
					t.Fatalf("got %v, want unexpected EOF", err)
				}
				<-errc
			})
		})
	}
	// A frame that stops mid-way and stalls: the read deadline ends it.
	synctest.Test(t, func(t *testing.T) {
		a, b, tc := tamperPair(t)
		defer a.Close()
		defer b.Close()
		tc.at = -1
		raw := tc.Conn
		go raw.Write(make([]byte, 20))
		b.SetReadDeadline(time.Now().Add(30 * time.Second))
		if _, _, _, err := b.Read(); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Fatalf("got %v, want deadline exceeded", err)
		}
		a.Close()
	})
}

// TestInvalidCode sends a frame whose msg-id is not a canonical RLP integer.
func TestInvalidCode(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b, _ := tamperPair(t)
		defer a.Close()
		defer b.Close()
		// Frame data 0x8100 = non-canonical encoding of 0.
		errc := make(chan error, 1)
		go func() {
			a.wmu.Lock()
			defer a.wmu.Unlock()
			f := a.out.appendRaw(nil, []byte{0x81, 0x00})
			_, err := a.conn.Write(f)
			errc <- err
		}()
		if _, _, _, err := b.Read(); !errors.Is(err, errInvalidCode) {
			t.Fatalf("got %v", err)
		}
		b.Close()
		<-errc
	})
}

// appendRaw appends a frame carrying arbitrary frame-data.
func (e *egress) appendRaw(dst, frameData []byte) []byte {
	fsize := len(frameData)
	f := make([]byte, headerSize+macSize+padded(fsize)+macSize)
	f[0], f[1], f[2] = byte(fsize>>16), byte(fsize>>8), byte(fsize)
	copy(f[3:], headerData[:])
	e.enc.XORKeyStream(f[:headerSize], f[:headerSize])
	e.mac.header(f[:headerSize], f[headerSize:headerSize+macSize])
	body := f[headerSize+macSize : len(f)-macSize]
	copy(body, frameData)
	e.enc.XORKeyStream(body, body)
	e.mac.frame(body, f[len(f)-macSize:])
	return append(dst, f...)
}

// TestHandshakeEarlierDeadline: a deadline set on the Conn before Handshake
// wins when it is earlier than HandshakeTimeout, and is restored after.
func TestHandshakeEarlierDeadline(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		a, b := net.Pipe()
		defer a.Close()
		c := NewConn(b, nil)
		c.SetDeadline(time.Now().Add(time.Second))
		start := time.Now()
		if _, err := c.Handshake(newKey(t)); !errors.Is(err, ErrHandshakeTimeout) {
			t.Fatalf("got %v", err)
		}
		if d := time.Since(start); d != time.Second {
			t.Errorf("timed out after %v, want 1s", d)
		}
		c.Close()
	})
}
