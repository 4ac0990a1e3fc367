package v4_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// startNode runs a discv4 node on the in-memory network at addr. A real node
// passes a *net.UDPConn instead, and leaves Clock unset.
func startNode(nw *memnet.Network, clock mclock.Clock, addr string) *v4.UDPv4 {
	ap := netip.MustParseAddrPort(addr)
	conn, err := nw.Listen(ap)
	if err != nil {
		panic(err)
	}
	key, _ := crypto.GenerateKey()
	ln := enode.NewLocalNode(nil, key)
	ln.SetStaticIP(ap.Addr().AsSlice())
	ln.SetFallbackUDP(int(ap.Port()))
	disc, err := v4.ListenV4(conn, ln, v4.Config{PrivateKey: key, Clock: clock})
	if err != nil {
		panic(err)
	}
	return disc
}

// Two nodes on the in-memory network: one pings the other. The first ping
// between two nodes also starts the endpoint proof: the node pinged pings
// back, and once both proofs are in, each puts the other into its table and
// will answer its Findnode and ENRRequest packets.
//
// The example runs on a simulated clock that it never advances, so no reply
// timeout can fire however busy the machine is: the pong simply arrives.
func Example() {
	var clock mclock.Simulated
	nw := memnet.New()
	alice := startNode(nw, &clock, "11.0.0.1:30303")
	defer alice.Close()
	bob := startNode(nw, &clock, "11.0.1.1:30303")
	defer bob.Close()

	if err := alice.Ping(context.Background(), bob.Self()); err != nil {
		panic(err)
	}
	fmt.Println("bob answered alice's ping")
	// Output: bob answered alice's ping
}
