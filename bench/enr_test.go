package bench

import (
	"net/netip"
	"testing"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	genode "github.com/ethereum/go-ethereum/p2p/enode"
	genr "github.com/ethereum/go-ethereum/p2p/enr"
	grlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

// enrBenchKey signs the benchmark record (the EIP-778 example key).
const enrBenchKey = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"

// enrBenchRecord returns the RLP of a typical mainnet-like record: v4
// identity, IPv4, TCP and UDP ports, and an "eth" fork-id entry.
func enrBenchRecord(b *testing.B) []byte {
	key, err := crypto.HexToECDSA(enrBenchKey)
	if err != nil {
		b.Fatal(err)
	}
	var r enr.Record
	r.SetSeq(1764000000123)
	r.Set(enr.IPv4(netip.MustParseAddr("203.0.113.7")))
	r.Set(enr.TCP(30303))
	r.Set(enr.UDP(30303))
	r.Set(enr.Generic{Key: "eth", Value: []any{[]any{[]byte{0xfc, 0x64, 0xec, 0x04}, uint64(0)}}})
	if err := enode.SignV4(&r, key); err != nil {
		b.Fatal(err)
	}
	enc, err := rlp.EncodeToBytes(&r)
	if err != nil {
		b.Fatal(err)
	}
	return enc
}

// BenchmarkENRDecodeVerify decodes a record and builds the verified node
// (signature check and node ID derivation), the work done per record
// received in discovery.
func BenchmarkENRDecodeVerify(b *testing.B) {
	enc := enrBenchRecord(b)
	b.Run("typical/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			r, err := enr.DecodeRecordUnverified(enc)
			if err != nil {
				b.Fatal(err)
			}
			if _, err := enode.New(enode.ValidSchemes, r); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("typical/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r genr.Record
			if err := grlp.DecodeBytes(enc, &r); err != nil {
				b.Fatal(err)
			}
			if _, err := genode.New(genode.ValidSchemes, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkENRDecode is the decode step alone, without the signature check
// (which the crypto backend dominates).
func BenchmarkENRDecode(b *testing.B) {
	enc := enrBenchRecord(b)
	b.Run("typical/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := enr.DecodeRecordUnverified(enc); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("typical/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var r genr.Record
			if err := grlp.DecodeBytes(enc, &r); err != nil {
				b.Fatal(err)
			}
		}
	})
}

const enodeBenchURL = "enode://1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace24351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439@10.3.58.6:30303?discport=30301"

// BenchmarkEnodeParseV4 parses an enode URL with an IP and discport.
func BenchmarkEnodeParseV4(b *testing.B) {
	b.Run("url/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := enode.ParseV4(enodeBenchURL); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("url/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := genode.ParseV4(enodeBenchURL); err != nil {
				b.Fatal(err)
			}
		}
	})
}

// BenchmarkLogDist computes the log distance of two IDs that share a
// 3-byte prefix (the common case in a table lookup).
func BenchmarkLogDist(b *testing.B) {
	a := enode.ID(gcrypto.Keccak256Hash([]byte("a")))
	c := a
	c[3] ^= 0x5a
	c[20] ^= 0xff
	b.Run("prefix3/ours", func(b *testing.B) {
		b.ReportAllocs()
		var sink int
		for b.Loop() {
			sink += enode.LogDist(a, c)
		}
		_ = sink
	})
	b.Run("prefix3/geth", func(b *testing.B) {
		b.ReportAllocs()
		ga, gc := genode.ID(a), genode.ID(c)
		var sink int
		for b.Loop() {
			sink += genode.LogDist(ga, gc)
		}
		_ = sink
	})
}
