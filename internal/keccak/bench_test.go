package keccak

import (
	"fmt"
	"testing"

	"golang.org/x/crypto/sha3"
)

// BenchmarkKeccak256 hashes messages with each permutation path and with
// golang.org/x/crypto/sha3's legacy Keccak-256 for comparison.
func BenchmarkKeccak256(b *testing.B) {
	for _, n := range []int{32, 1 << 10, 64 << 10} {
		msg := make([]byte, n)
		var d [Size]byte
		for _, p := range paths() {
			if !p.available {
				continue
			}
			b.Run(fmt.Sprintf("%d/%s", n, p.name), func(b *testing.B) {
				defer force(p)()
				b.SetBytes(int64(n))
				b.ReportAllocs()
				for b.Loop() {
					d = Sum256(msg)
				}
			})
		}
		b.Run(fmt.Sprintf("%d/xcrypto", n), func(b *testing.B) {
			h := sha3.NewLegacyKeccak256()
			b.SetBytes(int64(n))
			b.ReportAllocs()
			for b.Loop() {
				h.Reset()
				h.Write(msg)
				h.Sum(d[:0])
			}
		})
	}
}
