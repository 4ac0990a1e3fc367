package enode

import (
	"crypto/ecdsa"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enr"
)

const urlPrefix = "enode://"

var (
	errMissingPrefix = errors.New("missing 'enr:' prefix for base64-encoded record")
	errBadPubkeyLen  = errors.New("invalid public key (wrong length, want 128 hex chars)")
)

// maxURLLength bounds the input ParseV4 looks at: 8 (scheme) + 128 (key) +
// 1 + 253 (longest DNS name) + 6 (":65535") + 15 ("?discport=65535"),
// rounded up.
const maxURLLength = 512

// MustParse parses a node URL or record text (see Parse with ValidSchemes)
// and panics on error. For constants and tests.
func MustParse(rawurl string) *Node {
	n, err := Parse(ValidSchemes, rawurl)
	if err != nil {
		panic("invalid node: " + err.Error())
	}
	return n
}

// Parse decodes an "enr:" record text (verified under validSchemes) or an
// "enode://" URL (see ParseV4).
func Parse(validSchemes enr.IdentityScheme, input string) (*Node, error) {
	if strings.HasPrefix(input, urlPrefix) {
		return ParseV4(input)
	}
	if !strings.HasPrefix(input, "enr:") {
		return nil, errMissingPrefix
	}
	r, err := enr.ParseTextUnverified(input)
	if err != nil {
		return nil, err
	}
	return New(validSchemes, r)
}

// ParseV4 parses an enode URL:
//
//	enode://<128 hex public key>[@<IP or DNS name>:<TCP port>[?discport=<UDP port>]]
//
// Without discport the UDP port is the TCP port. Without "@..." the node has
// no address. A DNS name is kept unresolved (Hostname); call Resolve to look
// it up. The public key must be a valid secp256k1 point. The result is
// unsigned (String returns the URL).
func ParseV4(rawurl string) (*Node, error) {
	if len(rawurl) > maxURLLength {
		return nil, errors.New("invalid enode URL: too long")
	}
	rest, ok := strings.CutPrefix(rawurl, urlPrefix)
	if !ok {
		return nil, errors.New("invalid URL scheme, want \"enode\"")
	}
	if strings.ContainsAny(rest, "#/") {
		return nil, errors.New("invalid enode URL: unexpected path or fragment")
	}
	rest, query, hasQuery := strings.Cut(rest, "?")
	idhex, hostport, hasHost := strings.Cut(rest, "@")
	pub, err := parsePubkey(idhex)
	if err != nil {
		return nil, err
	}
	if !hasHost {
		if hasQuery {
			return nil, errors.New("invalid enode URL: query without host")
		}
		return newV4Addr(pub, netip.Addr{}, 0, 0), nil
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		return nil, fmt.Errorf("invalid host: %w", err)
	}
	tcp, err := parsePort(port)
	if err != nil {
		return nil, fmt.Errorf("invalid port: %w", err)
	}
	udp := tcp
	if hasQuery {
		q, err := url.ParseQuery(query)
		if err != nil {
			return nil, fmt.Errorf("invalid query: %w", err)
		}
		for k, v := range q {
			if k != "discport" || len(v) != 1 {
				return nil, fmt.Errorf("invalid query parameter %q", k)
			}
		}
		if udp, err = parsePort(q.Get("discport")); err != nil {
			return nil, fmt.Errorf("invalid discport in query: %w", err)
		}
	}
	if ip, err := netip.ParseAddr(host); err == nil {
		if ip.Zone() != "" {
			return nil, errors.New("invalid IP: zones are not allowed")
		}
		return newV4Addr(pub, ip.Unmap(), tcp, udp), nil
	}
	if !validHostname(host) {
		return nil, fmt.Errorf("invalid host %q: not an IP address or DNS name", host)
	}
	return newV4Addr(pub, netip.Addr{}, tcp, udp).WithHostname(host), nil
}

func parsePort(s string) (int, error) {
	if s == "" || s[0] == '+' || s[0] == '-' {
		return 0, strconv.ErrSyntax
	}
	p, err := strconv.ParseUint(s, 10, 16)
	return int(p), err
}

func parsePubkey(in string) (*ecdsa.PublicKey, error) {
	if len(in) != 128 {
		return nil, errBadPubkeyLen
	}
	b := make([]byte, 65)
	b[0] = 0x04
	if _, err := hex.Decode(b[1:], []byte(in)); err != nil {
		return nil, fmt.Errorf("invalid public key: %w", err)
	}
	pub, err := crypto.UnmarshalPubkey(b)
	if err != nil {
		return nil, fmt.Errorf("invalid public key: %w", err)
	}
	return pub, nil
}

// validHostname checks the syntax of a DNS name: at most 253 characters,
// dot-separated labels of 1-63 letters, digits, hyphens and underscores, an
// optional trailing dot.
func validHostname(h string) bool {
	h = strings.TrimSuffix(h, ".")
	if h == "" || len(h) > 253 {
		return false
	}
	for label := range strings.SplitSeq(h, ".") {
		if label == "" || len(label) > 63 || label[0] == '-' || label[len(label)-1] == '-' {
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

// NewV4 makes an unsigned node from a public key and endpoint, as enode URLs
// describe them. ip may be nil; zero ports are left out of the record.
func NewV4(pub *ecdsa.PublicKey, ip net.IP, tcp, udp int) *Node {
	var addr netip.Addr
	if a, ok := netip.AddrFromSlice(ip); ok {
		addr = a.Unmap()
	}
	return newV4Addr(pub, addr, tcp, udp)
}

func newV4Addr(pub *ecdsa.PublicKey, ip netip.Addr, tcp, udp int) *Node {
	r := v4EndpointRecord(ip, tcp, udp)
	r.Set(Secp256k1(*pub))
	if err := r.SetSig(v4CompatID{}, []byte{}); err != nil {
		panic(err) // cannot happen: an unsigned v4 record is far below 300 bytes
	}
	return newNodeWithID(&r, PubkeyToIDV4(pub))
}

// URLv4 returns the enode URL of the node. Nodes without a public key (not
// "v4") show their ID in place of the key.
func (n *Node) URLv4() string {
	var b strings.Builder
	b.WriteString(urlPrefix)
	if n.pubkey != nil {
		b.WriteString(hex.EncodeToString(crypto.FromECDSAPub(n.pubkey)[1:]))
	} else {
		b.WriteString(n.id.String())
	}
	switch {
	case n.hostname != "":
		b.WriteString("@")
		b.WriteString(net.JoinHostPort(n.hostname, strconv.Itoa(int(n.tcp))))
	case n.ip.IsValid():
		b.WriteString("@")
		b.WriteString(netip.AddrPortFrom(n.ip, n.tcp).String())
	default:
		return b.String()
	}
	if n.udp != n.tcp {
		b.WriteString("?discport=")
		b.WriteString(strconv.Itoa(int(n.udp)))
	}
	return b.String()
}

// v4EndpointRecord starts the unsigned record of a v4 node: its endpoint
// (zero ports left out) and identity scheme, to which the caller adds the key.
func v4EndpointRecord(ip netip.Addr, tcp, udp int) enr.Record {
	var r enr.Record
	switch {
	case ip.Is4():
		r.Set(enr.IPv4(ip))
	case ip.Is6():
		r.Set(enr.IPv6(ip))
	}
	if tcp != 0 {
		r.Set(enr.TCP(tcp))
	}
	if udp != 0 {
		r.Set(enr.UDP(udp))
	}
	r.Set(enr.ID("v4"))
	return r
}
