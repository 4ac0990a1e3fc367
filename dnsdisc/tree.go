package dnsdisc

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

// Tree is a signed node list: the root, and every other entry by its hash.
// MakeTree builds one for publishing; Client.SyncTree downloads one.
type Tree struct {
	root    *rootEntry
	entries map[string]entry
}

// errUnsigned is returned by the methods that need a signature before Sign.
var errUnsigned = errors.New("tree is not signed")

// MakeTree builds a tree of the given nodes and links (enrtree:// URLs) with
// sequence number seq. Nodes are sorted by ID so that the same set gives the
// same tree. The tree must be signed before it is published.
func MakeTree(seq uint64, nodes []*enode.Node, links []string) (*Tree, error) {
	t := &Tree{entries: make(map[string]entry)}

	nodes = slices.Clone(nodes)
	slices.SortFunc(nodes, func(a, b *enode.Node) int {
		ida, idb := a.ID(), b.ID()
		return bytes.Compare(ida[:], idb[:])
	})
	var enrLeaves []entry
	for i, n := range nodes {
		if i > 0 && n.ID() == nodes[i-1].ID() {
			return nil, fmt.Errorf("duplicate node %v", n.ID())
		}
		if n.Record().Signature() == nil {
			return nil, fmt.Errorf("node %v has an unsigned record", n.ID())
		}
		e := &enrEntry{node: n}
		if len(e.String()) > maxTXTSize {
			return nil, fmt.Errorf("node %v: record text too long", n.ID())
		}
		enrLeaves = append(enrLeaves, e)
	}

	var linkLeaves []entry
	seen := make(map[string]bool)
	for _, url := range slices.Sorted(slices.Values(links)) {
		le, err := parseLink(url)
		if err != nil {
			return nil, fmt.Errorf("invalid link %q: %w", url, err)
		}
		if seen[url] {
			continue
		}
		seen[url] = true
		linkLeaves = append(linkLeaves, le)
	}

	t.root = &rootEntry{
		seq:   seq,
		eroot: t.buildSubtree(enrLeaves),
		lroot: t.buildSubtree(linkLeaves),
	}
	return t, nil
}

// buildSubtree stores the leaves and the branches above them and returns the
// hash of the top entry. Leaves are grouped into branches of at most
// maxBranchChildren, level by level, so every branch stays within
// branchSizeLimit bytes and the depth is log13(n). A single leaf is its own
// subtree, with no branch above it, as go-ethereum builds it: the same input
// then gives the same records in both implementations.
func (t *Tree) buildSubtree(leaves []entry) string {
	level := make([]string, len(leaves))
	for i, e := range leaves {
		level[i] = t.add(e)
	}
	if len(level) == 1 {
		return level[0]
	}
	for len(level) > maxBranchChildren {
		var up []string
		for chunk := range slices.Chunk(level, maxBranchChildren) {
			up = append(up, t.add(&branchEntry{children: chunk}))
		}
		level = up
	}
	return t.add(&branchEntry{children: level})
}

func (t *Tree) add(e entry) string {
	h := entryHash(e.String())
	t.entries[h] = e
	return h
}

// Sign signs the root with key and returns the tree's URL at domain.
func (t *Tree) Sign(key *ecdsa.PrivateKey, domain string) (string, error) {
	if !validDomain(domain) {
		return "", fmt.Errorf("invalid domain %q", domain)
	}
	sig, err := crypto.Sign(t.root.sigHash(), key)
	if err != nil {
		return "", err
	}
	t.root.sig = sig
	return FormatURL(&key.PublicKey, domain), nil
}

// SetSignature sets a signature made earlier (base64, as in the root entry)
// after checking it against pubkey, so that a tree rebuilt from its node set
// can be published without the signing key.
func (t *Tree) SetSignature(pubkey *ecdsa.PublicKey, sig string) error {
	b, err := b64.DecodeString(sig)
	if err != nil || len(b) != crypto.SignatureLength {
		return ErrInvalidSig
	}
	root := *t.root
	root.sig = b
	if !root.verify(pubkey) {
		return errors.New("signature does not match the tree")
	}
	t.root = &root
	return nil
}

// Seq returns the sequence number of the tree.
func (t *Tree) Seq() uint64 { return t.root.seq }

// Signature returns the root signature in base64, or "" before Sign.
func (t *Tree) Signature() string {
	if t.root.sig == nil {
		return ""
	}
	return b64.EncodeToString(t.root.sig)
}

// Nodes returns the nodes of the tree, sorted by ID.
func (t *Tree) Nodes() []*enode.Node {
	var nodes []*enode.Node
	for _, e := range t.entries {
		if ee, ok := e.(*enrEntry); ok {
			nodes = append(nodes, ee.node)
		}
	}
	slices.SortFunc(nodes, func(a, b *enode.Node) int {
		ida, idb := a.ID(), b.ID()
		return bytes.Compare(ida[:], idb[:])
	})
	return nodes
}

// Links returns the enrtree:// URLs the tree links to, sorted.
func (t *Tree) Links() []string {
	var links []string
	for _, e := range t.entries {
		if le, ok := e.(*linkEntry); ok {
			links = append(links, le.str)
		}
	}
	slices.Sort(links)
	return links
}

// ToTXT returns the TXT records of the signed tree: the root at domain and
// each entry at <hash>.<domain>.
func (t *Tree) ToTXT(domain string) (map[string]string, error) {
	if t.root.sig == nil {
		return nil, errUnsigned
	}
	records := map[string]string{domain: t.root.String()}
	for h, e := range t.entries {
		records[strings.Join([]string{h, domain}, ".")] = e.String()
	}
	return records, nil
}
