package enode

import (
	"errors"
	"net"
	"net/netip"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enr"
)

// acceptAll is an identity scheme that takes any signature, to build
// records with forged signatures.
type acceptAll struct{ V4ID }

func (acceptAll) Verify(*enr.Record, []byte) error { return nil }

func signedRecord(t *testing.T, seq uint64, ip string) *enr.Record {
	t.Helper()
	key, err := crypto.HexToECDSA("45a915e4d060149eb4365960e6a7a45f334393093061116b197e3240065ff2d8")
	if err != nil {
		t.Fatal(err)
	}
	var r enr.Record
	r.SetSeq(seq)
	r.Set(enr.IPv4(netip.MustParseAddr(ip)))
	r.Set(enr.UDP(30303))
	if err := SignV4(&r, key); err != nil {
		t.Fatal(err)
	}
	return &r
}

// TestNewMemoizesVerifiedRecords: the same record bytes give the same Node
// without a second verification; a record with the same ID and seq but
// other content is verified on its own, so a forged signature cannot ride on
// a cached one.
func TestNewMemoizesVerifiedRecords(t *testing.T) {
	good := signedRecord(t, 7, "11.1.1.1")
	n1, err := New(ValidSchemes, good)
	if err != nil {
		t.Fatal(err)
	}
	// Decoded from the wire anew: the memo answers.
	enc, _ := good.MarshalRLP()
	again, err := enr.DecodeRecordUnverified(enc)
	if err != nil {
		t.Fatal(err)
	}
	n2, err := New(ValidSchemes, again)
	if err != nil || n2 != n1 {
		t.Fatalf("same record not served from the memo: %p %p %v", n1, n2, err)
	}

	// Same ID and seq, other IP, the cached record's signature.
	forged := signedRecord(t, 7, "11.6.6.6")
	if err := forged.SetSig(acceptAll{}, good.Signature()); err != nil {
		t.Fatal(err)
	}
	if n, err := New(ValidSchemes, forged); !errors.Is(err, enr.ErrInvalidSig) {
		t.Fatalf("forged record with a cached record's seq and signature: %v, %v", n, err)
	}
	// ...and asking again does not turn the failure into a success.
	if _, err := New(ValidSchemes, forged); !errors.Is(err, enr.ErrInvalidSig) {
		t.Fatalf("forged record on the second try: %v", err)
	}

	// Same ID and seq, other IP, validly signed: its own node.
	other := signedRecord(t, 7, "11.7.7.7")
	n3, err := New(ValidSchemes, other)
	if err != nil {
		t.Fatal(err)
	}
	if n3.ID() != n1.ID() || n3.Seq() != n1.Seq() || n3.IPAddr() != netip.MustParseAddr("11.7.7.7") {
		t.Fatalf("got %v", n3)
	}
}

// TestNewMemoOnlyForV4: records of other schemes are never memoized, so a
// "null" record accepted by the test schemes is not then served to a caller
// that accepts only "v4".
func TestNewMemoOnlyForV4(t *testing.T) {
	var r enr.Record
	r.Set(enr.IPv4(netip.MustParseAddr("11.2.2.2")))
	n := SignNull(&r, ID{1})
	rec := n.Record()
	if _, err := New(ValidSchemesForTesting, rec); err != nil {
		t.Fatal(err)
	}
	if _, err := New(ValidSchemes, rec); err == nil {
		t.Fatal("null record accepted by ValidSchemes after the test schemes verified it")
	}
}

// TestNewV4Raw: a node made from a 64-byte key equals the one NewV4 makes,
// the key is parsed once, and bad points fail.
func TestNewV4Raw(t *testing.T) {
	key, _ := crypto.GenerateKey()
	var raw [64]byte
	copy(raw[:], crypto.FromECDSAPub(&key.PublicKey)[1:])
	ip := netip.MustParseAddr("11.3.3.3")
	want := NewV4(&key.PublicKey, net.IP(ip.AsSlice()), 30303, 30304)
	got, err := NewV4Raw(raw, ip, 30303, 30304)
	if err != nil {
		t.Fatal(err)
	}
	if got.ID() != want.ID() || got.URLv4() != want.URLv4() || got.String() != want.String() {
		t.Fatalf("NewV4Raw %v\n want %v", got, want)
	}
	if !got.Pubkey().Equal(&key.PublicKey) {
		t.Fatal("public key differs")
	}
	if again, _ := NewV4Raw(raw, ip, 30303, 30304); again != got {
		t.Fatal("same key and endpoint: node built again")
	}
	k1, _ := v4Keys.get(raw)
	if _, err := NewV4Raw(raw, netip.MustParseAddr("::1"), 0, 1); err != nil {
		t.Fatal(err)
	}
	if k2, _ := v4Keys.get(raw); k1 == nil || k2 != k1 {
		t.Fatal("key parsed twice")
	}
	// Another endpoint gets its own node.
	for _, ep := range []struct {
		ip       string
		tcp, udp int
	}{{"11.3.3.3", 0, 30304}, {"11.3.3.3", 30303, 1}, {"11.3.3.4", 30303, 30304}, {"2a00::1", 30303, 30304}} {
		n, err := NewV4Raw(raw, netip.MustParseAddr(ep.ip), ep.tcp, ep.udp)
		if err != nil || n.IPAddr() != netip.MustParseAddr(ep.ip) || n.TCP() != ep.tcp || n.UDP() != ep.udp {
			t.Fatalf("endpoint %v: got %v, %v", ep, n, err)
		}
	}
	pub, id, err := ParseV4Pubkey(raw)
	if err != nil || id != want.ID() || !pub.Equal(&key.PublicKey) {
		t.Fatalf("ParseV4Pubkey: %v %v", id, err)
	}
	pub.X.SetInt64(1) // the caller's copy: the memo's key is untouched
	if again, _, _ := ParseV4Pubkey(raw); !again.Equal(&key.PublicKey) {
		t.Fatal("caller's change reached the memo")
	}

	var bad [64]byte // (0, 0) is not on the curve
	bad[63] = 1
	if _, err := NewV4Raw(bad, ip, 1, 1); err == nil {
		t.Fatal("off-curve key accepted")
	}
	if _, ok := v4Keys.get(bad); ok {
		t.Fatal("failure memoized")
	}
}

func BenchmarkNewV4Raw(b *testing.B) {
	key, _ := crypto.GenerateKey()
	var raw [64]byte
	copy(raw[:], crypto.FromECDSAPub(&key.PublicKey)[1:])
	ip := netip.MustParseAddr("11.3.3.3")
	b.Run("memo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			NewV4Raw(raw, ip, 30303, 30303)
		}
	})
	b.Run("parse", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			var full [65]byte
			full[0] = 4
			copy(full[1:], raw[:])
			pub, _ := crypto.UnmarshalPubkey(full[:])
			NewV4(pub, net.IP(ip.AsSlice()), 30303, 30303)
		}
	})
}

func BenchmarkNewRecord(b *testing.B) {
	key, _ := crypto.GenerateKey()
	var r enr.Record
	r.Set(enr.IPv4(netip.MustParseAddr("11.4.4.4")))
	r.Set(enr.UDP(30303))
	SignV4(&r, key)
	b.Run("memo", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			New(ValidSchemes, &r)
		}
	})
	b.Run("verify", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if err := r.VerifySignature(ValidSchemes); err != nil {
				b.Fatal(err)
			}
		}
	})
}
