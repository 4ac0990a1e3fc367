package v4_test

import (
	"fmt"
	"net/netip"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/enode"
)

// startNode runs a discv4 node on the in-memory network at addr. A real node
// passes a *net.UDPConn instead.
func startNode(nw *memnet.Network, addr string, bootnodes ...*enode.Node) *v4.UDPv4 {
	ap := netip.MustParseAddrPort(addr)
	conn, err := nw.Listen(ap)
	if err != nil {
		panic(err)
	}
	key, _ := crypto.GenerateKey()
	ln := enode.NewLocalNode(nil, key)
	ln.SetStaticIP(ap.Addr().AsSlice())
	ln.SetFallbackUDP(int(ap.Port()))
	disc, err := v4.ListenV4(conn, ln, v4.Config{PrivateKey: key, Bootnodes: bootnodes})
	if err != nil {
		panic(err)
	}
	return disc
}

// A node joins through a bootnode and runs a lookup, which learns from the
// bootnode about the nodes it knows; then it pings another node and asks for
// its record.
func Example() {
	nw := memnet.New()
	a := startNode(nw, "11.0.1.1:30303")
	defer a.Close()
	b := startNode(nw, "11.0.2.1:30303")
	defer b.Close()
	boot := startNode(nw, "11.0.0.1:30303", a.Self(), b.Self()) // its table starts with a and b
	defer boot.Close()
	node := startNode(nw, "11.0.3.1:30303", boot.Self())
	defer node.Close()

	// A lookup for a's key asks the nodes closest to it for even closer
	// ones, and returns those that answered, closest first.
	found := node.Lookup(a.Self())
	answered := make(map[enode.ID]bool)
	for _, n := range found {
		answered[n.ID()] = true
	}
	fmt.Println("bootnode answered the lookup:", answered[boot.Self().ID()])

	other := startNode(nw, "11.0.4.1:30303")
	defer other.Close()
	if err := node.Ping(other.Self()); err != nil {
		panic(err)
	}
	fmt.Println("pong received")
	rec, err := node.RequestENR(other.Self())
	if err != nil {
		panic(err)
	}
	ep, _ := rec.UDPEndpoint()
	fmt.Println("its record says udp", ep)
	// Output:
	// bootnode answered the lookup: true
	// pong received
	// its record says udp 11.0.4.1:30303
}
