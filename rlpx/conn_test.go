package rlpx

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"net"
	"testing"

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
