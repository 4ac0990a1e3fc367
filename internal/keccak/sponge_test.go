package keccak

import (
	"bytes"
	"encoding/hex"
	"hash"
	"math/rand/v2"
	"testing"

	"golang.org/x/crypto/sha3"
)

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

// TestWholeMessages writes each message in one piece, so that all its full
// blocks go through the path's absorb in one call, at the lengths where the
// block loop and the padding change: 0 to 3 blocks, each side of a block
// boundary, and 64 KiB.
func TestWholeMessages(t *testing.T) {
	lengths := []int{0, 1, 31, 32, 33, 64, 100, Rate - 1, Rate, Rate + 1,
		2*Rate - 1, 2 * Rate, 2*Rate + 1, 3*Rate - 1, 3 * Rate, 3*Rate + 1, 64 << 10, 64<<10 + 1}
	forEachPath(t, func(t *testing.T) {
		r := rand.New(rand.NewPCG(5, 6))
		for _, n := range lengths {
			msg := make([]byte, n)
			for i := range msg {
				msg[i] = byte(r.Uint32())
			}
			compare(t, msg, []int{n}, 2*Rate+1)
		}
	})
}

// TestPathsInterchangeable switches paths in the middle of a message and
// between Digest and Read: every path keeps the state in the same layout,
// so a State may be written on one and finished on another.
func TestPathsInterchangeable(t *testing.T) {
	var ps []path
	for _, p := range paths() {
		if p.available {
			ps = append(ps, p)
		}
	}
	if len(ps) < 2 {
		t.Skip("only one path runs here")
	}
	msg := make([]byte, 5*Rate+17)
	for i := range msg {
		msg[i] = byte(i * 13)
	}
	ref := sha3.NewLegacyKeccak256()
	ref.Write(msg)
	wantDigest := ref.Sum(nil)
	wantOut := make([]byte, 3*Rate)
	ref.(interface{ Read([]byte) (int, error) }).Read(wantOut)
	for _, first := range ps {
		for _, second := range ps {
			var s State
			restore := force(first)
			s.Write(msg[:2*Rate+3])
			restore()
			restore = force(second)
			s.Write(msg[2*Rate+3:])
			var d [Size]byte
			s.Digest(&d)
			restore()
			if !bytes.Equal(d[:], wantDigest) {
				t.Errorf("written on %s then %s: Digest %x, want %x", first.name, second.name, d, wantDigest)
			}
			restore = force(first)
			out := make([]byte, len(wantOut))
			s.Read(out[:Rate+5])
			restore()
			restore = force(second)
			s.Read(out[Rate+5:])
			restore()
			if !bytes.Equal(out, wantOut) {
				t.Errorf("read on %s then %s: %x, want %x", first.name, second.name, out, wantOut)
			}
		}
	}
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
