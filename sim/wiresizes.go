package sim

import (
	"crypto/ecdsa"
	"fmt"
	"math/big"
	"net/netip"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// packetSizes holds the sizes in bytes of the discv4 packets the model
// sends, measured once by encoding real packets with v4wire (IPv4
// endpoints, EIP-868 sequence numbers), so that the byte counts of a model
// run are those of the wire protocol.
type packetSizes struct {
	ping, pong, findnode int
	neighbors            [v4wire.MaxNeighbors + 1]int // by node count
}

// neighborsBytes returns the bytes and packets of a NEIGHBORS answer with
// n nodes: discv4 splits it into packets of at most MaxNeighbors nodes.
func (s *packetSizes) neighborsBytes(n int) (bytes, packets int) {
	for n > v4wire.MaxNeighbors {
		bytes += s.neighbors[v4wire.MaxNeighbors]
		packets++
		n -= v4wire.MaxNeighbors
	}
	return bytes + s.neighbors[n], packets + 1
}

func measurePacketSizes() (*packetSizes, error) {
	key, err := fixedKey()
	if err != nil {
		return nil, err
	}
	ep := v4wire.Endpoint{IP: netip.MustParseAddr("203.0.113.200"), UDP: 30303, TCP: 30303}
	const exp = 1 << 40 // a realistic 5-byte expiration
	size := func(p v4wire.Packet) (int, error) {
		b, _, err := v4wire.Encode(key, p)
		if err != nil {
			return 0, fmt.Errorf("sim: encode %T: %w", p, err)
		}
		return len(b), nil
	}
	var s packetSizes
	if s.ping, err = size(&v4wire.Ping{Version: 4, From: ep, To: ep, Expiration: exp, ENRSeq: 1 << 40}); err != nil {
		return nil, err
	}
	if s.pong, err = size(&v4wire.Pong{To: ep, ReplyTok: make([]byte, 32), Expiration: exp, ENRSeq: 1 << 40}); err != nil {
		return nil, err
	}
	if s.findnode, err = size(&v4wire.Findnode{Expiration: exp}); err != nil {
		return nil, err
	}
	var pub v4wire.Pubkey
	for i := range pub {
		pub[i] = 0xff
	}
	for n := range s.neighbors {
		nodes := make([]v4wire.Node, n)
		for i := range nodes {
			nodes[i] = v4wire.Node{IP: ep.IP, UDP: ep.UDP, TCP: ep.TCP, ID: pub}
		}
		if s.neighbors[n], err = size(&v4wire.Neighbors{Nodes: nodes, Expiration: exp}); err != nil {
			return nil, err
		}
	}
	return &s, nil
}

// fixedKey is a constant signing key: only the packet lengths are used.
func fixedKey() (*ecdsa.PrivateKey, error) {
	return crypto.ToECDSA(new(big.Int).SetUint64(0x5151).FillBytes(make([]byte, 32)))
}
