package rlpx

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"

	"github.com/devp2p-go/devp2p/internal/keccak"
)

// hashMAC is one direction's frame MAC (rlpx.md, Framing, MAC): a running
// keccak256 state over everything sent in that direction, mixed with
// AES-256 (keyed with mac-secret, used on single blocks, i.e. ECB) to make
// the header-mac-seed and frame-mac-seed.
//
// The digest of the state right after a frame MAC is the value the next
// header MAC starts from (nothing is written to the state in between), so it
// is kept in digest and reused: 3 keccak permutations per frame for the MACs
// instead of 4. Only digest[:16] is ever used, so the seeds are built in
// digest[16:] (which keeps every connection 32 bytes smaller); sum makes
// digest whole again.
type hashMAC struct {
	block  cipher.Block // AES-256 keyed with mac-secret, shared by both directions
	hash   macHash      // legacy keccak256 state (egress-mac or ingress-mac)
	digest [32]byte     // digest of hash, valid if fresh
	fresh  bool
}

// seed returns the scratch space for a MAC seed (one AES block).
func (m *hashMAC) seed() []byte { return m.digest[16 : 16+aes.BlockSize] }

// macHash is the running keccak256 state of one direction: a
// *keccak.State, or the published frame vector's stub in a test.
type macHash interface {
	Write([]byte) (int, error)
	Digest(*[keccak.Size]byte) // the digest so far, leaving the state as it is
}

// newKeccak returns an empty legacy (pre-SHA-3 padding) keccak256 state.
func newKeccak() macHash { return new(keccak.State) }

func (m *hashMAC) sum() {
	m.hash.Digest(&m.digest)
	m.fresh = true
}

// header updates the state with the header ciphertext (16 bytes) and writes
// header-mac to mac:
//
//	header-mac-seed = aes(mac-secret, digest(mac)[:16]) ^ header-ciphertext
//	mac = update(mac, header-mac-seed); header-mac = digest(mac)[:16]
func (m *hashMAC) header(headerCT []byte, mac []byte) {
	if !m.fresh {
		m.sum()
	}
	seed := m.seed()
	m.block.Encrypt(seed, m.digest[:16])
	subtle.XORBytes(seed, seed, headerCT[:16])
	m.hash.Write(seed)
	m.sum()
	copy(mac[:16], m.digest[:16])
}

// frame updates the state with the frame ciphertext and writes frame-mac:
//
//	mac = update(mac, frame-ciphertext)
//	frame-mac-seed = aes(mac-secret, digest(mac)[:16]) ^ digest(mac)[:16]
//	mac = update(mac, frame-mac-seed); frame-mac = digest(mac)[:16]
func (m *hashMAC) frame(frameCT []byte, mac []byte) {
	m.hash.Write(frameCT)
	m.sum()
	seed := m.seed()
	m.block.Encrypt(seed, m.digest[:16])
	subtle.XORBytes(seed, seed, m.digest[:16])
	m.hash.Write(seed)
	m.sum()
	copy(mac[:16], m.digest[:16])
}
