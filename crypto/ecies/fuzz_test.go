package ecies

import (
	"crypto/sha256"
	"errors"
	"testing"
)

func sha256Sum(b []byte) []byte { h := sha256.Sum256(b); return h[:] }

// FuzzDecrypt feeds arbitrary ciphertexts to Decrypt with the vector keys. It
// must never panic, and must only return the documented errors.
func FuzzDecrypt(f *testing.F) {
	vectors := loadVectors(f)
	for _, v := range vectors {
		prefix, ct := split(v.message)
		f.Add(ct, prefix)
	}
	f.Add([]byte{}, []byte{})
	f.Add(make([]byte, Overhead), []byte{})
	key := vectors[0].key
	f.Fuzz(func(t *testing.T, c, s2 []byte) {
		m, err := Decrypt(key, c, nil, s2)
		if err != nil {
			if !errors.Is(err, ErrInvalidMessage) && !errors.Is(err, ErrInvalidPublicKey) {
				t.Fatalf("unexpected error %v", err)
			}
			if m != nil {
				t.Fatal("error with a message")
			}
			return
		}
		if len(m) != len(c)-Overhead {
			t.Fatalf("plaintext length %d for ciphertext length %d", len(m), len(c))
		}
	})
}
