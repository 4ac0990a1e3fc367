package enode

import (
	"crypto/ecdsa"
	"crypto/sha256"
	"net/netip"
	"sync/atomic"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enr"
)

// Discovery sees the same nodes over and over: every lookup gets each close
// node's key in NEIGHBORS from several peers, and the same signed records in
// NODES, ENRRESPONSE and handshakes. Parsing a key and verifying a record
// signature are the costly steps (elliptic-curve arithmetic), and both are
// pure functions of the bytes received, so their results are remembered in
// two bounded, process-wide memos: what one node of a process (or one of the
// many nodes of a simulation) has checked, none checks again.
//
// Only successes are remembered, each under a key that fixes every byte the
// check depended on:
//   - a verified record under the SHA-256 of its whole encoding, signature
//     included. A key of (node ID, seq) alone would let a second record with
//     the same seq but other content, or a bad signature, pass as verified.
//   - a parsed secp256k1 key under its 64 bytes X ‖ Y.
//
// An attacker can push entries out with fresh records or keys; that costs us
// the checks we would do without the memos, nothing more.
const (
	// verifiedRecordsSize bounds the verified-record memo: a few times the
	// nodes of a full table plus the records of several lookups.
	verifiedRecordsSize = 4096
	// v4KeysSize bounds the parsed-key memo.
	v4KeysSize = 4096
)

var (
	verifiedRecords = newLRU[[sha256.Size]byte, *Node](verifiedRecordsSize)
	v4Keys          = newLRU[[64]byte, *v4Key](v4KeysSize)
)

// v4Key is a parsed public key with what a node made from it needs.
type v4Key struct {
	pub        *ecdsa.PublicKey // shared: never modified
	id         ID
	compressed []byte // the "secp256k1" entry's value

	// last is the node most recently made from the key: a node usually
	// shows up with the same endpoint again, and then building its record
	// again is skipped too.
	last atomic.Pointer[Node]
}

// recordDigest returns the memo key of a signed record.
func recordDigest(r *enr.Record) (d [sha256.Size]byte, ok bool) {
	h := sha256.New()
	if r.EncodeRLP(h) != nil {
		return d, false // unsigned
	}
	h.Sum(d[:0])
	return d, true
}

// parseV4Key parses the 64-byte form of a public key (X ‖ Y, as discv4
// packets carry it), once per distinct key while it stays in the memo. It
// fails for bytes that are not a point on secp256k1.
func parseV4Key(raw [64]byte) (*v4Key, error) {
	if k, ok := v4Keys.get(raw); ok {
		return k, nil
	}
	var b [65]byte
	b[0] = 4
	copy(b[1:], raw[:])
	pub, err := crypto.UnmarshalPubkey(b[:])
	if err != nil {
		return nil, err
	}
	k := &v4Key{pub: pub, id: ID(crypto.Keccak256Hash(raw[:])), compressed: crypto.CompressPubkey(pub)}
	v4Keys.add(raw, k)
	return k, nil
}

// ParseV4Pubkey returns the public key and node ID of the 64-byte key raw
// (X ‖ Y, the form of discv4 packets). It fails for bytes that are not a
// point on secp256k1. A key already parsed is not parsed again (see above);
// the returned key is the caller's to keep.
func ParseV4Pubkey(raw [64]byte) (*ecdsa.PublicKey, ID, error) {
	k, err := parseV4Key(raw)
	if err != nil {
		return nil, ID{}, err
	}
	return copyPubkey(k.pub), k.id, nil
}

// NewV4Raw is NewV4 for a key in its 64-byte form (X ‖ Y, as discv4 NEIGHBORS
// and PING carry it): it fails for bytes that are not a point on secp256k1,
// and parses each distinct key once while it stays in the memo.
func NewV4Raw(raw [64]byte, ip netip.Addr, tcp, udp int) (*Node, error) {
	k, err := parseV4Key(raw)
	if err != nil {
		return nil, err
	}
	ip = ip.Unmap()
	if n := k.last.Load(); n != nil && n.IPAddr() == ip && n.TCP() == tcp && n.UDP() == udp {
		return n, nil
	}
	r := v4EndpointRecord(ip, tcp, udp)
	// The encoding Secp256k1 would write, without checking the key again.
	r.Set(enr.Generic{Key: Secp256k1{}.ENRKey(), Value: k.compressed})
	if err := r.SetSig(v4CompatID{}, []byte{}); err != nil {
		return nil, err
	}
	n := &Node{r: r, id: k.id, pubkey: k.pub}
	n.setIP()
	k.last.Store(n)
	return n, nil
}
