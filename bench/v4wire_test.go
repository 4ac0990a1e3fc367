package bench

import (
	"net"
	"net/netip"
	"testing"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gv4wire "github.com/ethereum/go-ethereum/p2p/discover/v4wire"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// v4wireBenchKey signs the discv4 packets (the EIP-8 vector key).
const v4wireBenchKey = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"

const v4wireExpiration = 1136239445

// v4wirePackets returns the same Ping and 12-node Neighbors in both codecs.
func v4wirePackets(b *testing.B) (ours map[string]v4wire.Packet, geth map[string]gv4wire.Packet) {
	key, err := crypto.HexToECDSA(v4wireBenchKey)
	if err != nil {
		b.Fatal(err)
	}
	id := v4wire.EncodePubkey(&key.PublicKey)
	nb := &v4wire.Neighbors{Expiration: v4wireExpiration}
	gnb := &gv4wire.Neighbors{Expiration: v4wireExpiration}
	for i := range v4wire.MaxNeighbors {
		ip := netip.AddrFrom4([4]byte{10, 0, 0, byte(i)})
		nb.Nodes = append(nb.Nodes, v4wire.Node{IP: ip, UDP: 30303, TCP: 30303, ID: id})
		gnb.Nodes = append(gnb.Nodes, gv4wire.Node{IP: net.IP(ip.AsSlice()), UDP: 30303, TCP: 30303, ID: gv4wire.Pubkey(id)})
	}
	from := netip.MustParseAddrPort("127.0.0.1:30303")
	to := netip.MustParseAddrPort("10.0.0.1:30303")
	ours = map[string]v4wire.Packet{
		"Ping":        &v4wire.Ping{Version: 4, From: v4wire.NewEndpoint(from, 30303), To: v4wire.NewEndpoint(to, 0), Expiration: v4wireExpiration, ENRSeq: 3},
		"Neighbors12": nb,
	}
	geth = map[string]gv4wire.Packet{
		"Ping":        &gv4wire.Ping{Version: 4, From: gv4wire.NewEndpoint(from, 30303), To: gv4wire.NewEndpoint(to, 0), Expiration: v4wireExpiration, ENRSeq: 3},
		"Neighbors12": gnb,
	}
	return ours, geth
}

// BenchmarkV4Wire: encode+sign and decode+recover of a Ping and of a full
// Neighbors packet, the per-packet work of a discv4 node.
func BenchmarkV4Wire(b *testing.B) {
	key, err := crypto.HexToECDSA(v4wireBenchKey)
	if err != nil {
		b.Fatal(err)
	}
	gkey, err := gcrypto.HexToECDSA(v4wireBenchKey)
	if err != nil {
		b.Fatal(err)
	}
	ours, geth := v4wirePackets(b)
	for _, name := range []string{"Ping", "Neighbors12"} {
		b.Run("Encode"+name+"/ours", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := v4wire.Encode(key, ours[name]); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Encode"+name+"/geth", func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := gv4wire.Encode(gkey, geth[name]); err != nil {
					b.Fatal(err)
				}
			}
		})
		// Both decoders get the same bytes (ours encoded them; the
		// packets are identical, signatures are deterministic).
		pkt, _, err := v4wire.Encode(key, ours[name])
		if err != nil {
			b.Fatal(err)
		}
		gpkt, _, err := gv4wire.Encode(gkey, geth[name])
		if err != nil {
			b.Fatal(err)
		}
		if string(pkt) != string(gpkt) {
			b.Fatalf("%s: encodings differ:\nours %x\ngeth %x", name, pkt, gpkt)
		}
		b.Run("Decode"+name+"/ours", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(pkt)))
			for b.Loop() {
				if _, _, _, err := v4wire.Decode(pkt); err != nil {
					b.Fatal(err)
				}
			}
		})
		b.Run("Decode"+name+"/geth", func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(pkt)))
			for b.Loop() {
				if _, _, _, err := gv4wire.Decode(pkt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
