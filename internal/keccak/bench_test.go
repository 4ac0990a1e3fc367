package keccak

import (
	"fmt"
	"testing"

	"golang.org/x/crypto/sha3"
)

// BenchmarkKeccak256 hashes messages with each permutation path and with
// golang.org/x/crypto/sha3's legacy Keccak-256 for comparison. Besides
// wall time it reports cpu-ns/op, the process's CPU time per hash, which
// does not count the time spent waiting for a core on a busy machine.
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
				defer reportCPU(b)()
				for b.Loop() {
					d = Sum256(msg)
				}
			})
		}
		b.Run(fmt.Sprintf("%d/xcrypto", n), func(b *testing.B) {
			h := sha3.NewLegacyKeccak256()
			b.SetBytes(int64(n))
			b.ReportAllocs()
			defer reportCPU(b)()
			for b.Loop() {
				h.Reset()
				h.Write(msg)
				h.Sum(d[:0])
			}
		})
	}
}

// reportCPU starts measuring CPU time; the function it returns reports it
// per operation as cpu-ns/op, where the platform can measure it.
func reportCPU(b *testing.B) func() {
	start, ok := processCPU()
	return func() {
		if end, ok2 := processCPU(); ok && ok2 && b.N > 0 {
			b.ReportMetric(float64(end-start)/float64(b.N), "cpu-ns/op")
		}
	}
}
