package crypto

import (
	"testing"
)

func BenchmarkSign(b *testing.B) {
	k, _ := GenerateKey()
	d := Keccak256([]byte("bench"))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Sign(d, k); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkEcrecover(b *testing.B) {
	k, _ := GenerateKey()
	d := Keccak256([]byte("bench"))
	sig, _ := Sign(d, k)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Ecrecover(d, sig); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkVerifySignature(b *testing.B) {
	k, _ := GenerateKey()
	d := Keccak256([]byte("bench"))
	sig, _ := Sign(d, k)
	pub := FromECDSAPub(&k.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		if !VerifySignature(pub, d, sig[:64]) {
			b.Fatal("verify failed")
		}
	}
}

func BenchmarkECDH(b *testing.B) {
	k1, _ := GenerateKey()
	k2, _ := GenerateKey()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ECDH(k1, &k2.PublicKey); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkUnmarshalPubkey(b *testing.B) {
	k, _ := GenerateKey()
	enc := FromECDSAPub(&k.PublicKey)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := UnmarshalPubkey(enc); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkKeccak256(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"32B", 32}, {"64KiB", 64 << 10}} {
		b.Run(size.name, func(b *testing.B) {
			data := make([]byte, size.n)
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			for b.Loop() {
				Keccak256Hash(data)
			}
		})
	}
}

func BenchmarkECDHCompressed(b *testing.B) {
	k1, _ := GenerateKey()
	k2, _ := GenerateKey()
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ECDHCompressed(k1, &k2.PublicKey); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkGenerateKey includes d·G; RLPx makes one ephemeral key per
// handshake.
func BenchmarkGenerateKey(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := GenerateKey(); err != nil {
			b.Fatal(err)
		}
	}
}
