package main

import (
	"net"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/rlpx"
)

// TestRLPxPingDisconnect checks that a node refusing us is reported with
// its reason. The "node" is a listener in the test that completes the RLPx
// handshake and then sends Disconnect(too many peers) instead of Hello.
func TestRLPxPingDisconnect(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan struct{})
	go func() {
		defer close(done)
		fd, err := l.Accept()
		if err != nil {
			return
		}
		defer fd.Close()
		c := rlpx.NewConn(fd, nil)
		if _, err := c.Handshake(key); err != nil {
			t.Errorf("handshake: %v", err)
			return
		}
		const discMsg, tooManyPeers = 0x01, 0x04 // rlpx.md, "Disconnect"
		c.Write(discMsg, []byte{0xc1, tooManyPeers})
		c.Read() // until the prober hangs up, so no reset eats the Disconnect
	}()
	port := l.Addr().(*net.TCPAddr).Port
	n := enode.NewV4(&key.PublicKey, net.IP{127, 0, 0, 1}, port, 0)
	mustFail(t, "disconnected: too many peers", "rlpx", "ping", n.URLv4())
	<-done
}

func TestRLPxPingErrors(t *testing.T) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	l.Close()
	key, _ := crypto.GenerateKey()
	n := enode.NewV4(&key.PublicKey, net.IP{127, 0, 0, 1}, port, 0)
	mustFail(t, "connection refused", "rlpx", "ping", n.URLv4())
	mustFail(t, "invalid node", "rlpx", "ping", "enr:nonsense")
	mustFail(t, "missing argument NODE", "rlpx", "ping")
}
