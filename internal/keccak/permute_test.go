package keccak

import (
	"math/rand/v2"
	"testing"
)

// TestPermuteZero checks Keccak-f[1600] of the all-zero state (every path
// and the reference) against the
// first lanes published in the Keccak team's KeccakF-1600-IntermediateValues.txt.
func TestPermuteZero(t *testing.T) {
	want := [3]uint64{0xF1258F7940E1DDE7, 0x84D5CCF933C0478A, 0xD598261EA65AA9EE}
	for _, p := range append(permutations(t), permutation{"reference", referencePermute}) {
		var a [25]uint64
		p.f(&a)
		if [3]uint64(a[:3]) != want {
			t.Errorf("%s: got %x, want %x", p.name, a[:3], want)
		}
	}
}

// TestPermuteAgainstReference runs every permutation this machine has on
// random states and compares it with referencePermute.
func TestPermuteAgainstReference(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		var a [25]uint64
		for i := range a {
			a[i] = r.Uint64()
		}
		want := a
		referencePermute(&want)
		for _, p := range permutations(t) {
			got := a
			p.f(&got)
			if got != want {
				t.Fatalf("%s: got %x\nwant %x", p.name, got, want)
			}
		}
	}
}

// referencePermute is FIPS 202 section 3.3 written as plainly as the spec:
// each step mapping on the whole state, lanes indexed A[x+5y], the rho
// offsets and round constants computed by Algorithms 2 and 5.
func referencePermute(a *[25]uint64) {
	var rho [25]int
	for t, x, y := 0, 1, 0; t < 24; t++ {
		rho[x+5*y] = (t + 1) * (t + 2) / 2 % 64
		x, y = y, (2*x+3*y)%5
	}
	lfsr := func(t int) uint64 { // Algorithm 5, rc(t)
		r := []byte{1, 0, 0, 0, 0, 0, 0, 0}
		for range t % 255 {
			r = append([]byte{0}, r...)
			r[0] ^= r[8]
			r[4] ^= r[8]
			r[5] ^= r[8]
			r[6] ^= r[8]
			r = r[:8]
		}
		return uint64(r[0])
	}
	rotl := func(v uint64, n int) uint64 { return v<<n | v>>((64-n)%64) }
	for ir := range 24 {
		var c, d [5]uint64
		for x := range 5 {
			c[x] = a[x] ^ a[x+5] ^ a[x+10] ^ a[x+15] ^ a[x+20]
		}
		for x := range 5 {
			d[x] = c[(x+4)%5] ^ rotl(c[(x+1)%5], 1)
		}
		var b [25]uint64
		for x := range 5 {
			for y := range 5 {
				b[y+5*((2*x+3*y)%5)] = rotl(a[x+5*y]^d[x], rho[x+5*y])
			}
		}
		for x := range 5 {
			for y := range 5 {
				a[x+5*y] = b[x+5*y] ^ (^b[(x+1)%5+5*y] & b[(x+2)%5+5*y])
			}
		}
		for j := 0; j <= 6; j++ {
			a[0] ^= lfsr(j+7*ir) << ((1 << j) - 1)
		}
	}
}

type permutation struct {
	name string
	f    func(*[25]uint64)
}

// permutations lists the permutations this machine can run.
func permutations(t *testing.T) []permutation {
	var ps []permutation
	for _, p := range paths() {
		if p.available {
			ps = append(ps, permutation{p.name, p.permute})
		} else {
			t.Logf("not testing the %s permutation: it %s", p.name, p.whyUnavailable)
		}
	}
	return ps
}

func BenchmarkPermute(b *testing.B) {
	var a [25]uint64
	for _, p := range paths() {
		if !p.available {
			continue
		}
		b.Run(p.name, func(b *testing.B) {
			b.SetBytes(Rate)
			for b.Loop() {
				p.permute(&a)
			}
		})
	}
}
