package crypto_test

import (
	"bytes"
	"fmt"

	"github.com/devp2p-go/devp2p/crypto"
)

func Example() {
	key, _ := crypto.HexToECDSA("49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee")
	digest := crypto.Keccak256([]byte("hello"))
	sig, _ := crypto.Sign(digest, key)
	pub, _ := crypto.Ecrecover(digest, sig)
	fmt.Println(bytes.Equal(pub, crypto.FromECDSAPub(&key.PublicKey)))
	fmt.Println(crypto.VerifySignature(pub, digest, sig[:64]))
	fmt.Printf("node ID %x...\n", pub[1:9])
	// Output:
	// true
	// true
	// node ID fda1cff674c90c9a...
}
