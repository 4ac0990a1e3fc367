package keccak

import (
	"golang.org/x/crypto/sha3"
	"math/rand/v2"
	"os"
	"runtime"
	"sort"
	"syscall"
	"testing"
	"unsafe"
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

func threadCPU() int64 {
	var ts syscall.Timespec
	// CLOCK_THREAD_CPUTIME_ID = 3
	_, _, e := syscall.Syscall(syscall.SYS_CLOCK_GETTIME, 3, uintptr(unsafe.Pointer(&ts)), 0)
	if e != 0 {
		panic(e)
	}
	return ts.Nano()
}

func TestMeasureTmp(t *testing.T) {
	if os.Getenv("KMEASURE") == "" {
		t.Skip()
	}
	runtime.LockOSThread()
	defer runtime.UnlockOSThread()
	for _, n := range []int{32, 64 << 10} {
		msg := make([]byte, n)
		iters := 20000
		if n > 1000 {
			iters = 60
		}
		var d [Size]byte
		h := sha3.NewLegacyKeccak256()
		variants := []struct {
			name string
			f    func()
		}{
			{"lanes", func() { usePlanes = false; d = Sum256(msg) }},
			{"planes", func() { usePlanes = true; d = Sum256(msg) }},
			{"bmi", func() { hasAVX512 = false; d = Sum256(msg); hasAVX512 = true }},
			{"xcrypto", func() { h.Reset(); h.Write(msg); h.Sum(d[:0]) }},
		}
		res := make([][]float64, len(variants))
		for trial := 0; trial < 25; trial++ {
			for i, v := range variants {
				v.f()
				start := threadCPU()
				for range iters {
					v.f()
				}
				res[i] = append(res[i], float64(threadCPU()-start)/float64(iters))
			}
		}
		med := func(x []float64) float64 { sort.Float64s(x); return x[len(x)/2] }
		x := med(res[len(res)-1])
		for i, v := range variants {
			m := med(res[i])
			t.Logf("%6d %-8s %10.1f ns  %.3f of xcrypto (%.2fx)", n, v.name, m, m/x, x/m)
		}
	}
	usePlanes = true
}
