package v5wire

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	"crypto/sha256"
	"errors"
	"fmt"
	"hash"

	"golang.org/x/crypto/hkdf"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

// Key agreement and identity proof (discv5-theory.md "Handshake Steps").
const (
	idSignatureText  = "discovery v5 identity proof"
	keyAgreementText = "discovery v5 key agreement"

	aesKeySize   = 16 // AES-128 session keys
	gcmNonceSize = 12
	gcmTagSize   = 16
)

var (
	errInvalidSig     = errors.New("invalid id-signature")
	errInvalidEphKey  = errors.New("invalid ephemeral public key")
	errUnsupportedKey = errors.New("unsupported identity key")
)

// idNonceHash is the digest signed by the handshake's id-signature:
// sha256(text ‖ challenge-data ‖ ephemeral-pubkey ‖ node-id-B).
func idNonceHash(h hash.Hash, challenge, ephkey []byte, destID enode.ID) []byte {
	h.Reset()
	h.Write([]byte(idSignatureText))
	h.Write(challenge)
	h.Write(ephkey)
	h.Write(destID[:])
	return h.Sum(nil)
}

// makeIDSignature signs the identity proof with the static key (64 bytes r ‖ s).
func makeIDSignature(h hash.Hash, key *ecdsa.PrivateKey, challenge, ephkey []byte, destID enode.ID) ([]byte, error) {
	sig, err := crypto.Sign(idNonceHash(h, challenge, ephkey, destID), key)
	if err != nil {
		return nil, err
	}
	return sig[:64], nil
}

// verifyIDSignature checks the identity proof against the record's key.
func verifyIDSignature(h hash.Hash, sig []byte, n *enode.Node, challenge, ephkey []byte, destID enode.ID) error {
	if n.Record().IdentityScheme() != "v4" {
		return fmt.Errorf("%w %q", errUnsupportedKey, n.Record().IdentityScheme())
	}
	pub := n.Pubkey()
	if pub == nil {
		return errUnsupportedKey
	}
	if len(sig) != 64 || !crypto.VerifySignature(crypto.CompressPubkey(pub), idNonceHash(h, challenge, ephkey, destID), sig) {
		return errInvalidSig
	}
	return nil
}

// deriveKeys runs the HKDF key schedule. n1 is the handshake initiator,
// n2 the recipient (the node that sent WHOAREYOU).
func deriveKeys(priv *ecdsa.PrivateKey, pub *ecdsa.PublicKey, n1, n2 enode.ID, challenge []byte) (*session, error) {
	secret, err := crypto.ECDHCompressed(priv, pub)
	if err != nil {
		return nil, err
	}
	info := make([]byte, 0, len(keyAgreementText)+64)
	info = append(info, keyAgreementText...)
	info = append(info, n1[:]...)
	info = append(info, n2[:]...)
	kdf := hkdf.New(sha256.New, secret, challenge, info)
	s := new(session)
	if _, err := kdf.Read(s.writeKey[:]); err != nil {
		return nil, err
	}
	if _, err := kdf.Read(s.readKey[:]); err != nil {
		return nil, err
	}
	return s, nil
}

// encryptGCM appends the AES-GCM sealed message to dest.
func encryptGCM(dest, key, nonce, pt, ad []byte) ([]byte, error) {
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return aead.Seal(dest, nonce, pt, ad), nil
}

// decryptGCM opens an AES-GCM sealed message.
func decryptGCM(key, nonce, ct, ad []byte) ([]byte, error) {
	if len(nonce) != gcmNonceSize {
		return nil, errors.New("invalid GCM nonce size")
	}
	block, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	aead, err := cipher.NewGCM(block)
	if err != nil {
		return nil, err
	}
	return aead.Open(nil, nonce, ct, ad)
}

// decodePubkey parses a 33-byte compressed secp256k1 key (on-curve checked).
func decodePubkey(b []byte) (*ecdsa.PublicKey, error) {
	if len(b) != 33 {
		return nil, errInvalidEphKey
	}
	k, err := crypto.DecompressPubkey(b)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", errInvalidEphKey, err)
	}
	return k, nil
}
