package enode

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/big"
	"net"
	"net/netip"

	"github.com/devp2p-go/devp2p/enr"
)

// Node is a node of the network: its record and the values derived from it.
// A Node is immutable; methods that "change" it return a new Node.
type Node struct {
	r        enr.Record
	id       ID
	pubkey   *ecdsa.PublicKey // nil unless the record has a valid secp256k1 entry
	hostname string           // DNS name from an enode URL, unresolved

	// The endpoint chosen from the record's ip/ip6 entries (see setIP).
	ip       netip.Addr
	tcp, udp uint16
}

var errBadNodeAddr = errors.New("invalid node address from identity scheme")

// New verifies r's signature under validSchemes and returns the node it
// describes. A "v4" record verified before is not verified again (see
// nodecache.go).
func New(validSchemes enr.IdentityScheme, r *enr.Record) (*Node, error) {
	if usesV4(validSchemes, r) {
		digest, signed := recordDigest(r)
		if signed {
			if n, ok := verifiedRecords.get(digest); ok {
				return n, nil
			}
		}
		if err := r.VerifySignature(validSchemes); err != nil {
			return nil, err
		}
		// Fast path for the common scheme: parse the public key once and
		// derive the ID from it, instead of once in NodeAddr and again for
		// the Node.
		var pub Secp256k1
		if err := r.Load(&pub); err != nil {
			return nil, errNoPubkey
		}
		n := &Node{r: *r, pubkey: (*ecdsa.PublicKey)(&pub)}
		n.id = PubkeyToIDV4(n.pubkey)
		n.setIP()
		if signed {
			verifiedRecords.add(digest, n)
		}
		return n, nil
	}
	if err := r.VerifySignature(validSchemes); err != nil {
		return nil, err
	}
	var id ID
	addr := validSchemes.NodeAddr(r)
	if len(addr) != len(id) {
		return nil, errBadNodeAddr
	}
	copy(id[:], addr)
	return newNodeWithID(r, id), nil
}

// usesV4 reports whether validSchemes verifies r with the standard "v4"
// scheme.
func usesV4(validSchemes enr.IdentityScheme, r *enr.Record) bool {
	switch s := validSchemes.(type) {
	case V4ID:
		return true
	case enr.SchemeMap:
		_, ok := s[r.IdentityScheme()].(V4ID)
		return ok
	}
	return false
}

// newNodeWithID makes a node without verifying the record.
func newNodeWithID(r *enr.Record, id ID) *Node {
	n := &Node{r: *r, id: id}
	var pub Secp256k1
	if r.Load(&pub) == nil {
		n.pubkey = (*ecdsa.PublicKey)(&pub)
	}
	n.setIP()
	return n
}

// setIP picks the node's endpoint from the "ip" and "ip6" entries: the more
// global of the two (see locality), IPv4 on a tie. Multicast addresses are
// ignored. IPv6 ports default to the IPv4 ones (the ENR spec). This is the
// choice go-ethereum makes too, so both stacks dial the same address.
func (n *Node) setIP() { n.setIPIn(BothFamilies) }

// setIPIn is setIP with the choice limited to the families f.
func (n *Node) setIPIn(f Families) {
	var (
		ip4  enr.IPv4
		ip6  enr.IPv6
		tcp  enr.TCP
		udp  enr.UDP
		tcp6 enr.TCP6
		udp6 enr.UDP6
	)
	n.r.Load(&tcp)
	n.r.Load(&udp)
	n.tcp, n.udp = uint16(tcp), uint16(udp)
	var a4, a6 netip.Addr
	if n.r.Load(&ip4) == nil && !ip4.Addr().IsMulticast() {
		a4 = ip4.Addr()
	}
	if n.r.Load(&ip6) == nil && !ip6.Addr().IsMulticast() {
		a6 = ip6.Addr()
		if a6.Is4In6() {
			// An IPv4 address in the ip6 entry is used as IPv4, with the
			// IPv4 ports.
			if !a4.IsValid() {
				a4 = a6.Unmap()
			}
			a6 = netip.Addr{}
		}
	}
	if !f.Has(FamilyV4) {
		a4 = netip.Addr{}
	}
	if !f.Has(FamilyV6) {
		a6 = netip.Addr{}
	}
	switch {
	case a6.IsValid() && (!a4.IsValid() || locality(a6) > locality(a4)):
		n.ip = a6
		if n.r.Load(&tcp6) == nil {
			n.tcp = uint16(tcp6)
		}
		if n.r.Load(&udp6) == nil {
			n.udp = uint16(udp6)
		}
	case a4.IsValid():
		n.ip = a4
	}
}

