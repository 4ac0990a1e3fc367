package dnsdisc

import (
	"crypto/ecdsa"
	"fmt"
	"strings"

	"github.com/devp2p-go/devp2p/crypto"
)

// ParseURL parses an enrtree://<base32 public key>@<domain> URL and returns
// the domain (in lower case) and the key that signs the tree there.
func ParseURL(url string) (domain string, pubkey *ecdsa.PublicKey, err error) {
	if !strings.HasPrefix(url, linkPrefix) {
		return "", nil, fmt.Errorf("invalid enrtree URL %q: scheme must be %q", url, linkPrefix)
	}
	if len(url) > maxTXTSize {
		return "", nil, fmt.Errorf("invalid enrtree URL: %w", ErrTooLong)
	}
	le, err := parseLink(url)
	if err != nil {
		return "", nil, err
	}
	return le.domain, le.pubkey, nil
}

// FormatURL returns the enrtree:// URL of the tree signed by pubkey at domain.
func FormatURL(pubkey *ecdsa.PublicKey, domain string) string {
	return linkPrefix + b32.EncodeToString(crypto.CompressPubkey(pubkey)) + "@" + domain
}
