package v5_test

import (
	"context"
	"fmt"
	"net/netip"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v5"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// startNode runs a discv5 node on the in-memory network at addr. A real node
// passes a *net.UDPConn instead, and leaves Clock unset.
func startNode(nw *memnet.Network, clock mclock.Clock, addr string, bootnodes ...*enode.Node) *v5.UDPv5 {
	ap := netip.MustParseAddrPort(addr)
	conn, err := nw.Listen(ap)
	if err != nil {
		panic(err)
	}
	key, _ := crypto.GenerateKey()
	ln := enode.NewLocalNode(nil, key)
	ln.SetStaticIP(ap.Addr().AsSlice())
	ln.SetFallbackUDP(int(ap.Port()))
	disc, err := v5.ListenV5(conn, ln, v5.Config{PrivateKey: key, TableConfig: discover.TableConfig{Bootnodes: bootnodes}, Clock: clock})
	if err != nil {
		panic(err)
	}
	return disc
}

// A node joins through a bootnode and looks up another node by its ID; then
// it pings that node, sends it an application request (TALKREQ) and asks for
// its record. The first packet to a node starts a handshake (WHOAREYOU) that
// sets up the session keys.
//
// The example runs on a simulated clock that it never advances, so no reply
// timeout can fire however busy the machine is: the answers simply arrive.
func Example() {
	var clock mclock.Simulated
	nw := memnet.New()
	target := startNode(nw, &clock, "11.0.1.1:30303")
	defer target.Close()
	target.RegisterTalkHandler("echo", func(id enode.ID, addr netip.AddrPort, req []byte) []byte {
		return append([]byte("echo: "), req...)
	})
	boot := startNode(nw, &clock, "11.0.0.1:30303", target.Self()) // its table starts with target
	defer boot.Close()
	node := startNode(nw, &clock, "11.0.2.1:30303", boot.Self())
	defer node.Close()

	found := node.Lookup(context.Background(), target.Self().ID())
	fmt.Println("lookup found the target:", len(found) > 0 && found[0].ID() == target.Self().ID())

	if err := node.Ping(context.Background(), target.Self()); err != nil {
		panic(err)
	}
	fmt.Println("pong received")

	reply, err := node.TalkRequest(context.Background(), target.Self(), "echo", []byte("hi"))
	if err != nil {
		panic(err)
	}
	fmt.Printf("talk reply: %q\n", reply)

	rec, err := node.RequestENR(context.Background(), target.Self())
	if err != nil {
		panic(err)
	}
	ep, _ := rec.UDPEndpoint()
	fmt.Println("its record says udp", ep)
	// Output:
	// lookup found the target: true
	// pong received
	// talk reply: "echo: hi"
	// its record says udp 11.0.1.1:30303
}
