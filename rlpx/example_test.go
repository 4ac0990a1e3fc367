package rlpx_test

import (
	"fmt"
	"net"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/rlpx"
)

// Two nodes connected by an in-memory pipe run the RLPx handshake and
// exchange one message. The dialing side must know the key of the node it
// dials; the accepting side learns the dialer's key from the handshake.
func Example() {
	dialerKey, _ := crypto.GenerateKey()
	listenerKey, _ := crypto.GenerateKey()
	fd1, fd2 := net.Pipe()

	dialer := rlpx.NewConn(fd1, &listenerKey.PublicKey)
	listener := rlpx.NewConn(fd2, nil)
	defer dialer.Close()
	defer listener.Close()

	// Both sides handshake at once, each with its own node key.
	type result struct {
		remote string
		err    error
	}
	accepted := make(chan result, 1)
	go func() {
		pub, err := listener.Handshake(listenerKey)
		if err != nil {
			accepted <- result{err: err}
			return
		}
		accepted <- result{remote: enode.PubkeyToIDV4(pub).String()}
	}()
	if _, err := dialer.Handshake(dialerKey); err != nil {
		panic(err)
	}
	res := <-accepted
	if res.err != nil {
		panic(res.err)
	}
	fmt.Println("listener sees the dialer's ID:", res.remote == enode.PubkeyToIDV4(&dialerKey.PublicKey).String())

	// Messages are a code and a payload (normally RLP). net.Pipe has no
	// buffer, so the write runs beside the read.
	sent := make(chan error, 1)
	go func() {
		_, err := dialer.Write(0x10, []byte("hello"))
		sent <- err
	}()
	code, data, _, err := listener.Read()
	if err != nil {
		panic(err)
	}
	if err := <-sent; err != nil {
		panic(err)
	}
	fmt.Printf("received code %#x: %s\n", code, data)
	// Output:
	// listener sees the dialer's ID: true
	// received code 0x10: hello
}
