package dnsdisc

import (
	"crypto/ecdsa"
	"encoding/base32"
	"encoding/base64"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// Entry prefixes, from the "DNS Record Structure" section of EIP-1459.
const (
	rootPrefix   = "enrtree-root:v1"
	branchPrefix = "enrtree-branch:"
	linkPrefix   = "enrtree://"
	enrPrefix    = "enr:"
)

// Size limits. A record of one TXT entry should fit a 512-byte UDP DNS answer
// (EIP-1459); the trees published by the Ethereum Foundation keep every
// entry ≤ 370 bytes, which bounds a branch to 13 children.
const (
	// maxTXTSize is the largest entry text the client parses. The longest
	// honest entries are an enr: leaf (≤ 4+400 bytes for a 300-byte record)
	// and a link (10+52+1+253 bytes); anything longer is hostile.
	maxTXTSize = 1024
	// branchSizeLimit is the size a branch entry built by MakeTree stays under.
	branchSizeLimit = 370
	// hashLen is the length of an entry hash: the first 16 bytes of keccak256.
	hashLen = 16
	// minChildHashLen and maxChildHashLen bound a child hash in a branch: a
	// prefix of keccak256 long enough to be collision-resistant (12 bytes)
	// and no longer than the digest.
	minChildHashLen = 12
	maxChildHashLen = 32
	// encodedHashLen is the text length of a hash built by MakeTree.
	encodedHashLen = 26
	// maxBranchChildren is how many hashes fit a branch of branchSizeLimit
	// bytes: the prefix plus n hashes and n-1 commas.
	maxBranchChildren = (branchSizeLimit - len(branchPrefix) + 1) / (encodedHashLen + 1)
)

var (
	b32 = base32.StdEncoding.WithPadding(base32.NoPadding)
	b64 = base64.RawURLEncoding
)

// Errors of entry parsing. Callers branch on them with errors.Is; the
// returned error wraps one of them with the entry type.
var (
	ErrUnknownEntry = errors.New("unknown entry type")
	ErrSyntax       = errors.New("invalid syntax")
	ErrInvalidSig   = errors.New("invalid base64 signature")
	ErrInvalidChild = errors.New("invalid child hash")
	ErrNoPubkey     = errors.New("missing public key")
	ErrBadPubkey    = errors.New("invalid public key")
	ErrInvalidENR   = errors.New("invalid node record")
	ErrTooLong      = errors.New("entry too long")
	ErrWrongType    = errors.New("entry of the wrong type for its subtree")
)

// entry is one TXT record of a tree: a rootEntry, branchEntry, linkEntry or
// enrEntry.
type entry interface {
	fmt.Stringer
}

// rootEntry is "enrtree-root:v1 e=<enr-root> l=<link-root> seq=<n> sig=<sig>".
type rootEntry struct {
	eroot string // hash of the enr subtree's top entry
	lroot string // hash of the link subtree's top entry
	seq   uint64
	sig   []byte // 65 bytes R ‖ S ‖ V
}

// branchEntry is "enrtree-branch:<h1>,<h2>,...".
type branchEntry struct {
	children []string
}

// linkEntry is "enrtree://<base32 compressed key>@<domain>"; it is also the
// parsed form of a tree URL.
type linkEntry struct {
	str    string // the text as published (its hash names the entry)
	domain string // lower case
	pubkey *ecdsa.PublicKey
}

// enrEntry is "enr:<base64 record>".
type enrEntry struct {
	node *enode.Node
}

// signedText is the part of a root entry covered by its signature.
func (e *rootEntry) signedText() string {
	return fmt.Sprintf("%s e=%s l=%s seq=%d", rootPrefix, e.eroot, e.lroot, e.seq)
}

func (e *rootEntry) String() string {
	return e.signedText() + " sig=" + b64.EncodeToString(e.sig)
}

// sigHash is the digest the root signature covers.
func (e *rootEntry) sigHash() []byte {
	return crypto.Keccak256([]byte(e.signedText()))
}

// verify checks the signature against the tree's key.
func (e *rootEntry) verify(pubkey *ecdsa.PublicKey) bool {
	if len(e.sig) != crypto.SignatureLength {
		return false
	}
	return crypto.VerifySignature(crypto.FromECDSAPub(pubkey), e.sigHash(), e.sig[:64])
}

func (e *branchEntry) String() string {
	return branchPrefix + strings.Join(e.children, ",")
}

func (e *linkEntry) String() string {
	return e.str
}

func (e *enrEntry) String() string {
	text, err := e.node.Record().Text()
	if err != nil {
		// A node parsed or built by this package always has a signed record.
		panic(fmt.Sprintf("dnsdisc: node without text form: %v", err))
	}
	return text
}

// entryHash is the subdomain name of an entry: base32 of the first 16 bytes
// of keccak256 of its text.
func entryHash(text string) string {
	return b32.EncodeToString(crypto.Keccak256([]byte(text))[:hashLen])
}

// parseRoot parses a root entry. The signature is not checked here.
func parseRoot(text string) (*rootEntry, error) {
	if len(text) > maxTXTSize {
		return nil, fmt.Errorf("invalid root entry: %w", ErrTooLong)
	}
	rest, ok := strings.CutPrefix(text, rootPrefix+" ")
	if !ok {
		return nil, fmt.Errorf("invalid root entry: %w", ErrUnknownEntry)
	}
	fields := strings.Fields(rest)
	if len(fields) != 4 {
		return nil, fmt.Errorf("invalid root entry: %w", ErrSyntax)
	}
	var e rootEntry
	var sig string
	for i, key := range []string{"e", "l", "seq", "sig"} {
		value, ok := strings.CutPrefix(fields[i], key+"=")
		if !ok {
			return nil, fmt.Errorf("invalid root entry: %w", ErrSyntax)
		}
		switch key {
		case "e":
			e.eroot = value
		case "l":
			e.lroot = value
		case "seq":
			n, err := strconv.ParseUint(value, 10, 64)
			if err != nil {
				return nil, fmt.Errorf("invalid root entry: %w", ErrSyntax)
			}
			e.seq = n
		case "sig":
			sig = value
		}
	}
	if !isHash(e.eroot) || !isHash(e.lroot) {
		return nil, fmt.Errorf("invalid root entry: %w", ErrInvalidChild)
	}
	var err error
	if e.sig, err = b64.DecodeString(sig); err != nil || len(e.sig) != crypto.SignatureLength {
		return nil, fmt.Errorf("invalid root entry: %w", ErrInvalidSig)
	}
	return &e, nil
}

// parseEntry parses a non-root entry. validSchemes verifies enr: leaves.
func parseEntry(text string, validSchemes enr.IdentityScheme) (entry, error) {
	if len(text) > maxTXTSize {
		return nil, fmt.Errorf("invalid entry: %w", ErrTooLong)
	}
	switch {
	case strings.HasPrefix(text, branchPrefix):
		return parseBranch(text)
	case strings.HasPrefix(text, linkPrefix):
		return parseLink(text)
	case strings.HasPrefix(text, enrPrefix):
		return parseENR(text, validSchemes)
	default:
		return nil, ErrUnknownEntry
	}
}

func parseBranch(text string) (*branchEntry, error) {
	rest := text[len(branchPrefix):]
	if rest == "" {
		return &branchEntry{}, nil
	}
	children := strings.Split(rest, ",")
	for i, h := range children {
		// DNS names are case-insensitive; hashes are published in upper case.
		h = strings.ToUpper(h)
		if !isHash(h) {
			return nil, fmt.Errorf("invalid branch entry: %w", ErrInvalidChild)
		}
		children[i] = h
	}
	return &branchEntry{children: children}, nil
}

// isHash reports whether h is a valid (possibly abbreviated) entry hash.
func isHash(h string) bool {
	if len(h) > b32.EncodedLen(maxChildHashLen) {
		return false
	}
	b, err := b32.DecodeString(h)
	return err == nil && len(b) >= minChildHashLen && len(b) <= maxChildHashLen
}

func parseLink(text string) (*linkEntry, error) {
	rest, ok := strings.CutPrefix(text, linkPrefix)
	if !ok {
		return nil, fmt.Errorf("invalid link entry: %w", ErrUnknownEntry)
	}
	if len(text) > maxTXTSize {
		return nil, fmt.Errorf("invalid link entry: %w", ErrTooLong)
	}
	key, domain, ok := strings.Cut(rest, "@")
	if !ok {
		return nil, fmt.Errorf("invalid link entry: %w", ErrNoPubkey)
	}
	if !validDomain(domain) {
		return nil, fmt.Errorf("invalid link entry: %w", ErrSyntax)
	}
	keyBytes, err := b32.DecodeString(key)
	if err != nil {
		return nil, fmt.Errorf("invalid link entry: %w", ErrBadPubkey)
	}
	pubkey, err := crypto.DecompressPubkey(keyBytes)
	if err != nil {
		return nil, fmt.Errorf("invalid link entry: %w", ErrBadPubkey)
	}
	return &linkEntry{str: text, domain: strings.ToLower(domain), pubkey: pubkey}, nil
}

// validDomain checks the shape of a DNS name: 1..253 bytes, labels of 1..63
// bytes of letters, digits, '-' and '_'. A trailing dot is not allowed; the
// resolver adds it.
func validDomain(d string) bool {
	if d == "" || len(d) > 253 {
		return false
	}
	for label := range strings.SplitSeq(d, ".") {
		if label == "" || len(label) > 63 {
			return false
		}
		for _, c := range []byte(label) {
			ok := c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_'
			if !ok {
				return false
			}
		}
	}
	return true
}

func parseENR(text string, validSchemes enr.IdentityScheme) (*enrEntry, error) {
	r, err := enr.ParseTextUnverified(text) // enode.New verifies it
	if err != nil {
		return nil, fmt.Errorf("invalid enr entry: %w: %v", ErrInvalidENR, err)
	}
	n, err := enode.New(validSchemes, r)
	if err != nil {
		return nil, fmt.Errorf("invalid enr entry: %w: %v", ErrInvalidENR, err)
	}
	return &enrEntry{node: n}, nil
}
