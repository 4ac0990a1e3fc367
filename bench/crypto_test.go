package bench

import (
	"crypto/ecdsa"
	"crypto/rand"
	"testing"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gecies "github.com/ethereum/go-ethereum/crypto/ecies"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/crypto/ecies"
)

// Pairs are named Benchmark<Area>/<case>/ours and .../geth for compare.sh.
// go-ethereum's crypto uses libsecp256k1 through cgo by default; build with
// CGO_ENABLED=0 to measure its pure-Go (decred) fallback instead.

// eciesMsgSize is the plaintext size of the ECIES pair, close to an EIP-8
// auth message.
const eciesMsgSize = 256

// benchKeys returns one key in both libraries' representation.
func benchKeys(b *testing.B) (ours, geth *ecdsa.PrivateKey) {
	b.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	g, err := gcrypto.ToECDSA(crypto.FromECDSA(k))
	if err != nil {
		b.Fatal(err)
	}
	return k, g
}

func BenchmarkKeccak256(b *testing.B) {
	for _, size := range []struct {
		name string
		n    int
	}{{"32B", 32}, {"64KiB", 64 << 10}} {
		data := make([]byte, size.n)
		b.Run(size.name+"/ours", func(b *testing.B) {
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				crypto.Keccak256(data)
			}
			cpu.report(b)
		})
		b.Run(size.name+"/geth", func(b *testing.B) {
			b.SetBytes(int64(size.n))
			b.ReportAllocs()
			cpu := startCPU()
			for b.Loop() {
				gcrypto.Keccak256(data)
			}
			cpu.report(b)
		})
	}
}

func BenchmarkSecp256k1(b *testing.B) {
	ours, geth := benchKeys(b)
	other, otherGeth := benchKeys(b)
	digest := crypto.Keccak256([]byte("bench"))
	sig, _ := crypto.Sign(digest, ours)
	pub := crypto.FromECDSAPub(&ours.PublicKey)

	b.Run("Sign/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			crypto.Sign(digest, ours)
		}
	})
	b.Run("Sign/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			gcrypto.Sign(digest, geth)
		}
	})
	b.Run("Ecrecover/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := crypto.Ecrecover(digest, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Ecrecover/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gcrypto.Ecrecover(digest, sig); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("VerifySignature/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			crypto.VerifySignature(pub, digest, sig[:64])
		}
	})
	b.Run("VerifySignature/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			gcrypto.VerifySignature(pub, digest, sig[:64])
		}
	})
	b.Run("ECDH/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := crypto.ECDH(ours, &other.PublicKey); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("ECDH/geth", func(b *testing.B) {
		prv, pub := gecies.ImportECDSA(geth), gecies.ImportECDSAPublic(&otherGeth.PublicKey)
		b.ReportAllocs()
		for b.Loop() {
			if _, err := prv.GenerateShared(pub, 16, 16); err != nil {
				b.Fatal(err)
			}
		}
	})
}

func BenchmarkECIES(b *testing.B) {
	ours, geth := benchKeys(b)
	msg := make([]byte, eciesMsgSize)
	gethPriv := gecies.ImportECDSA(geth)
	ct, err := ecies.Encrypt(rand.Reader, &ours.PublicKey, msg, nil, nil)
	if err != nil {
		b.Fatal(err)
	}

	b.Run("Encrypt/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ecies.Encrypt(rand.Reader, &ours.PublicKey, msg, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Encrypt/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gecies.Encrypt(rand.Reader, &gethPriv.PublicKey, msg, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decrypt/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := ecies.Decrypt(ours, ct, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
	b.Run("Decrypt/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := gethPriv.Decrypt(ct, nil, nil); err != nil {
				b.Fatal(err)
			}
		}
	})
}
