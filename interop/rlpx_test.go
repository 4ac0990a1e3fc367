package interop

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"math/rand/v2"
	"net"
	"testing"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	grlpx "github.com/ethereum/go-ethereum/p2p/rlpx"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/rlpx"
)

// msgConn is what both rlpx.Conn implementations offer after the handshake.
type msgConn interface {
	Read() (uint64, []byte, int, error)
	Write(uint64, []byte) (uint32, error)
	SetSnappy(bool)
	Close() error
}

const rlpxInteropMessages = 1000 // per direction

// rlpxMsgSize gives message i's payload size: every 50th is 1 MiB, the
// rest cycle through block and frame-padding edges and random sizes up to
// 64 KiB, starting with 0.
func rlpxMsgSize(i int) int {
	edges := []int{0, 1, 2, 15, 16, 17, 31, 32, 33, 127, 128, 1023, 1024, 1025, 4096, 65535, 65536, 65537}
	switch {
	case i%100 == 99 || i%100 == 49:
		return 1 << 20
	case i < len(edges):
		return edges[i]
	default:
		return rand.New(rand.NewPCG(uint64(i), 1)).IntN(64 << 10)
	}
}

// rlpxMsg builds message i from direction dir: half pseudo-random, half a
// repeating pattern, so snappy has something to compress and something not.
//
// Every 100th message (i%100 == 49) is 1 MiB of zeros: the densest snappy
// blocks an encoder makes, which the decoder's size plausibility check
// must accept.
func rlpxMsg(dir, i int) []byte {
	n := rlpxMsgSize(i)
	b := make([]byte, n)
	if i%100 == 49 {
		return b
	}
	r := rand.New(rand.NewPCG(uint64(dir), uint64(i)))
	for j := 0; j < n/2; j++ {
		b[j] = byte(r.Uint32())
	}
	for j := n / 2; j < n; j++ {
		b[j] = byte(j % 7)
	}
	return b
}

// TestRLPxInterop runs our Conn against go-ethereum's p2p/rlpx in both roles,
// over net.Pipe and loopback TCP, snappy off and on: 1000 messages each way
// (0 B to 1 MiB) must arrive byte for byte, with matching wire sizes. Over
// TCP our side writes in coalescing mode.
func TestRLPxInterop(t *testing.T) {
	for _, transport := range []string{"pipe", "tcp"} {
		for _, oursDials := range []bool{true, false} {
			for _, snappy := range []bool{false, true} {
				name := fmt.Sprintf("%s/ours-initiator=%v/snappy=%v", transport, oursDials, snappy)
				t.Run(name, func(t *testing.T) { testRLPxInterop(t, transport, oursDials, snappy) })
			}
		}
	}
}

func testRLPxInterop(t *testing.T, transport string, oursDials, snappy bool) {
	ourKey, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	gethKey, err := gcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	// Each library wants keys on its own curve type.
	ourKeyG, _ := gcrypto.ToECDSA(crypto.FromECDSA(ourKey))
	gethKeyO, _ := crypto.ToECDSA(gcrypto.FromECDSA(gethKey))

	fdOurs, fdGeth := rlpxTransport(t, transport)
	var ours *rlpx.Conn
	var geth *grlpx.Conn
	if oursDials {
		ours = rlpx.NewConn(fdOurs, &gethKeyO.PublicKey)
		geth = grlpx.NewConn(fdGeth, nil)
	} else {
		ours = rlpx.NewConn(fdOurs, nil)
		geth = grlpx.NewConn(fdGeth, &ourKeyG.PublicKey)
	}
	defer ours.Close()
	defer geth.Close()

	type result struct {
		pub *ecdsa.PublicKey
		err error
	}
	gethRes := make(chan result, 1)
	go func() {
		pub, err := geth.Handshake(gethKey)
		gethRes <- result{pub, err}
	}()
	pub, err := ours.Handshake(ourKey)
	if err != nil {
		t.Fatal("our handshake:", err)
	}
	gr := <-gethRes
	if gr.err != nil {
		t.Fatal("geth handshake:", gr.err)
	}
	if !bytes.Equal(crypto.FromECDSAPub(pub), gcrypto.FromECDSAPub(&gethKey.PublicKey)) {
		t.Fatal("we learned the wrong remote key")
	}
	if !bytes.Equal(gcrypto.FromECDSAPub(gr.pub), crypto.FromECDSAPub(&ourKey.PublicKey)) {
		t.Fatal("geth learned the wrong remote key")
	}
	ours.SetSnappy(snappy)
	geth.SetSnappy(snappy)
	if transport == "tcp" {
		// Our write path in both modes: coalescing over TCP, one socket
		// write per message over the pipe.
		ours.SetWriteCoalescing(true)
	}

	// Both directions at once: a writer and a reader on each side.
	type report struct {
		side  string
		sizes []uint32 // wire sizes written or read
		err   error
	}
	done := make(chan report, 4)
	write := func(side string, c msgConn, dir int) {
		sizes := make([]uint32, 0, rlpxInteropMessages)
		for i := range rlpxInteropMessages {
			n, err := c.Write(uint64(i%300), rlpxMsg(dir, i))
			if err != nil {
				done <- report{side, nil, fmt.Errorf("write %d: %w", i, err)}
				return
			}
			sizes = append(sizes, n)
		}
		done <- report{side, sizes, nil}
	}
	read := func(side string, c msgConn, dir int) {
		sizes := make([]uint32, 0, rlpxInteropMessages)
		for i := range rlpxInteropMessages {
			code, data, wire, err := c.Read()
			if err != nil {
				done <- report{side, nil, fmt.Errorf("read %d: %w", i, err)}
				return
			}
			if code != uint64(i%300) || !bytes.Equal(data, rlpxMsg(dir, i)) {
				done <- report{side, nil, fmt.Errorf("message %d: code %d, %d bytes, content differs", i, code, len(data))}
				return
			}
			sizes = append(sizes, uint32(wire))
		}
		done <- report{side, sizes, nil}
	}
	go write("ours-write", ours, 1)
	go read("geth-read", geth, 1)
	go write("geth-write", geth, 2)
	go read("ours-read", ours, 2)

	got := map[string][]uint32{}
	for range 4 {
		r := <-done
		if r.err != nil {
			t.Errorf("%s: %v", r.side, r.err)
			ours.Close() // unblock the others
			geth.Close()
			continue
		}
		got[r.side] = r.sizes
	}
	if t.Failed() {
		return
	}
	for _, p := range [][2]string{{"ours-write", "geth-read"}, {"geth-write", "ours-read"}} {
		for i := range got[p[0]] {
			if got[p[0]][i] != got[p[1]][i] {
				t.Fatalf("%s/%s: message %d wire size %d vs %d", p[0], p[1], i, got[p[0]][i], got[p[1]][i])
			}
		}
	}
}

// rlpxTransport returns the two ends of a connection: net.Pipe or loopback TCP.
func rlpxTransport(t *testing.T, kind string) (net.Conn, net.Conn) {
	if kind == "pipe" {
		return net.Pipe()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		c, err := ln.Accept()
		if err != nil {
			accepted <- nil
			return
		}
		accepted <- c
	}()
	dialed, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	acc := <-accepted
	if acc == nil {
		t.Fatal("accept failed")
	}
	return dialed, acc
}
