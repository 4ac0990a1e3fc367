package devp2p_test

import (
	"fmt"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
)

// greeting is the one message of the example protocol.
type greeting struct {
	Text string
}

// Two nodes on the loopback interface run a small protocol: the dialer
// greets, the listener prints what it got.
func Example() {
	received := make(chan string, 1)
	greeter := devp2p.Protocol{
		Name:    "greet",
		Version: 1,
		Length:  1, // one message code: 0
		Run: func(peer *devp2p.Peer, rw devp2p.MsgReadWriter) error {
			if !peer.Inbound() {
				return devp2p.Send(rw, 0, greeting{Text: "hello"})
			}
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			var g greeting
			if err := msg.Decode(&g); err != nil {
				return err
			}
			received <- g.Text
			return nil
		},
	}

	newServer := func() *devp2p.Server {
		key, _ := crypto.GenerateKey()
		srv := &devp2p.Server{Config: devp2p.Config{
			PrivateKey:  key,
			MaxPeers:    10,
			ListenAddr:  "127.0.0.1:0",
			NoDiscovery: true,
			Protocols:   []devp2p.Protocol{greeter},
		}}
		if err := srv.Start(); err != nil {
			panic(err)
		}
		return srv
	}
	alice, bob := newServer(), newServer()
	defer alice.Stop()
	defer bob.Stop()

	alice.AddPeer(bob.Self()) // a static peer: dialed now and kept connected
	fmt.Println("bob received:", <-received)
	// Output: bob received: hello
}
