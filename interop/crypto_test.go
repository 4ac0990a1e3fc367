package interop

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/rand"
	"math/big"
	"os"
	"path/filepath"
	"testing"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gecies "github.com/ethereum/go-ethereum/crypto/ecies"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/crypto/ecies"
)

// keyPair is one private key in both libraries' representation.
type keyPair struct {
	ours, geth *ecdsa.PrivateKey
}

func newKeyPair(t *testing.T) keyPair {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	g, err := gcrypto.ToECDSA(crypto.FromECDSA(k))
	if err != nil {
		t.Fatal(err)
	}
	return keyPair{k, g}
}

func TestCryptoPubkeyEncodings(t *testing.T) {
	for range 20 {
		kp := newKeyPair(t)
		ou, gu := crypto.FromECDSAPub(&kp.ours.PublicKey), gcrypto.FromECDSAPub(&kp.geth.PublicKey)
		if !bytes.Equal(ou, gu) {
			t.Fatalf("uncompressed encodings differ:\nours %x\ngeth %x", ou, gu)
		}
		oc, gc := crypto.CompressPubkey(&kp.ours.PublicKey), gcrypto.CompressPubkey(&kp.geth.PublicKey)
		if !bytes.Equal(oc, gc) {
			t.Fatalf("compressed encodings differ:\nours %x\ngeth %x", oc, gc)
		}
		// Each parses the other's encodings to the same point.
		gp, err := gcrypto.UnmarshalPubkey(ou)
		if err != nil || gp.X.Cmp(kp.ours.X) != 0 || gp.Y.Cmp(kp.ours.Y) != 0 {
			t.Fatalf("geth UnmarshalPubkey of our encoding: %v", err)
		}
		op, err := crypto.UnmarshalPubkey(gu)
		if err != nil || op.X.Cmp(kp.geth.X) != 0 || op.Y.Cmp(kp.geth.Y) != 0 {
			t.Fatalf("our UnmarshalPubkey of geth's encoding: %v", err)
		}
		gd, err := gcrypto.DecompressPubkey(oc)
		if err != nil || gd.X.Cmp(kp.ours.X) != 0 || gd.Y.Cmp(kp.ours.Y) != 0 {
			t.Fatalf("geth DecompressPubkey of our encoding: %v", err)
		}
		od, err := crypto.DecompressPubkey(gc)
		if err != nil || od.X.Cmp(kp.geth.X) != 0 || od.Y.Cmp(kp.geth.Y) != 0 {
			t.Fatalf("our DecompressPubkey of geth's encoding: %v", err)
		}
	}
}

// TestCryptoBadPubkeysAgree: every key geth rejects, we reject (CVE-2025-24883, GHSA-2gjw-fg97-vg3r;
// docs/SECURITY.md).
func TestCryptoBadPubkeysAgree(t *testing.T) {
	p, _ := new(big.Int).SetString("fffffffffffffffffffffffffffffffffffffffffffffffffffffffefffffc2f", 16)
	valid := crypto.FromECDSAPub(&newKeyPair(t).ours.PublicKey)
	yPlus1 := bytes.Clone(valid)
	yPlus1[64]++
	// (1, y) is on the curve and 1+p < 2^256, so its x+p alias fits.
	smallX, _ := new(big.Int).SetString("4218f20ae6c646b363db68605822fb14264ca8d2587fdd6fbc750d587e76a7ee", 16)
	xAlias := append([]byte{4}, new(big.Int).Add(big.NewInt(1), p).FillBytes(make([]byte, 32))...)
	xAlias = append(xAlias, smallX.FillBytes(make([]byte, 32))...)
	cases := map[string][]byte{
		"(0,0)":     append([]byte{4}, make([]byte, 64)...),
		"(x,y+1)":   yPlus1,
		"x+p alias": xAlias,
		"x=p,y=p":   append(append([]byte{4}, p.Bytes()...), p.Bytes()...),
	}
	for name, enc := range cases {
		if _, err := crypto.UnmarshalPubkey(enc); err == nil {
			t.Errorf("%s: we accept", name)
		}
		if _, err := gcrypto.UnmarshalPubkey(enc); err == nil {
			t.Logf("%s: note: go-ethereum accepts it", name)
		}
	}
}

