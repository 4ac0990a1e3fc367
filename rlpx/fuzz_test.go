package rlpx

import (
	"bytes"
	"crypto/ecdsa"
	"io"
	"net"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
)

// FuzzReadAuth feeds auth packets (envelope: size prefix, pre-EIP-8
// detection, ECIES) and auth plaintexts (RLP and pre-EIP-8 layouts, key
// checks, signature recovery) to the recipient's decoding. Seeded with the
// published auth₁₋₃ and their plaintexts.
func FuzzReadAuth(f *testing.F) {
	vs := loadVectors(f)
	keyB := vkey(f, vs["params"].in["static_key_b"])
	for _, name := range []string{"auth1", "auth2", "auth3"} {
		msg := unhex(f, vs[name].in["message"])
		f.Add(msg)
		var buf readBuffer
		if plain, _, _, err := readPacket(bytes.NewReader(msg), &buf, keyB, authPlainV4); err == nil {
			f.Add(plain)
		}
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var buf readBuffer
		if plain, _, eip8, err := readPacket(bytes.NewReader(data), &buf, keyB, authPlainV4); err == nil {
			checkAuth(keyB, plain, eip8)
		}
		checkAuth(keyB, data, true)
		checkAuth(keyB, data, false)
	})
}

func checkAuth(key *ecdsa.PrivateKey, plain []byte, eip8 bool) {
	auth, err := decodeAuth(plain, eip8)
	if err != nil {
		return
	}
	h := &handshakeState{prv: key, eip8: eip8}
	h.handleAuth(auth)
}

// fuzzSession returns a sender and receiver that share fixed secrets.
func fuzzSession(t testing.TB) (egress, ingress) {
	sec := func() *secrets {
		k := crypto.Keccak256Hash([]byte("fuzz"))
		return &secrets{aes: k, mac: k, egressMAC: newKeccak(), ingressMAC: newKeccak()}
	}
	out, _, err := newStreams(sec())
	if err != nil {
		t.Fatal(err)
	}
	_, in, err := newStreams(sec())
	if err != nil {
		t.Fatal(err)
	}
	return out, in
}

// FuzzReadFrame drives Read after the handshake. With wrap set, the input is
// frame-data (msg-id ‖ msg-data) sealed in a valid frame, so message-code
// and snappy decoding are reached; otherwise the input is the raw byte
// stream (MACs, sizes, truncation). Reads continue until an error.
func FuzzReadFrame(f *testing.F) {
	out, _ := fuzzSession(f)
	var stream []byte
	for i, n := range []int{0, 1, 15, 16, 17, 100} {
		stream, _ = out.appendFrame(stream, uint64(i), bytes.Repeat([]byte{byte(i)}, n))
	}
	f.Add(stream, false, false)
	f.Add(stream[:len(stream)-1], false, false)
	f.Add([]byte{0x08, 0xc4, 1, 2, 3, 4}, true, false)
	f.Add([]byte{0x10, 0x05, 0x10, 'h', 'e', 'l', 'l', 'o'}, true, true)
	f.Add([]byte{0x10, 0xff, 0xff, 0xff, 0xff, 0x0f, 0x00, 'x'}, true, true)
	f.Add([]byte{0x81, 0x00}, true, false)
	f.Fuzz(func(t *testing.T, data []byte, wrap, snappy bool) {
		out, in := fuzzSession(t)
		if wrap {
			data = out.appendRaw(nil, data)
		}
		c := &Conn{conn: fuzzConn{Reader: bytes.NewReader(data)}, in: in}
		c.maxRead.Store(maxUint24)
		c.SetSnappy(snappy)
		for range 100 {
			if _, _, _, err := c.Read(); err != nil {
				return
			}
		}
	})
}

// fuzzConn is a net.Conn reading from a fixed input.
type fuzzConn struct {
	io.Reader
	net.Conn
}

func (c fuzzConn) Read(b []byte) (int, error) { return c.Reader.Read(b) }