// ForFamilies returns n with its endpoint chosen among the address
// families f, for a socket that can reach only those: n itself when its
// endpoint is in f (or it has no IP, as a node named by hostname), a copy
// that uses the record's address of the other family when that one is in f,
// and nil when the record has no address in f.
func (n *Node) ForFamilies(f Families) *Node {
	if !n.ip.IsValid() || f.Contains(n.ip) {
		return n
	}
	cpy := *n
	cpy.ip, cpy.tcp, cpy.udp = netip.Addr{}, 0, 0
	cpy.setIPIn(f)
	if !cpy.ip.IsValid() {
		return nil
	}
	return &cpy
}

// locality ranks how widely an address is reachable: unspecified 0,
// loopback 1, link-local 2, private 3, anything else 4.
func locality(ip netip.Addr) int {
	switch {
	case ip.IsUnspecified():
		return 0
	case ip.IsLoopback():
		return 1
	case ip.IsLinkLocalUnicast():
		return 2
	case ip.IsPrivate():
		return 3
	default:
		return 4
	}
}

// ID returns the node ID.
func (n *Node) ID() ID { return n.id }

// Seq returns the record's sequence number.
func (n *Node) Seq() uint64 { return n.r.Seq() }

// Record returns a copy of the node's record; changing it does not change n.
func (n *Node) Record() *enr.Record {
	cpy := n.r
	return &cpy
}

// Load decodes the entry k from the record.
func (n *Node) Load(k enr.Entry) error { return n.r.Load(k) }

// Pubkey returns the secp256k1 public key, nil if the record has none.
func (n *Node) Pubkey() *ecdsa.PublicKey {
	if n.pubkey == nil {
		return nil
	}
	return copyPubkey(n.pubkey)
}

// copyPubkey returns a deep copy of pub: nodes share parsed keys (see
// nodecache.go), so a caller's changes to the big.Ints must not reach them.
func copyPubkey(pub *ecdsa.PublicKey) *ecdsa.PublicKey {
	return &ecdsa.PublicKey{Curve: pub.Curve, X: new(big.Int).Set(pub.X), Y: new(big.Int).Set(pub.Y)}
}

// IPAddr returns the node's IP address; the zero Addr if it has none.
func (n *Node) IPAddr() netip.Addr { return n.ip }

// IP returns the node's IP address as a net.IP (4 bytes for IPv4), nil if it
// has none.
func (n *Node) IP() net.IP {
	if !n.ip.IsValid() {
		return nil
	}
	return net.IP(n.ip.AsSlice())
}

// TCP returns the TCP port, 0 if none.
func (n *Node) TCP() int { return int(n.tcp) }

// UDP returns the UDP port, 0 if none.
func (n *Node) UDP() int { return int(n.udp) }

// Hostname returns the DNS name of a node parsed from an enode URL with a
// name instead of an IP, "" otherwise.
func (n *Node) Hostname() string { return n.hostname }

// UDPEndpoint returns the UDP endpoint, if the node has an IP and UDP port.
func (n *Node) UDPEndpoint() (netip.AddrPort, bool) {
	if !n.ip.IsValid() || n.ip.IsUnspecified() || n.udp == 0 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(n.ip, n.udp), true
}