func TestCryptoSignatures(t *testing.T) {
	for i := range 30 {
		kp := newKeyPair(t)
		digest := crypto.Keccak256([]byte{byte(i)})
		if g := gcrypto.Keccak256(digest); !bytes.Equal(g, crypto.Keccak256(digest)) {
			t.Fatal("Keccak256 differs")
		}
		pub := crypto.FromECDSAPub(&kp.ours.PublicKey)

		ours, err := crypto.Sign(digest, kp.ours)
		if err != nil {
			t.Fatal(err)
		}
		theirs, err := gcrypto.Sign(digest, kp.geth)
		if err != nil {
			t.Fatal(err)
		}
		// Both use RFC 6979 nonces, so the signatures are identical.
		if !bytes.Equal(ours, theirs) {
			t.Errorf("signatures differ:\nours %x\ngeth %x", ours, theirs)
		}
		// geth recovers and verifies ours.
		rec, err := gcrypto.Ecrecover(digest, ours)
		if err != nil || !bytes.Equal(rec, pub) {
			t.Fatalf("geth Ecrecover of our signature: %x, %v", rec, err)
		}
		if !gcrypto.VerifySignature(pub, digest, ours[:64]) {
			t.Fatal("geth VerifySignature rejects our signature")
		}
		if !gcrypto.VerifySignature(crypto.CompressPubkey(&kp.ours.PublicKey), digest, ours[:64]) {
			t.Fatal("geth VerifySignature rejects our signature (compressed key)")
		}
		// We recover and verify theirs.
		rec, err = crypto.Ecrecover(digest, theirs)
		if err != nil || !bytes.Equal(rec, pub) {
			t.Fatalf("our Ecrecover of geth's signature: %x, %v", rec, err)
		}
		if !crypto.VerifySignature(pub, digest, theirs[:64]) {
			t.Fatal("our VerifySignature rejects geth's signature")
		}
		// Both reject the high-S twin.
		s := new(big.Int).SetBytes(ours[32:64])
		n := crypto.S256().Params().N
		high := append(bytes.Clone(ours[:32]), new(big.Int).Sub(n, s).FillBytes(make([]byte, 32))...)
		if crypto.VerifySignature(pub, digest, high) || gcrypto.VerifySignature(pub, digest, high) {
			t.Fatal("a high-S signature verified")
		}
	}
}

func TestCryptoECDH(t *testing.T) {
	for range 10 {
		a, b := newKeyPair(t), newKeyPair(t)
		ours, err := crypto.ECDH(a.ours, &b.ours.PublicKey)
		if err != nil {
			t.Fatal(err)
		}
		// GenerateShared(pub, 16, 16) returns the whole 32-byte X coordinate.
		theirs, err := gecies.ImportECDSA(b.geth).GenerateShared(gecies.ImportECDSAPublic(&a.geth.PublicKey), 16, 16)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(ours, theirs) {
			t.Fatalf("ECDH differs:\nours %x\ngeth %x", ours, theirs)
		}
	}
}

func TestCryptoECIES(t *testing.T) {
	params := []struct{ s1, s2 []byte }{{nil, nil}, {nil, []byte{0x01, 0x23}}, {[]byte("shared info"), []byte("mac data")}}
	for _, size := range []int{0, 1, 16, 100, 307, 1000} {
		for _, p := range params {
			kp := newKeyPair(t)
			m := make([]byte, size)
			rand.Read(m)

			// Ours → geth.
			ct, err := ecies.Encrypt(rand.Reader, &kp.ours.PublicKey, m, p.s1, p.s2)
			if err != nil {
				t.Fatal(err)
			}
			pt, err := gecies.ImportECDSA(kp.geth).Decrypt(ct, p.s1, p.s2)
			if err != nil || !bytes.Equal(pt, m) {
				t.Fatalf("size %d: geth cannot decrypt ours: %v", size, err)
			}
			// geth → ours. geth refuses to encrypt an empty message
			// (ErrInvalidMessage), though it decrypts one; we allow both.
			if size == 0 {
				continue
			}
			ct, err = gecies.Encrypt(rand.Reader, gecies.ImportECDSAPublic(&kp.geth.PublicKey), m, p.s1, p.s2)
			if err != nil {
				t.Fatal(err)
			}
			pt, err = ecies.Decrypt(kp.ours, ct, p.s1, p.s2)
			if err != nil || !bytes.Equal(pt, m) {
				t.Fatalf("size %d: we cannot decrypt geth's: %v", size, err)
			}
			if len(ct) != size+ecies.Overhead {
				t.Fatalf("geth ciphertext is %d bytes, Overhead says %d", len(ct), size+ecies.Overhead)
			}
		}
	}
}

func TestCryptoKeyFiles(t *testing.T) {
	dir := t.TempDir()
	kp := newKeyPair(t)

	ourFile := filepath.Join(dir, "ours")
	if err := crypto.SaveECDSA(ourFile, kp.ours); err != nil {
		t.Fatal(err)
	}
	g, err := gcrypto.LoadECDSA(ourFile)
	if err != nil || g.D.Cmp(kp.ours.D) != 0 {
		t.Fatalf("geth cannot load our key file: %v", err)
	}

	gethFile := filepath.Join(dir, "geth")
	if err := gcrypto.SaveECDSA(gethFile, kp.geth); err != nil {
		t.Fatal(err)
	}
	o, err := crypto.LoadECDSA(gethFile)
	if err != nil || o.D.Cmp(kp.geth.D) != 0 {
		t.Fatalf("we cannot load geth's key file: %v", err)
	}
	a, _ := os.ReadFile(ourFile)
	b, _ := os.ReadFile(gethFile)
	if !bytes.Equal(a, b) {
		t.Fatalf("key files differ: %q vs %q", a, b)
	}
	// A key file with a trailing newline (as `echo` writes it) loads in both.
	nl := filepath.Join(dir, "newline")
	os.WriteFile(nl, append(a, '\n'), 0o600)
	if _, err := crypto.LoadECDSA(nl); err != nil {
		t.Fatalf("ours: %v", err)
	}
	if _, err := gcrypto.LoadECDSA(nl); err != nil {
		t.Fatalf("geth: %v", err)
	}
}
