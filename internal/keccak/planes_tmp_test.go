package keccak

import (
	"math/rand/v2"
	"testing"
)

func TestPlanesTmp(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for n := 0; n < 5; n++ {
		var a [25]uint64
		for i := range a {
			a[i] = r.Uint64()
		}
		blocks := make([]byte, n*Rate+3)
		for i := range blocks {
			blocks[i] = byte(r.Uint32())
		}
		want := a
		absorbBlocksGeneric(&want, blocks)
		got := a
		absorbAVX512Planes(&got, blocks)
		if got != want {
			t.Fatalf("n=%d\ngot  %x\nwant %x", n, got, want)
		}
	}
}

func BenchmarkAbsorbTmp(b *testing.B) {
	msg := make([]byte, 480*Rate)
	var a [25]uint64
	b.Run("lanes", func(b *testing.B) {
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			absorbAVX512(&a, msg)
		}
	})
	b.Run("planes", func(b *testing.B) {
		b.SetBytes(int64(len(msg)))
		for b.Loop() {
			absorbAVX512Planes(&a, msg)
		}
	})
}
