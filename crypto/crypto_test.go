package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"math/big"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Keys from the EIP-8 RLPx handshake vectors (testvectors/rlpx-handshake.json).
const (
	testKeyA    = "49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee"
	testPubA    = "fda1cff674c90c9a197539fe3dfb53086ace64f83ed7c6eabec741f7f381cc803e52ab2cd55d5569bce4347107a310dfd5f88a010cd2ffd1005ca406f1842877"
	testKeyB    = "b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291"
	testPubB    = "ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f"
	curveNHex   = "fffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141"
	curvePHex   = "fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f"
	halfNPlus1  = "7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a1"
	smallXPoint = "0000000000000000000000000000000000000000000000000000000000000001" + // x = 1
		"4218f20ae6c646b363db68605822fb14264ca8d2587fdd6fbc750d587e76a7ee"
	smallYPoint = "146d3b65add9f54ccca28533c88e2cbc63f7443e1658783ab41f8ef97c2a10b5" +
		"0000000000000000000000000000000000000000000000000000000000000001" // y = 1
)

func mustHex(t testing.TB, s string) []byte {
	t.Helper()
	b, err := hex.DecodeString(s)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

func mustKey(t testing.TB, s string) *ecdsa.PrivateKey {
	t.Helper()
	k, err := HexToECDSA(s)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func addP(t testing.TB, coord string) string {
	v, _ := new(big.Int).SetString(coord, 16)
	p, _ := new(big.Int).SetString(curvePHex, 16)
	v.Add(v, p)
	if v.BitLen() > 256 {
		t.Fatalf("alias of %s does not fit in 32 bytes", coord)
	}
	return hex.EncodeToString(v.FillBytes(make([]byte, 32)))
}

func TestKnownPublicKeys(t *testing.T) {
	for _, tc := range []struct{ key, pub string }{{testKeyA, testPubA}, {testKeyB, testPubB}} {
		k := mustKey(t, tc.key)
		if got := hex.EncodeToString(FromECDSAPub(&k.PublicKey)[1:]); got != tc.pub {
			t.Errorf("pubkey of %s:\n got %s\nwant %s", tc.key, got, tc.pub)
		}
		if got := hex.EncodeToString(FromECDSA(k)); got != tc.key {
			t.Errorf("FromECDSA = %s, want %s", got, tc.key)
		}
		if k.Curve != S256() {
			t.Error("key curve is not S256()")
		}
	}
}

func TestToECDSA(t *testing.T) {
	n := mustHex(t, curveNHex)
	nMinus1 := new(big.Int).Sub(new(big.Int).SetBytes(n), big.NewInt(1)).FillBytes(make([]byte, 32))
	tests := []struct {
		name string
		in   []byte
		ok   bool
	}{
		{"one", append(make([]byte, 31), 1), true},
		{"N-1", nMinus1, true},
		{"zero", make([]byte, 32), false},
		{"N", n, false},
		{"all ff", bytes.Repeat([]byte{0xff}, 32), false},
		{"short", make([]byte, 31), false},
		{"long", append(make([]byte, 32), 1), false},
		{"nil", nil, false},
	}
	for _, tc := range tests {
		k, err := ToECDSA(tc.in)
		if tc.ok != (err == nil) {
			t.Errorf("%s: err = %v, want ok=%v", tc.name, err, tc.ok)
			continue
		}
		if err != nil && !errors.Is(err, ErrInvalidPrivateKey) {
			t.Errorf("%s: error %v is not ErrInvalidPrivateKey", tc.name, err)
		}
		if err == nil && !ValidatePubkey(&k.PublicKey) {
			t.Errorf("%s: derived public key invalid", tc.name)
		}
	}
}

func TestGenerateKey(t *testing.T) {
	k1, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	k2, err := GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	if k1.D.Cmp(k2.D) == 0 {
		t.Fatal("two generated keys are equal")
	}
	k3, err := ToECDSA(FromECDSA(k1))
	if err != nil {
		t.Fatal(err)
	}
	if !k3.PublicKey.Equal(&k1.PublicKey) {
		t.Fatal("round trip through FromECDSA changed the key")
	}
}

func TestPubkeyEncodings(t *testing.T) {
	for i := 0; i < 20; i++ {
		k, _ := GenerateKey()
		pub := &k.PublicKey
		u := FromECDSAPub(pub)
		if len(u) != PubkeyLength || u[0] != 4 {
			t.Fatalf("bad uncompressed encoding %x", u)
		}
		p2, err := UnmarshalPubkey(u)
		if err != nil || !p2.Equal(pub) {
			t.Fatalf("UnmarshalPubkey round trip: %v", err)
		}
		c := CompressPubkey(pub)
		if len(c) != CompressedPubkeyLength || c[0] != 2+byte(pub.Y.Bit(0)) {
			t.Fatalf("bad compressed encoding %x", c)
		}
		p3, err := DecompressPubkey(c)
		if err != nil || !p3.Equal(pub) {
			t.Fatalf("DecompressPubkey round trip: %v", err)
		}
	}
	if FromECDSAPub(nil) != nil {
		t.Error("FromECDSAPub(nil) != nil")
	}
}

// TestBadPublicKeys is the table of bad keys of CVE-2025-24883 (off-curve,
// (0,0), infinity) and GHSA-2gjw-fg97-vg3r (x or y replaced by an alias >= p, x = p, y = p). Every
// entry point that accepts a public key must reject each of them.
func TestBadPublicKeys(t *testing.T) {
	valid := mustHex(t, "04"+testPubA)
	yPlus1 := bytes.Clone(valid)
	yPlus1[64]++
	invalidCurve := "0000000000000000000000000000000000000000000000000000000000000001" +
		"0000000000000000000000000000000000000000000000000000000000000002" // (1,2): on y² = x³ + 3
	invalidCurve2 := "0000000000000000000000000000000000000000000000000000000000000001" +
		"210c790573632359b1edb4302c117d8a132654692c3feeb7de3a86ac3f3b53f7" // on y² = x³ + 2
	bad := []struct {
		name string
		enc  string // hex, uncompressed or compressed
	}{
		{"(0,0)", "04" + strings.Repeat("00", 64)},
		{"(x,y+1)", hex.EncodeToString(yPlus1)},
		{"x+p alias", "04" + addP(t, smallXPoint[:64]) + smallXPoint[64:]},
		{"y+p alias", "04" + smallYPoint[:64] + addP(t, smallYPoint[64:])},
		{"x=p,y=p", "04" + curvePHex + curvePHex},
		{"x=p", "04" + curvePHex + testPubA[64:]},
		{"y=p", "04" + testPubA[:64] + curvePHex},
		{"all ff", "04" + strings.Repeat("ff", 64)},
		{"invalid curve b'=3", "04" + invalidCurve},
		{"invalid curve b'=2", "04" + invalidCurve2},
		{"hybrid prefix 06", "06" + testPubA},
		{"hybrid prefix 07", "07" + testPubA},
		{"prefix 00", "00" + testPubA},
		{"infinity 0x00", "00"},
		{"raw 64 bytes", testPubA},
		{"66 bytes", "04" + testPubA + "00"},
		{"empty", ""},
		{"compressed x=0", "02" + strings.Repeat("00", 32)},
		{"compressed x=p", "02" + curvePHex},
		{"compressed x+p alias", "02" + addP(t, smallXPoint[:64])},
		{"compressed not on curve", "02" + strings.Repeat("00", 31) + "05"}, // 5³+7 = 132 is not a square mod p
		{"compressed prefix 04", "04" + testPubA[:64]},
	}
	// The aliases must really be aliases of valid points, or the test proves nothing.
	for _, pt := range []string{smallXPoint, smallYPoint} {
		pub, err := UnmarshalPubkey(mustHex(t, "04"+pt))
		if err != nil {
			t.Fatalf("base point %s is not valid: %v", pt, err)
		}
		if !S256().IsOnCurve(pub.X, pub.Y) {
			t.Fatalf("S256().IsOnCurve rejects valid point %s", pt)
		}
	}
	if _, err := DecompressPubkey(mustHex(t, "02"+smallXPoint[:64])); err != nil {
		t.Fatalf("compressed base point invalid: %v", err)
	}
	prv := mustKey(t, testKeyB)
	digest := Keccak256([]byte("foo"))
	for _, tc := range bad {
		b := mustHex(t, tc.enc)
		if _, err := UnmarshalPubkey(b); !errors.Is(err, ErrInvalidPubkey) {
			t.Errorf("%s: UnmarshalPubkey err = %v", tc.name, err)
		}
		if _, err := DecompressPubkey(b); !errors.Is(err, ErrInvalidPubkey) {
			t.Errorf("%s: DecompressPubkey err = %v", tc.name, err)
		}
		sig, _ := Sign(digest, prv)
		if VerifySignature(b, digest, sig[:64]) {
			t.Errorf("%s: VerifySignature accepted the key", tc.name)
		}
		// ECDH takes big.Ints, so feed it the raw coordinates of the
		// 65-byte forms, bypassing the parser.
		if len(b) == 65 {
			pub := &ecdsa.PublicKey{Curve: S256(), X: new(big.Int).SetBytes(b[1:33]), Y: new(big.Int).SetBytes(b[33:])}
			if b[0] == 4 && tc.name != "raw 64 bytes" && tc.name != "66 bytes" {
				if ValidatePubkey(pub) {
					t.Errorf("%s: ValidatePubkey accepted the key", tc.name)
				}
				if S256().IsOnCurve(pub.X, pub.Y) {
					t.Errorf("%s: S256().IsOnCurve accepted the key", tc.name)
				}
				if _, err := ECDH(prv, pub); !errors.Is(err, ErrInvalidPubkey) {
					t.Errorf("%s: ECDH err = %v", tc.name, err)
				}
			}
		}
	}
	// Coordinates that do not even fit in 32 bytes, are negative or missing.
	huge := new(big.Int).Lsh(big.NewInt(1), 300)
	good, _ := UnmarshalPubkey(valid)
	for name, pub := range map[string]*ecdsa.PublicKey{
		"nil":        nil,
		"nil X":      {Curve: S256(), Y: good.Y},
		"nil Y":      {Curve: S256(), X: good.X},
		"X > 2^256":  {Curve: S256(), X: new(big.Int).Add(huge, good.X), Y: good.Y},
		"negative Y": {Curve: S256(), X: good.X, Y: new(big.Int).Neg(good.Y)},
	} {
		if _, err := ECDH(prv, pub); !errors.Is(err, ErrInvalidPubkey) {
			t.Errorf("%s: ECDH err = %v", name, err)
		}
	}
}

func TestECDH(t *testing.T) {
	a, b := mustKey(t, testKeyA), mustKey(t, testKeyB)
	s1, err := ECDH(a, &b.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	s2, err := ECDH(b, &a.PublicKey)
	if err != nil {
		t.Fatal(err)
	}
	if len(s1) != 32 || !bytes.Equal(s1, s2) {
		t.Fatalf("shared secrets differ: %x vs %x", s1, s2)
	}
	if _, err := ECDH(&ecdsa.PrivateKey{D: big.NewInt(0)}, &b.PublicKey); !errors.Is(err, ErrInvalidPrivateKey) {
		t.Fatalf("zero private key: err = %v", err)
	}
	if _, err := ECDH(nil, &b.PublicKey); !errors.Is(err, ErrInvalidPrivateKey) {
		t.Fatalf("nil private key: err = %v", err)
	}
}

// TestECDHCompressedVector is the discv5 wire test vector (discv5-wire-test-vectors.md, ECDH).
func TestECDHCompressedVector(t *testing.T) {
	prv := mustKey(t, "fb757dc581730490a1d7a00deea65e9b1936924caaea8f44d476014856b68736")
	pub, err := DecompressPubkey(mustHex(t, "039961e4c2356d61bedb83052c115d311acb3a96f5777296dcf297351130266231"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := ECDHCompressed(prv, pub)
	if err != nil {
		t.Fatal(err)
	}
	if want := "033b11a2a1f214567e1537ce5e509ffd9b21373247f2a3ff6841f4976f53165e7e"; hex.EncodeToString(got) != want {
		t.Fatalf("got %x, want %s", got, want)
	}
	x, _ := ECDH(prv, pub)
	if !bytes.Equal(x, got[1:]) {
		t.Fatal("ECDH and ECDHCompressed disagree on X")
	}
	bad := &ecdsa.PublicKey{Curve: S256(), X: big.NewInt(1), Y: big.NewInt(2)}
	if _, err := ECDHCompressed(prv, bad); !errors.Is(err, ErrInvalidPubkey) {
		t.Fatalf("invalid key: err = %v", err)
	}
}

func TestKeccak256(t *testing.T) {
	tests := []struct{ in, want string }{
		{"", "c5d2460186f7233c927e7db2dcc703c0e500b653ca82273b7bfad8045d85a470"},
		{"abc", "4e03657aea45a94fc7d47ba826c8d667c0d1e6e33a64a036ec44f58fa12d6c45"},
	}
	for _, tc := range tests {
		if got := hex.EncodeToString(Keccak256([]byte(tc.in))); got != tc.want {
			t.Errorf("Keccak256(%q) = %s, want %s", tc.in, got, tc.want)
		}
		h := Keccak256Hash([]byte(tc.in))
		if got := hex.EncodeToString(h[:]); got != tc.want {
			t.Errorf("Keccak256Hash(%q) = %s", tc.in, got)
		}
		// Split input gives the same digest.
		if len(tc.in) > 1 {
			if got := hex.EncodeToString(Keccak256([]byte(tc.in[:1]), []byte(tc.in[1:]))); got != tc.want {
				t.Errorf("split Keccak256(%q) = %s", tc.in, got)
			}
		}
		st := NewKeccakState()
		st.Write([]byte(tc.in))
		var out [32]byte
		st.Read(out[:])
		if got := hex.EncodeToString(out[:]); got != tc.want {
			t.Errorf("KeccakState.Read(%q) = %s", tc.in, got)
		}
	}
	in := []byte("abc")
	if n := testing.AllocsPerRun(100, func() { Keccak256Hash(in) }); n > 0 && !raceEnabled {
		t.Errorf("Keccak256Hash allocates %v times", n)
	}
}

func TestKeyFiles(t *testing.T) {
	dir := t.TempDir()
	key := mustKey(t, testKeyA)
	file := filepath.Join(dir, "nodekey")
	if err := SaveECDSA(file, key); err != nil {
		t.Fatal(err)
	}
	content, _ := os.ReadFile(file)
	if string(content) != testKeyA {
		t.Fatalf("saved %q, want %q", content, testKeyA)
	}
	if fi, _ := os.Stat(file); fi.Mode().Perm() != 0o600 {
		t.Fatalf("mode %v, want 0600", fi.Mode().Perm())
	}
	// Overwriting a world-readable file leaves a 0600 file and no temporaries.
	loose := filepath.Join(dir, "loose")
	os.WriteFile(loose, []byte("old"), 0o644)
	if err := SaveECDSA(loose, key); err != nil {
		t.Fatal(err)
	}
	if fi, _ := os.Stat(loose); fi.Mode().Perm() != 0o600 {
		t.Fatalf("overwritten file has mode %v, want 0600", fi.Mode().Perm())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 2 {
		t.Fatalf("directory holds %d entries, want 2 (temporary file left?)", len(entries))
	}
	if err := SaveECDSA(filepath.Join(dir, "missing", "k"), key); err == nil {
		t.Fatal("SaveECDSA into a missing directory succeeded")
	}
	tests := []struct {
		name    string
		content string
		ok      bool
	}{
		{"plain", testKeyA, true},
		{"newline", testKeyA + "\n", true},
		{"crlf", testKeyA + "\r\n", true},
		{"upper case", strings.ToUpper(testKeyA), true},
		{"two newlines", testKeyA + "\n\n", false},
		{"leading space", " " + testKeyA, false},
		{"trailing space", testKeyA + " ", false},
		{"short", testKeyA[:62], false},
		{"long", testKeyA + "00", false},
		{"very long", strings.Repeat(testKeyA, 100), false},
		{"0x prefix", "0x" + testKeyA[2:], false},
		{"non-hex", "zz" + testKeyA[2:], false},
		{"zero", strings.Repeat("0", 64), false},
		{"N", curveNHex, false},
		{"above N", strings.Repeat("f", 64), false},
		{"empty", "", false},
		{"binary", string(mustHex(t, testKeyA)), false},
	}
	for _, tc := range tests {
		f := filepath.Join(dir, "k")
		os.WriteFile(f, []byte(tc.content), 0o600)
		k, err := LoadECDSA(f)
		if tc.ok {
			if err != nil {
				t.Errorf("%s: %v", tc.name, err)
			} else if !k.Equal(key) {
				t.Errorf("%s: loaded wrong key", tc.name)
			}
			continue
		}
		if err == nil {
			t.Errorf("%s: no error", tc.name)
		} else if !strings.Contains(err.Error(), f) {
			t.Errorf("%s: error %q does not name the file", tc.name, err)
		}
	}
	if _, err := LoadECDSA(filepath.Join(dir, "missing")); !errors.Is(err, os.ErrNotExist) {
		t.Errorf("missing file: %v", err)
	}
}
