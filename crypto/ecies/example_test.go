package ecies_test

import (
	"crypto/rand"
	"fmt"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/crypto/ecies"
)

func Example() {
	key, _ := crypto.GenerateKey()
	prefix := []byte{0x01, 0x23} // e.g. an EIP-8 size prefix, authenticated but not encrypted
	ct, _ := ecies.Encrypt(rand.Reader, &key.PublicKey, []byte("auth body"), nil, prefix)
	msg, err := ecies.Decrypt(key, ct, nil, prefix)
	fmt.Println(string(msg), err, len(ct)-len(msg) == ecies.Overhead)
	// Output: auth body <nil> true
}
