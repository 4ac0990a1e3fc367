package interop

import (
	"bytes"
	"net"
	"net/netip"
	"testing"

	gv4wire "github.com/ethereum/go-ethereum/p2p/discover/v4wire"
	genode "github.com/ethereum/go-ethereum/p2p/enode"
	genr "github.com/ethereum/go-ethereum/p2p/enr"
	grlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

func gEndpoint(e v4wire.Endpoint) gv4wire.Endpoint {
	var ip net.IP
	if e.IP.IsValid() {
		ip = e.IP.AsSlice()
	}
	return gv4wire.Endpoint{IP: ip, UDP: e.UDP, TCP: e.TCP}
}

func gRest(rest []rlp.RawValue) []grlp.RawValue {
	var out []grlp.RawValue
	for _, r := range rest {
		out = append(out, grlp.RawValue(r))
	}
	return out
}

// TestV4WireInterop encodes every discv4 packet type with both codecs and
// checks that the bytes are identical (signatures are deterministic, RFC
// 6979) and that each side decodes the other's packet and recovers the
// sender.
func TestV4WireInterop(t *testing.T) {
	kp := newKeyPair(t)
	self := v4wire.EncodePubkey(&kp.ours.PublicKey)
	ep4 := v4wire.Endpoint{IP: netip.MustParseAddr("203.0.113.5"), UDP: 30303, TCP: 30304}
	ep6 := v4wire.Endpoint{IP: netip.MustParseAddr("2001:db8::7"), UDP: 9000, TCP: 0}
	tok := bytes.Repeat([]byte{0xab}, 32)

	// A record signed by go-ethereum, carried by ENRResponse.
	var grec genr.Record
	grec.SetSeq(42)
	grec.Set(genr.IP(net.ParseIP("198.51.100.1")))
	grec.Set(genr.UDP(30303))
	if err := genode.SignV4(&grec, kp.geth); err != nil {
		t.Fatal(err)
	}
	recBytes, err := grlp.EncodeToBytes(&grec)
	if err != nil {
		t.Fatal(err)
	}
	var rec enr.Record
	if err := rlp.DecodeBytes(recBytes, &rec); err != nil {
		t.Fatal(err)
	}

	var nodes []v4wire.Node
	var gnodes []gv4wire.Node
	for i := range v4wire.MaxNeighbors {
		ip := netip.AddrFrom4([4]byte{10, 1, 2, byte(i)})
		if i%2 == 1 {
			ip = netip.AddrFrom16([16]byte{0x20, 0x01, 0x0d, 0xb8, 15: byte(i)})
		}
		n := v4wire.Node{IP: ip, UDP: uint16(30000 + i), TCP: uint16(31000 + i), ID: self}
		nodes = append(nodes, n)
		gnodes = append(gnodes, gv4wire.Node{IP: ip.AsSlice(), UDP: n.UDP, TCP: n.TCP, ID: gv4wire.Pubkey(self)})
	}

	cases := []struct {
		name string
		ours v4wire.Packet
		geth gv4wire.Packet
	}{
		{"ping",
			&v4wire.Ping{Version: 4, From: ep4, To: ep6, Expiration: 1700000020},
			&gv4wire.Ping{Version: 4, From: gEndpoint(ep4), To: gEndpoint(ep6), Expiration: 1700000020}},
		{"ping-enrseq",
			&v4wire.Ping{Version: 4, From: ep6, To: ep4, Expiration: 1700000020, ENRSeq: 99},
			&gv4wire.Ping{Version: 4, From: gEndpoint(ep6), To: gEndpoint(ep4), Expiration: 1700000020, ENRSeq: 99}},
		{"ping-rest",
			&v4wire.Ping{Version: 4, From: ep4, To: ep4, Expiration: 1, Rest: []rlp.RawValue{{0x01}, {0xc2, 0x01, 0x02}}},
			&gv4wire.Ping{Version: 4, From: gEndpoint(ep4), To: gEndpoint(ep4), Expiration: 1, Rest: gRest([]rlp.RawValue{{0x01}, {0xc2, 0x01, 0x02}})}},
		{"pong",
			&v4wire.Pong{To: ep4, ReplyTok: tok, Expiration: 1700000020, ENRSeq: 7},
			&gv4wire.Pong{To: gEndpoint(ep4), ReplyTok: tok, Expiration: 1700000020, ENRSeq: 7}},
		{"findnode",
			&v4wire.Findnode{Target: self, Expiration: 1700000020},
			&gv4wire.Findnode{Target: gv4wire.Pubkey(self), Expiration: 1700000020}},
		{"neighbors-12",
			&v4wire.Neighbors{Nodes: nodes, Expiration: 1700000020},
			&gv4wire.Neighbors{Nodes: gnodes, Expiration: 1700000020}},
		{"neighbors-empty",
			&v4wire.Neighbors{Expiration: 1700000020},
			&gv4wire.Neighbors{Nodes: []gv4wire.Node{}, Expiration: 1700000020}},
		{"enrrequest",
			&v4wire.ENRRequest{Expiration: 1700000020},
			&gv4wire.ENRRequest{Expiration: 1700000020}},
		{"enrresponse",
			&v4wire.ENRResponse{ReplyTok: tok, Record: rec},
			&gv4wire.ENRResponse{ReplyTok: tok, Record: grec}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			ours, ourHash, err := v4wire.Encode(kp.ours, c.ours)
			if err != nil {
				t.Fatal(err)
			}
			geth, gethHash, err := gv4wire.Encode(kp.geth, c.geth)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(ours, geth) || !bytes.Equal(ourHash, gethHash) {
				t.Fatalf("encodings differ:\nours %x\ngeth %x", ours, geth)
			}
			// geth decodes ours.
			gp, gfrom, _, err := gv4wire.Decode(ours)
			if err != nil {
				t.Fatalf("geth cannot decode ours: %v", err)
			}
			if gp.Kind() != c.ours.Kind() || [64]byte(gfrom) != [64]byte(self) {
				t.Fatal("geth decoded another type or sender")
			}
			// Ours decodes geth's, and re-encodes it to the same bytes.
			p, from, hash, err := v4wire.Decode(geth)
			if err != nil {
				t.Fatalf("ours cannot decode geth's: %v", err)
			}
			if from != self || !bytes.Equal(hash, gethHash) {
				t.Fatal("wrong sender or hash")
			}
			again, _, err := v4wire.Encode(kp.ours, p)
			if err != nil || !bytes.Equal(again, geth) {
				t.Fatalf("re-encoding geth's packet differs: %v", err)
			}
		})
	}
}

// TestV4WireMaxNeighbors: both sides agree on the limit.
func TestV4WireMaxNeighbors(t *testing.T) {
	if v4wire.MaxNeighbors != gv4wire.MaxNeighbors {
		t.Fatalf("MaxNeighbors %d, go-ethereum %d", v4wire.MaxNeighbors, gv4wire.MaxNeighbors)
	}
}