// TCPEndpoint returns the TCP endpoint, if the node has an IP and TCP port.
func (n *Node) TCPEndpoint() (netip.AddrPort, bool) {
	if !n.ip.IsValid() || n.ip.IsUnspecified() || n.tcp == 0 {
		return netip.AddrPort{}, false
	}
	return netip.AddrPortFrom(n.ip, n.tcp), true
}

// Incomplete reports whether the node has no IP address.
func (n *Node) Incomplete() bool { return !n.ip.IsValid() }

var (
	errMissingIP      = errors.New("missing IP address")
	errMissingUDP     = errors.New("missing UDP port")
	errMissingTCP     = errors.New("missing TCP port")
	errInvalidIP      = errors.New("invalid IP (multicast/unspecified)")
	errMissingPubkey  = errors.New("missing or invalid public key")
	errNoHostResolved = errors.New("host name resolved to no address")
)

// ValidateComplete checks that the node has a usable IP, UDP and TCP ports
// and a valid public key.
func (n *Node) ValidateComplete() error {
	switch {
	case !n.ip.IsValid():
		return errMissingIP
	case n.ip.IsMulticast() || n.ip.IsUnspecified():
		return errInvalidIP
	case n.udp == 0:
		return errMissingUDP
	case n.tcp == 0:
		return errMissingTCP
	}
	var key Secp256k1
	if err := n.r.Load(&key); err != nil {
		return errMissingPubkey
	}
	return nil
}

// String returns the "enr:" text form of a signed node and the enode URL of
// an unsigned one (made by NewV4 or ParseV4).
func (n *Node) String() string {
	if len(n.r.Signature()) == 0 {
		return n.URLv4()
	}
	text, err := n.r.Text()
	if err != nil {
		return n.URLv4()
	}
	return text
}

// Format implements fmt.Formatter: %x prints the ID, %v and %s the String.
func (n *Node) Format(s fmt.State, verb rune) {
	switch verb {
	case 'x':
		fmt.Fprintf(s, "%x", n.id[:])
	default:
		fmt.Fprint(s, n.String())
	}
}

// WithHostname returns a copy of n carrying a DNS name (see ParseV4).
func (n *Node) WithHostname(host string) *Node {
	cpy := *n
	cpy.hostname = host
	return &cpy
}

// Resolver looks up host names; *net.Resolver implements it.
type Resolver interface {
	LookupNetIP(ctx context.Context, network, host string) ([]netip.Addr, error)
}

// Resolve looks up the node's host name and returns a node with the IP
// (IPv4 preferred) and the same ports. A node without a host name is
// returned as is. The caller bounds the lookup with ctx.
func (n *Node) Resolve(ctx context.Context, r Resolver) (*Node, error) {
	if n.hostname == "" {
		return n, nil
	}
	if r == nil {
		r = net.DefaultResolver
	}
	addrs, err := r.LookupNetIP(ctx, "ip", n.hostname)
	if err != nil {
		return nil, fmt.Errorf("resolve %s: %w", n.hostname, err)
	}
	var ip netip.Addr
	for _, a := range addrs {
		a = a.Unmap()
		if a.Is4() {
			ip = a
			break
		}
		if !ip.IsValid() {
			ip = a.WithZone("")
		}
	}
	if !ip.IsValid() {
		return nil, fmt.Errorf("resolve %s: %w", n.hostname, errNoHostResolved)
	}
	if n.pubkey == nil {
		return nil, errMissingPubkey
	}
	resolved := newV4Addr(n.pubkey, ip, int(n.tcp), int(n.udp))
	resolved.hostname = n.hostname
	return resolved, nil
}

// MarshalText implements encoding.TextMarshaler: the String form.
func (n *Node) MarshalText() ([]byte, error) { return []byte(n.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler, accepting what Parse
// accepts with ValidSchemes.
func (n *Node) UnmarshalText(text []byte) error {
	dec, err := Parse(ValidSchemes, string(text))
	if err != nil {
		return err
	}
	*n = *dec
	return nil
}
