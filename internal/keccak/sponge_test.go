package keccak

import (
	"bytes"
	"encoding/hex"
	"hash"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/sha3"
)

// A path is one way this package can run: the permutation it calls and
// whether full blocks go through a fused absorb.
type path struct {
	name           string
	avx512, bmi    bool // the values of hasAVX512 and hasBMI that force it
	available      bool // whether this CPU (and build) can run it
	permute        func(*[25]uint64)
	whyUnavailable string
}

// paths lists every path, with whether this machine can run it.
func paths() []path {
	return []path{
		{name: "generic", available: true, permute: permuteGeneric},
		{name: "bmi", bmi: true, available: hasBMI, permute: permuteBMI,
			whyUnavailable: "needs amd64 with BMI1 and BMI2, without the purego tag"},
		{name: "avx512", avx512: true, available: hasAVX512, permute: permuteAVX512,
			whyUnavailable: "needs amd64 with AVX-512F and AVX-512VL, without the purego tag"},
	}
}

// force sets hasAVX512 and hasBMI so that p runs, and returns a function
// that restores them.
func force(p path) (restore func()) {
	savedAVX512, savedBMI := hasAVX512, hasBMI
	hasAVX512, hasBMI = p.avx512, p.bmi
	return func() { hasAVX512, hasBMI = savedAVX512, savedBMI }
}

// forEachPath runs f once per path as a subtest, forcing that path for its
// duration; a path this machine cannot run is a skipped subtest that says why.
func forEachPath(t *testing.T, f func(t *testing.T)) {
	for _, p := range paths() {
		t.Run(p.name, func(t *testing.T) {
			if !p.available {
				t.Skipf("this CPU or build cannot run the %s path: it %s", p.name, p.whyUnavailable)
			}
			defer force(p)()
			f(t)
		})
	}
}

var _ hash.Hash = (*State)(nil)

func TestSum256Vectors(t *testing.T) {
	vectors := []struct{ in, want string }{
		{"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
	}
	forEachPath(t, func(t *testing.T) {
		for _, v := range vectors {
			d := Sum256([]byte(v.in))
			if got := hex.EncodeToString(d[:]); got != v.want {
				t.Errorf("Sum256(%q) = %s, want %s", v.in, got, v.want)
			}
		}
	})
}

// TestAgainstXCrypto compares digests and squeezed output with
// golang.org/x/crypto/sha3's legacy Keccak-256 for random messages written
// in random pieces, around every block boundary.
func TestAgainstXCrypto(t *testing.T) {
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(3, 4))
		var lengths []int
		for n := 0; n <= 4*Rate+1; n++ {
			lengths = append(lengths, n)
		}
		for range 200 {
			lengths = append(lengths, r.IntN(20000))
		}
		for _, n := range lengths {
			msg := make([]byte, n)
			for i := range msg {
				msg[i] = byte(r.Uint32())
			}
			compare(t, msg, splits(r, n), r.IntN(3*Rate))
		}
	})
}

// splits returns random cut points in [0, n], ascending.
func splits(r *rand.Rand, n int) []int {
	var cuts []int
	for at := 0; at < n; {
		at += 1 + r.IntN(2*Rate)
		cuts = append(cuts, min(at, n))
	}
	return cuts
}

// compare checks State against x/crypto for msg written in pieces ending
// at cuts, then squeezed for extra bytes beyond the digest.
func compare(t *testing.T, msg []byte, cuts []int, extra int) {
	t.Helper()
	var s State
	ref := sha3.NewLegacyKeccak256()
	prev := 0
	for _, c := range cuts {
		s.Write(msg[prev:c])
		ref.Write(msg[prev:c])
		prev = c
	}
	if got, want := s.Sum(nil), ref.Sum(nil); !bytes.Equal(got, want) {
		t.Fatalf("len %d cuts %v: Sum %x, want %x", len(msg), cuts, got, want)
	}
	var d [Size]byte
	s.Digest(&d)
	if want := ref.Sum(nil); !bytes.Equal(d[:], want) {
		t.Fatalf("len %d: Digest %x, want %x", len(msg), d, want)
	}
	if d2 := Sum256(msg); d2 != d {
		t.Fatalf("len %d: Sum256 %x, want %x", len(msg), d2, d)
	}
	// Squeeze in uneven pieces, past the end of the first output block.
	got := make([]byte, Size+extra)
	for off := 0; off < len(got); {
		k := min(len(got)-off, 1+(off*7)%41)
		s.Read(got[off : off+k])
		off += k
	}
	want := make([]byte, len(got))
	ref.(interface{ Read([]byte) (int, error) }).Read(want)
	if !bytes.Equal(got, want) {
		t.Fatalf("len %d: Read %x, want %x", len(msg), got, want)
	}
}

func TestResetAndPanics(t *testing.T) {
	var s State
	s.Write([]byte("something"))
	var out [Size]byte
	s.Read(out[:])
	s.Reset()
	if empty := Sum256(nil); !bytes.Equal(s.Sum(nil), empty[:]) {
		t.Fatal("Reset did not empty the state")
	}
	s.Read(out[:])
	for name, f := range map[string]func(){
		"Write":  func() { s.Write([]byte{1}) },
		"Sum":    func() { s.Sum(nil) },
		"Digest": func() { s.Digest(&out) },
	} {
		func() {
			defer func() {
				if recover() == nil {
					t.Errorf("%s after Read did not panic", name)
				}
			}()
			f()
		}()
	}
}

func TestSum256ZeroAllocs(t *testing.T) {
	msg := make([]byte, 1000)
	if a := testing.AllocsPerRun(100, func() { Sum256(msg) }); a != 0 {
		t.Errorf("Sum256 allocates %v times", a)
	}
}

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
