package enode

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/rlp"
)

// ValidSchemes are the identity schemes accepted from the network: "v4".
var ValidSchemes = enr.SchemeMap{"v4": V4ID{}}

// ValidSchemesForTesting adds the "null" scheme of SignNull.
var ValidSchemesForTesting = enr.SchemeMap{"v4": V4ID{}, "null": NullID{}}

// v4SigLength is the size of a "v4" record signature: R ‖ S, no recovery
// byte (https://github.com/ethereum/devp2p/blob/master/enr.md, "v4" Identity
// Scheme).
const v4SigLength = 64

// Secp256k1 is the "secp256k1" entry: a public key, stored compressed
// (33 bytes). Decoding rejects invalid points.
type Secp256k1 ecdsa.PublicKey

// ENRKey implements enr.Entry.
func (Secp256k1) ENRKey() string { return "secp256k1" }

// EncodeRLP implements rlp.Encoder.
func (v Secp256k1) EncodeRLP(w io.Writer) error {
	pub := ecdsa.PublicKey(v)
	if !crypto.ValidatePubkey(&pub) {
		return crypto.ErrInvalidPubkey
	}
	_, err := w.Write(append([]byte{0x80 + 33}, crypto.CompressPubkey(&pub)...))
	return err
}

// DecodeRLP implements rlp.Decoder.
func (v *Secp256k1) DecodeRLP(s *rlp.Stream) error {
	var buf [33]byte
	if err := s.ReadBytes(buf[:]); err != nil {
		return err
	}
	pk, err := crypto.DecompressPubkey(buf[:])
	if err != nil {
		return err
	}
	*v = Secp256k1(*pk)
	return nil
}

// V4ID is the "v4" identity scheme: the signature is the 64-byte R ‖ S
// secp256k1 signature of keccak256(rlp([seq, k, v, ...])) by the key in the
// "secp256k1" entry; the node address is keccak256 of the uncompressed key.
type V4ID struct{}

// SignV4 sets the "id" and "secp256k1" entries and signs the record with
// priv. On error the record is unchanged.
func SignV4(r *enr.Record, priv *ecdsa.PrivateKey) error {
	cpy := *r
	cpy.Set(enr.ID("v4"))
	cpy.Set(Secp256k1(priv.PublicKey))
	digest := crypto.Keccak256(cpy.Content())
	sig, err := crypto.Sign(digest, priv)
	if err != nil {
		return fmt.Errorf("enode: sign record: %w", err)
	}
	if err := cpy.SetSig(V4ID{}, sig[:v4SigLength]); err != nil {
		return err
	}
	*r = cpy
	return nil
}

var errNoPubkey = errors.New("record has no valid secp256k1 public key")

// Verify implements enr.IdentityScheme.
func (V4ID) Verify(r *enr.Record, sig []byte) error {
	key, rest, err := rlp.SplitString(r.Get("secp256k1"))
	if err != nil || len(rest) != 0 || len(key) != 33 {
		return errNoPubkey
	}
	if len(sig) != v4SigLength {
		return enr.ErrInvalidSig
	}
	// VerifySignature parses (and validates) the compressed key.
	if !crypto.VerifySignature(key, crypto.Keccak256(r.Content()), sig) {
		return enr.ErrInvalidSig
	}
	return nil
}

// NodeAddr implements enr.IdentityScheme.
func (V4ID) NodeAddr(r *enr.Record) []byte {
	var pub Secp256k1
	if err := r.Load(&pub); err != nil {
		return nil
	}
	id := PubkeyToIDV4((*ecdsa.PublicKey)(&pub))
	return id[:]
}

// v4CompatID is the scheme of nodes made from enode:// URLs (NewV4): they
// carry a public key but no signature, so Verify accepts anything.
type v4CompatID struct{ V4ID }

func (v4CompatID) Verify(*enr.Record, []byte) error { return nil }

// NullID is the "null" identity scheme for tests: no signature, the node ID
// is stored in the "nulladdr" entry. It is in ValidSchemesForTesting only.
type NullID struct{}

// Verify implements enr.IdentityScheme.
func (NullID) Verify(*enr.Record, []byte) error { return nil }

// NodeAddr implements enr.IdentityScheme.
func (NullID) NodeAddr(r *enr.Record) []byte {
	var id ID
	r.Load(enr.Generic{Key: "nulladdr", Value: &id})
	return id[:]
}

// SignNull makes a "null" scheme node with the given ID from r, for tests.
func SignNull(r *enr.Record, id ID) *Node {
	r.Set(enr.ID("null"))
	r.Set(enr.Generic{Key: "nulladdr", Value: id})
	if err := r.SetSig(NullID{}, []byte{}); err != nil {
		panic(err)
	}
	return newNodeWithID(r, id)
}
