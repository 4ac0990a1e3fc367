package crypto

import (
	"bytes"
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"math/big"
)

// selfTest runs one known answer through every operation of b. A C library
// is checked with it once, right after loading, so one with another ABI than
// the binding expects is refused (or, in the cgo build, fails at start-up)
// instead of producing wrong keys. The answers are decred's.
func selfTest(b curveBackend) error {
	mustHex := func(s string) []byte { v, _ := hex.DecodeString(s); return v }
	// discv5 wire test vector (ECDH), as in TestECDHCompressedVector.
	d := mustHex("fb757dc581730490a1d7a00deea65e9b1936924caaea8f44d476014856b68736")
	x, y, err := b.parsePubkey(mustHex("039961e4c2356d61bedb83052c115d311acb3a96f5777296dcf297351130266231"))
	if err != nil {
		return fmt.Errorf("parse: %w", err)
	}
	prv := &ecdsa.PrivateKey{D: new(big.Int).SetBytes(d)}
	shared, err := b.ecdh(prv, x, y, true)
	if err != nil || hex.EncodeToString(shared) != "033b11a2a1f214567e1537ce5e509ffd9b21373247f2a3ff6841f4976f53165e7e" {
		return fmt.Errorf("ECDH: %x, %v", shared, err)
	}
	if sx, err := b.ecdh(prv, x, y, false); err != nil || !bytes.Equal(sx, shared[1:]) {
		return fmt.Errorf("ECDH (X only): %x, %v", sx, err)
	}
	// RFC 6979 signature by the EIP-8 key A.
	d = mustHex("49a7b37aa6f6645917e7b807e9d1c00d4fa71f18343b0d4122a4d2df64dd6fee")
	prv = &ecdsa.PrivateKey{D: new(big.Int).SetBytes(d)}
	prv.X, prv.Y = b.pubkey(d)
	digest := mustHex("c8f933e7862f2c7846f35853fb1686b1bb1b0e2e7d8b3d5bf874dbeaf1d1c8a3")
	sig, err := b.sign(digest, prv)
	want := "16fc6b8e0088ec6a90257b49babaeb3acc809d28ddb25f3d2d4a877965154c3f2e8c19c7a5bedea385adf989447cfc3270501b0735eb6e0424f722a48f5ffa0700"
	if err != nil || hex.EncodeToString(sig) != want {
		return fmt.Errorf("sign: %x, %v", sig, err)
	}
	pub, err := b.recover(digest, sig)
	if err != nil || !bytes.Equal(pub, FromECDSAPub(&prv.PublicKey)) ||
		hex.EncodeToString(pub[1:]) != "fda1cff674c90c9a197539fe3dfb53086ace64f83ed7c6eabec741f7f381cc803e52ab2cd55d5569bce4347107a310dfd5f88a010cd2ffd1005ca406f1842877" {
		return fmt.Errorf("recover: %x, %v", pub, err)
	}
	if !b.verify(pub, digest, sig[:64]) {
		return errors.New("verify failed")
	}
	return nil
}
