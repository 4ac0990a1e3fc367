package v4

import (
	"net/netip"
	"testing"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
)

// FuzzHandlePacket feeds arbitrary datagrams to a running node, from a
// sender that has bonded with it (so that requests are answered). The node
// must neither panic nor stop answering. Seeds: one valid packet of each
// type, signed by the bonded sender. (TestFlood checks that the node keeps
// answering after hostile input.)
func FuzzHandlePacket(f *testing.F) {
	nw := memnet.New()
	node := startNode(f, nw, testnet.PublicAddr(1), Config{})
	defer node.Close()
	addr, _ := node.Self().UDPEndpoint()
	peerKey := testnet.NewKey(f)
	from := testnet.PublicAddr(2)
	// Bond by hand: the node has a pong from the sender.
	peerID := v4wire.EncodePubkey(&peerKey.PublicKey).ID()
	node.bonds.gotPong(peerID, from.Addr())
	node.bonds.gotPing(peerID, from.Addr())

	exp := uint64(1 << 40) // far future
	other := v4wire.EncodePubkey(&testnet.NewKey(f).PublicKey)
	for _, p := range []v4wire.Packet{
		&v4wire.Ping{Version: 4, From: v4wire.NewEndpoint(from, 30303), To: v4wire.NewEndpoint(addr, 0), Expiration: exp, ENRSeq: 3},
		&v4wire.Pong{To: v4wire.NewEndpoint(addr, 0), ReplyTok: make([]byte, 32), Expiration: exp},
		&v4wire.Findnode{Target: other, Expiration: exp},
		&v4wire.Neighbors{Nodes: []v4wire.Node{{IP: netip.MustParseAddr("11.1.1.1"), UDP: 30303, TCP: 30303, ID: other}}, Expiration: exp},
		&v4wire.ENRRequest{Expiration: exp},
		&v4wire.ENRResponse{ReplyTok: make([]byte, 32), Record: *node.Self().Record()},
	} {
		pkt, _, err := v4wire.Encode(peerKey, p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(pkt)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		node.handlePacket(from, data)
	})
}

// BenchmarkHandleFindnode measures answering a findnode from a bonded node:
// decode and recover, table query, two signed Neighbors packets.
func BenchmarkHandleFindnode(b *testing.B) {
	nw := memnet.New()
	node := startNode(b, nw, testnet.PublicAddr(1), Config{})
	defer node.Close()
	for i := range 40 {
		n := enode.NewV4(&testnet.NewKey(b).PublicKey, testnet.PublicAddr(100+i).Addr().AsSlice(), 30303, 30303)
		node.tab.AddFoundNode(n)
	}
	peerKey := testnet.NewKey(b)
	from := testnet.PublicAddr(2)
	peerID := v4wire.EncodePubkey(&peerKey.PublicKey).ID()
	node.bonds.gotPong(peerID, from.Addr())
	// Distinct packets, so that the replay filter does not short-cut.
	pkts := make([][]byte, 256)
	for i := range pkts {
		var target v4wire.Pubkey
		target[0], target[1] = byte(i), byte(i>>8)
		pkts[i], _, _ = v4wire.Encode(peerKey, &v4wire.Findnode{Target: target, Expiration: uint64(1<<40) + uint64(i)})
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		node.handlePacket(from, pkts[i%len(pkts)])
		i++
		if i%len(pkts) == 0 {
			node.replays = newReplayFilter(node.cfg.Clock.Wall) // forget, to keep decoding
		}
	}
}
