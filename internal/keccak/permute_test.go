package keccak

import (
	"math/rand/v2"
	"testing"
)

// TestPermuteZero checks Keccak-f[1600] of the all-zero state against the
// first lanes published in the Keccak team's KeccakF-1600-IntermediateValues.txt.
func TestPermuteZero(t *testing.T) {
	want := [3]uint64{0xF1258F7940E1DDE7, 0x84D5CCF933C0478A, 0xD598261EA65AA9EE}
	for _, p := range permutations(t) {
		var a [25]uint64
		p.f(&a)
		if [3]uint64(a[:3]) != want {
			t.Errorf("%s: got %x, want %x", p.name, a[:3], want)
		}
	}
}

// TestPermutePathsAgree runs the assembly and the generic permutation on
// the same random states.
func TestPermutePathsAgree(t *testing.T) {
	if !hasBMI {
		t.Skip("no assembly permutation on this CPU or architecture")
	}
	r := rand.New(rand.NewPCG(1, 2))
	for range 1000 {
		var a [25]uint64
		for i := range a {
			a[i] = r.Uint64()
		}
		b := a
		permuteGeneric(&a)
		permuteBMI(&b)
		if a != b {
			t.Fatalf("generic %x\nasm     %x", a, b)
		}
	}
}

type permutation struct {
	name string
	f    func(*[25]uint64)
}

func permutations(t *testing.T) []permutation {
	ps := []permutation{{"generic", permuteGeneric}}
	if hasBMI {
		ps = append(ps, permutation{"bmi", permuteBMI})
	}
	return ps
}

func BenchmarkPermute(b *testing.B) {
	var a [25]uint64
	b.Run("generic", func(b *testing.B) {
		b.SetBytes(136)
		for b.Loop() {
			permuteGeneric(&a)
		}
	})
	if hasBMI {
		b.Run("bmi", func(b *testing.B) {
			b.SetBytes(136)
			for b.Loop() {
				permuteBMI(&a)
			}
		})
	}
}
