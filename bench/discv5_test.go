package bench

import (
	"net"
	"testing"

	gmclock "github.com/ethereum/go-ethereum/common/mclock"
	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gv5wire "github.com/ethereum/go-ethereum/p2p/discover/v5wire"
	genode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// The discv5 pair decodes the same kinds of packets with our codec and
// go-ethereum's: a handshake (ECDH, id-signature check, record, session
// keys) and an ordinary message on an established session. Packets are
// built through each codec's public API (random packet, WHOAREYOU,
// handshake), outside the timer.

const (
	v5AddrA = "127.0.0.1:30303"
	v5AddrB = "127.0.0.2:30303"
)

func BenchmarkDiscv5(b *testing.B) {
	b.Run("decode-handshake/ours", benchOursHandshake)
	b.Run("decode-handshake/geth", benchGethHandshake)
	b.Run("decode-message/ours", benchOursMessage)
	b.Run("decode-message/geth", benchGethMessage)
}

// ---- ours ----

type ourV5Pair struct {
	a, b         *v5wire.Codec
	nodeA, nodeB *enode.Node
}

func newOurV5Pair(b *testing.B) *ourV5Pair {
	ka, _ := crypto.GenerateKey()
	kb, _ := crypto.GenerateKey()
	la, lb := enode.NewLocalNode(nil, ka), enode.NewLocalNode(nil, kb)
	la.SetStaticIP(net.IP{127, 0, 0, 1})
	la.SetFallbackUDP(30303)
	lb.SetStaticIP(net.IP{127, 0, 0, 2})
	lb.SetFallbackUDP(30303)
	clock := new(mclock.Simulated)
	return &ourV5Pair{
		a: v5wire.NewCodec(ka, la.Node, clock, 0), b: v5wire.NewCodec(kb, lb.Node, clock, 0),
		nodeA: la.Node(), nodeB: lb.Node(),
	}
}

// handshakePacket returns a handshake A→B that B has a challenge for.
func (p *ourV5Pair) handshakePacket(b *testing.B) []byte {
	ping := &v5wire.Ping{ReqID: []byte{1}, ENRSeq: 1}
	_, nonce, err := p.a.Encode(p.nodeB.ID(), v5AddrB, ping, nil)
	if err != nil {
		b.Fatal(err)
	}
	w, _, err := p.b.Encode(p.nodeA.ID(), v5AddrA, &v5wire.Whoareyou{Nonce: nonce}, nil)
	if err != nil {
		b.Fatal(err)
	}
	_, _, chal, err := p.a.Decode(w, v5AddrB)
	if err != nil {
		b.Fatal(err)
	}
	c := chal.(*v5wire.Whoareyou)
	c.Node = p.nodeB
	hs, _, err := p.a.Encode(p.nodeB.ID(), v5AddrB, ping, c)
	if err != nil {
		b.Fatal(err)
	}
	return hs
}

func benchOursHandshake(b *testing.B) {
	p := newOurV5Pair(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		hs := p.handshakePacket(b)
		b.StartTimer()
		if _, _, _, err := p.b.Decode(hs, v5AddrA); err != nil {
			b.Fatal(err)
		}
	}
}

func benchOursMessage(b *testing.B) {
	p := newOurV5Pair(b)
	if _, _, _, err := p.b.Decode(p.handshakePacket(b), v5AddrA); err != nil {
		b.Fatal(err)
	}
	pkts := make([][]byte, b.N)
	for i := range pkts {
		pkt, _, err := p.a.Encode(p.nodeB.ID(), v5AddrB, &v5wire.Ping{ReqID: []byte{2}, ENRSeq: 1}, nil)
		if err != nil {
			b.Fatal(err)
		}
		pkts[i] = pkt
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, p, err := p.b.Decode(pkts[i], v5AddrA); err != nil || p.Kind() != v5wire.PingMsg {
			b.Fatal(p, err)
		}
	}
}

// ---- go-ethereum ----

type gethV5Pair struct {
	a, b         *gv5wire.Codec
	nodeA, nodeB *genode.Node
}

func newGethV5Pair(b *testing.B) *gethV5Pair {
	ka, _ := gcrypto.GenerateKey()
	kb, _ := gcrypto.GenerateKey()
	dba, _ := genode.OpenDB("")
	dbb, _ := genode.OpenDB("")
	b.Cleanup(dba.Close)
	b.Cleanup(dbb.Close)
	la, lb := genode.NewLocalNode(dba, ka), genode.NewLocalNode(dbb, kb)
	la.SetStaticIP(net.IP{127, 0, 0, 1})
	la.SetFallbackUDP(30303)
	lb.SetStaticIP(net.IP{127, 0, 0, 2})
	lb.SetFallbackUDP(30303)
	clock := new(gmclock.Simulated)
	return &gethV5Pair{
		a: gv5wire.NewCodec(la, ka, clock, nil), b: gv5wire.NewCodec(lb, kb, clock, nil),
		nodeA: la.Node(), nodeB: lb.Node(),
	}
}

func (p *gethV5Pair) handshakePacket(b *testing.B) []byte {
	ping := &gv5wire.Ping{ReqID: []byte{1}, ENRSeq: 1}
	_, nonce, err := p.a.Encode(p.nodeB.ID(), v5AddrB, ping, nil)
	if err != nil {
		b.Fatal(err)
	}
	w, _, err := p.b.Encode(p.nodeA.ID(), v5AddrA, &gv5wire.Whoareyou{Nonce: nonce}, nil)
	if err != nil {
		b.Fatal(err)
	}
	_, _, chal, err := p.a.Decode(w, v5AddrB)
	if err != nil {
		b.Fatal(err)
	}
	c := chal.(*gv5wire.Whoareyou)
	c.Node = p.nodeB
	hs, _, err := p.a.Encode(p.nodeB.ID(), v5AddrB, ping, c)
	if err != nil {
		b.Fatal(err)
	}
	return hs
}

func benchGethHandshake(b *testing.B) {
	p := newGethV5Pair(b)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		b.StopTimer()
		hs := p.handshakePacket(b)
		b.StartTimer()
		if _, _, _, err := p.b.Decode(hs, v5AddrA); err != nil {
			b.Fatal(err)
		}
	}
}

func benchGethMessage(b *testing.B) {
	p := newGethV5Pair(b)
	if _, _, _, err := p.b.Decode(p.handshakePacket(b), v5AddrA); err != nil {
		b.Fatal(err)
	}
	pkts := make([][]byte, b.N)
	for i := range pkts {
		pkt, _, err := p.a.Encode(p.nodeB.ID(), v5AddrB, &gv5wire.Ping{ReqID: []byte{2}, ENRSeq: 1}, nil)
		if err != nil {
			b.Fatal(err)
		}
		pkts[i] = pkt
	}
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, _, p, err := p.b.Decode(pkts[i], v5AddrA); err != nil || p.Kind() != gv5wire.PingMsg {
			b.Fatal(p, err)
		}
	}
}
