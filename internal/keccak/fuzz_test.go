package keccak

import (
	"bytes"
	"encoding/binary"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/sha3"
)

// FuzzAgainstXCrypto compares State with x/crypto on arbitrary messages,
// write splits and output lengths, on every path this machine can run.
func FuzzAgainstXCrypto(f *testing.F) {
	f.Add([]byte(""), uint64(0), uint16(0))
	f.Add(bytes.Repeat([]byte{0xa5}, Rate-1), uint64(1), uint16(Rate))
	f.Add(bytes.Repeat([]byte{0x5a}, 3*Rate+7), uint64(7), uint16(300))
	f.Fuzz(func(t *testing.T, msg []byte, seed uint64, extra uint16) {
		for _, p := range paths() {
			if !p.available {
				continue
			}
			restore := force(p)
			r := rand.New(rand.NewPCG(seed, 0))
			compare(t, msg, splits(r, len(msg)), int(extra%1024))
			restore()
		}
	})
}

// fuzzPath is a differential fuzz target for one path: arbitrary messages,
// written whole (so full blocks take that path's absorb) and in random
// pieces, against x/crypto.
func fuzzPath(f *testing.F, name string) {
	p := pathNamed(name)
	if !p.available {
		f.Skipf("this CPU or build cannot run the %s path: it %s", p.name, p.whyUnavailable)
	}
	f.Cleanup(force(p))
	f.Add([]byte(""), uint64(0), uint16(0))
	f.Add(bytes.Repeat([]byte{0xa5}, Rate-1), uint64(1), uint16(Rate))
	f.Add(bytes.Repeat([]byte{0x5a}, 3*Rate+7), uint64(7), uint16(300))
	f.Fuzz(func(t *testing.T, msg []byte, seed uint64, extra uint16) {
		r := rand.New(rand.NewPCG(seed, 0))
		compare(t, msg, []int{len(msg)}, int(extra%1024))
		compare(t, msg, splits(r, len(msg)), int(extra%1024))
	})
}

func FuzzGeneric(f *testing.F) { fuzzPath(f, "generic") }
func FuzzBMI(f *testing.F)     { fuzzPath(f, "bmi") }
func FuzzAVX512(f *testing.F)  { fuzzPath(f, "avx512") }

// FuzzAbsorbAVX512 checks the fused absorb on its own: from an arbitrary
// state, absorbing any number of blocks (and ignoring a partial one) must
// equal XORing and permuting block by block with the generic permutation;
// and a message absorbed by it from the empty state must hash as x/crypto
// does.
func FuzzAbsorbAVX512(f *testing.F) {
	p := pathNamed("avx512")
	if !p.available {
		f.Skipf("this CPU or build cannot run the %s path: it %s", p.name, p.whyUnavailable)
	}
	f.Add(make([]byte, 200), []byte(""))
	f.Add(bytes.Repeat([]byte{0xff}, 200), bytes.Repeat([]byte{0x01}, 2*Rate+5))
	f.Fuzz(func(t *testing.T, start []byte, blocks []byte) {
		var a [25]uint64
		for i := range a {
			if len(start) >= 8*(i+1) {
				a[i] = binary.LittleEndian.Uint64(start[8*i:])
			}
		}
		want := a
		for rest := blocks; len(rest) >= Rate; rest = rest[Rate:] {
			xorBlock(&want, (*[Rate]byte)(rest))
			permuteGeneric(&want)
		}
		got := a
		absorbAVX512(&got, blocks)
		if got != want {
			t.Fatalf("absorbAVX512 of %d bytes from %x:\ngot  %x\nwant %x", len(blocks), a, got, want)
		}

		full := blocks[:len(blocks)-len(blocks)%Rate]
		var s [25]uint64
		absorbAVX512(&s, full)
		st := State{a: s}
		st.Write(blocks[len(full):])
		var d [Size]byte
		st.Digest(&d)
		ref := sha3.NewLegacyKeccak256()
		ref.Write(blocks)
		if wantD := ref.Sum(nil); !bytes.Equal(d[:], wantD) {
			t.Fatalf("digest of %d bytes through absorbAVX512: %x, want %x", len(blocks), d, wantD)
		}
	})
}
