package bench

import (
	"math/rand/v2"
	"testing"

	grlp "github.com/ethereum/go-ethereum/rlp"

	"github.com/devp2p-go/devp2p/rlp"
)

// The packet-like struct is shaped like a discv4 Ping. The two libraries
// have distinct RawValue types, so each gets its own struct type.
type (
	rlpBenchEndpoint struct {
		IP       []byte
		UDP, TCP uint16
	}
	rlpBenchPingOurs struct {
		Version    uint
		From, To   rlpBenchEndpoint
		Expiration uint64
		ENRSeq     uint64         `rlp:"optional"`
		Rest       []rlp.RawValue `rlp:"tail"`
	}
	rlpBenchPingGeth struct {
		Version    uint
		From, To   rlpBenchEndpoint
		Expiration uint64
		ENRSeq     uint64          `rlp:"optional"`
		Rest       []grlp.RawValue `rlp:"tail"`
	}
)

// rlpBenchInts is the length of the integer-list case.
const rlpBenchInts = 1000

func rlpBenchPing() (*rlpBenchPingOurs, *rlpBenchPingGeth) {
	from := rlpBenchEndpoint{IP: []byte{10, 0, 1, 7}, UDP: 30303, TCP: 30303}
	to := rlpBenchEndpoint{IP: []byte{0x20, 0x01, 0x0d, 0xb8, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1}, UDP: 30301, TCP: 0}
	o := &rlpBenchPingOurs{Version: 4, From: from, To: to, Expiration: 1764000000, ENRSeq: 17}
	g := &rlpBenchPingGeth{Version: 4, From: from, To: to, Expiration: 1764000000, ENRSeq: 17}
	return o, g
}

func rlpBenchUints() []uint64 {
	r := rand.New(rand.NewPCG(1, 1000))
	l := make([]uint64, rlpBenchInts)
	for i := range l {
		l[i] = r.Uint64() >> r.IntN(64)
	}
	return l
}

func BenchmarkRLP(b *testing.B) {
	pingO, pingG := rlpBenchPing()
	pingEnc, err := rlp.EncodeToBytes(pingO)
	if err != nil {
		b.Fatal(err)
	}
	ints := rlpBenchUints()
	intsEnc, err := rlp.EncodeToBytes(ints)
	if err != nil {
		b.Fatal(err)
	}

	b.Run("EncodePing/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rlp.EncodeToBytes(pingO); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("EncodePing/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := grlp.EncodeToBytes(pingG); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodePing/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var p rlpBenchPingOurs
			if err := rlp.DecodeBytes(pingEnc, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodePing/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var p rlpBenchPingGeth
			if err := grlp.DecodeBytes(pingEnc, &p); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("EncodeUints1000/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := rlp.EncodeToBytes(ints); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("EncodeUints1000/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := grlp.EncodeToBytes(ints); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeUints1000/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var l []uint64
			if err := rlp.DecodeBytes(intsEnc, &l); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("DecodeUints1000/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var l []uint64
			if err := grlp.DecodeBytes(intsEnc, &l); err != nil {
				b.Fatal(err)
			}
		}
	})
}
