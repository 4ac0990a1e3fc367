package rlp

import (
	"bytes"
	"math/rand/v2"
	"testing"
)

type benchEndpoint struct {
	IP       []byte
	UDP, TCP uint16
}

// benchPing is shaped like a discv4 Ping packet.
type benchPing struct {
	Version    uint
	From, To   benchEndpoint
	Expiration uint64
	ENRSeq     uint64     `rlp:"optional"`
	Rest       []RawValue `rlp:"tail"`
}

func newBenchPing() *benchPing {
	return &benchPing{
		Version:    4,
		From:       benchEndpoint{IP: []byte{10, 0, 1, 7}, UDP: 30303, TCP: 30303},
		To:         benchEndpoint{IP: bytes.Repeat([]byte{0x20}, 16), UDP: 30301},
		Expiration: 1764000000,
		ENRSeq:     17,
	}
}

func benchUints() []uint64 {
	r := rand.New(rand.NewPCG(1, 1000))
	l := make([]uint64, 1000)
	for i := range l {
		l[i] = r.Uint64() >> r.IntN(64)
	}
	return l
}

func BenchmarkEncodePing(b *testing.B) {
	p := newBenchPing()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeToBytes(p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePing(b *testing.B) {
	enc, _ := EncodeToBytes(newBenchPing())
	b.ReportAllocs()
	for b.Loop() {
		var p benchPing
		if err := DecodeBytes(enc, &p); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkDecodePingReuse decodes into the same value: the byte slices'
// capacity is reused, so nothing is allocated.
func BenchmarkDecodePingReuse(b *testing.B) {
	enc, _ := EncodeToBytes(newBenchPing())
	var p benchPing
	b.ReportAllocs()
	for b.Loop() {
		if err := DecodeBytes(enc, &p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodePingStream(b *testing.B) {
	enc, _ := EncodeToBytes(newBenchPing())
	r := bytes.NewReader(enc)
	s := NewStream(r, 0)
	var p benchPing
	b.ReportAllocs()
	for b.Loop() {
		r.Reset(enc)
		s.Reset(r, 0)
		if err := s.Decode(&p); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEncodeUints1000(b *testing.B) {
	l := benchUints()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := EncodeToBytes(l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeUints1000(b *testing.B) {
	enc, _ := EncodeToBytes(benchUints())
	b.ReportAllocs()
	for b.Loop() {
		var l []uint64
		if err := DecodeBytes(enc, &l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeUints1000Reuse(b *testing.B) {
	enc, _ := EncodeToBytes(benchUints())
	var l []uint64
	b.ReportAllocs()
	for b.Loop() {
		if err := DecodeBytes(enc, &l); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeByteArray(b *testing.B) {
	enc, _ := EncodeToBytes([32]byte{1, 2, 3})
	var h [32]byte
	b.ReportAllocs()
	for b.Loop() {
		if err := DecodeBytes(enc, &h); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecodeUint64(b *testing.B) {
	enc, _ := EncodeToBytes(uint64(0x1234567890))
	var x uint64
	b.ReportAllocs()
	for b.Loop() {
		if err := DecodeBytes(enc, &x); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkAppendUint64(b *testing.B) {
	buf := make([]byte, 0, 16)
	for b.Loop() {
		buf = AppendUint64(buf[:0], 0x1234567890)
	}
}
