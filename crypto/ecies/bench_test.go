package ecies

import (
	"crypto/rand"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
)

func BenchmarkEncrypt(b *testing.B) {
	key, _ := crypto.GenerateKey()
	m := make([]byte, 256)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Encrypt(rand.Reader, &key.PublicKey, m, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkDecrypt(b *testing.B) {
	key, _ := crypto.GenerateKey()
	ct, _ := Encrypt(rand.Reader, &key.PublicKey, make([]byte, 256), nil, nil)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Decrypt(key, ct, nil, nil); err != nil {
			b.Fatal(err)
		}
	}
}
