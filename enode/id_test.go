package enode

import (
	"math/big"
	"math/rand/v2"
	"testing"
)

// Reference implementations on big.Int.
func logDistBig(a, b ID) int {
	x := new(big.Int).Xor(new(big.Int).SetBytes(a[:]), new(big.Int).SetBytes(b[:]))
	return x.BitLen()
}

func distCmpBig(target, a, b ID) int {
	t := new(big.Int).SetBytes(target[:])
	da := new(big.Int).Xor(t, new(big.Int).SetBytes(a[:]))
	db := new(big.Int).Xor(t, new(big.Int).SetBytes(b[:]))
	return da.Cmp(db)
}

func randID(r *rand.Rand) (id ID) {
	for i := range id {
		id[i] = byte(r.Uint32())
	}
	return id
}

func TestLogDistDistCmp(t *testing.T) {
	r := rand.New(rand.NewPCG(1, 2))
	for range 2000 {
		a, b, c := randID(r), randID(r), randID(r)
		// Share a random-length prefix to exercise small distances.
		n := r.IntN(33)
		copy(b[:n], a[:n])
		if got, want := LogDist(a, b), logDistBig(a, b); got != want {
			t.Fatalf("LogDist(%v, %v) = %d, want %d", a, b, got, want)
		}
		if got, want := DistCmp(c, a, b), distCmpBig(c, a, b); got != want {
			t.Fatalf("DistCmp = %d, want %d", got, want)
		}
	}
	var a ID
	if LogDist(a, a) != 0 || DistCmp(a, a, a) != 0 {
		t.Fatal("equal IDs")
	}
	b := a
	b[0] = 0x80
	if LogDist(a, b) != 256 {
		t.Fatal("max distance")
	}
}

func TestRandomID(t *testing.T) {
	r := rand.New(rand.NewPCG(3, 4))
	for n := 0; n <= 256; n++ {
		a := randID(r)
		for range 5 {
			b := RandomID(a, n)
			if d := LogDist(a, b); d != n {
				t.Fatalf("RandomID(a, %d) has distance %d", n, d)
			}
		}
	}
	a := randID(r)
	if LogDist(a, RandomID(a, 1000)) != 256 || RandomID(a, -1) != a {
		t.Fatal("clamping")
	}
}

func TestParseID(t *testing.T) {
	const h = "a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7"
	id, err := ParseID("0x" + h)
	if err != nil || id.String() != h || id.TerminalString() != h[:16] {
		t.Fatal(id, err)
	}
	for _, bad := range []string{"", h[:62], h + "00", "zz" + h[2:]} {
		if _, err := ParseID(bad); err == nil {
			t.Errorf("ParseID(%q) accepted", bad)
		}
	}
	var back ID
	txt, _ := id.MarshalText()
	if err := back.UnmarshalText(txt); err != nil || back != id {
		t.Fatal("text round trip")
	}
}
