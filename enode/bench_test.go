package enode

import (
	"net/netip"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

func benchRecord(b *testing.B) []byte {
	key, _ := crypto.GenerateKey()
	var r enr.Record
	r.Set(enr.IPv4(netip.MustParseAddr("203.0.113.7")))
	r.Set(enr.TCP(30303))
	r.Set(enr.UDP(30303))
	if err := SignV4(&r, key); err != nil {
		b.Fatal(err)
	}
	enc, _ := rlp.EncodeToBytes(&r)
	return enc
}

// BenchmarkDecodeVerify is the per-record cost of a record from the
// network: structural decode, signature check, ID derivation.
func BenchmarkDecodeVerify(b *testing.B) {
	enc := benchRecord(b)
	b.ReportAllocs()
	for b.Loop() {
		r, err := enr.DecodeRecordUnverified(enc)
		if err != nil {
			b.Fatal(err)
		}
		if _, err := New(ValidSchemes, r); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseV4(b *testing.B) {
	const url = "enode://1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace24351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439@10.3.58.6:30303?discport=30301"
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseV4(url); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkLogDist(b *testing.B) {
	a := ID(crypto.Keccak256Hash([]byte("a")))
	c := a
	c[3] ^= 0x5a
	var sink int
	for b.Loop() {
		sink += LogDist(a, c)
	}
	_ = sink
}
