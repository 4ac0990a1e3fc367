package v4wire

import (
	"net/netip"
	"testing"
)

func benchPackets() map[string]Packet {
	from := EncodePubkey(&testKey.PublicKey)
	nb := &Neighbors{Expiration: 1136239445}
	for i := range MaxNeighbors {
		nb.Nodes = append(nb.Nodes, Node{IP: netip.AddrFrom4([4]byte{10, 0, 0, byte(i)}), UDP: 30303, TCP: 30303, ID: from})
	}
	return map[string]Packet{
		"Ping": &Ping{
			Version:    4,
			From:       Endpoint{IP: netip.MustParseAddr("127.0.0.1"), UDP: 30303, TCP: 30303},
			To:         Endpoint{IP: netip.MustParseAddr("10.0.0.1"), UDP: 30303},
			Expiration: 1136239445,
			ENRSeq:     3,
		},
		"Neighbors12": nb,
	}
}

func BenchmarkEncode(b *testing.B) {
	for name, p := range benchPackets() {
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				if _, _, err := Encode(testKey, p); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

func BenchmarkDecode(b *testing.B) {
	for name, p := range benchPackets() {
		pkt, _, err := Encode(testKey, p)
		if err != nil {
			b.Fatal(err)
		}
		b.Run(name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(pkt)))
			for b.Loop() {
				if _, _, _, err := Decode(pkt); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
