package enr

import (
	"errors"
	"fmt"
	"io"
	"net/netip"

	"github.com/devp2p-go/devp2p/rlp"
)

// Entry is a typed key/value pair of a record. Set encodes the entry with
// package rlp; Load decodes the stored value into it, so the entry passed to
// Load must be a pointer (Generic carries its own pointer in Value).
type Entry interface {
	ENRKey() string
}

// Generic is an entry with any key and any RLP-encodable value, for keys this
// package does not define (e.g. "eth", "snap"). To load it, Value must be a
// pointer to the destination.
type Generic struct {
	Key   string
	Value any
}

// ENRKey implements Entry.
func (g Generic) ENRKey() string { return g.Key }

// EncodeRLP implements rlp.Encoder by encoding Value.
func (g Generic) EncodeRLP(w io.Writer) error { return rlp.Encode(w, g.Value) }

// ID is the name of the identity scheme ("v4").
type ID string

// ENRKey implements Entry.
func (ID) ENRKey() string { return "id" }

// TCP is the "tcp" entry: the TCP port of the node's IPv4 address (and of its
// IPv6 address if there is no "tcp6").
type TCP uint16

// ENRKey implements Entry.
func (TCP) ENRKey() string { return "tcp" }

// UDP is the "udp" entry: the UDP port of the node's IPv4 address (and of its
// IPv6 address if there is no "udp6").
type UDP uint16

// ENRKey implements Entry.
func (UDP) ENRKey() string { return "udp" }

// TCP6 is the "tcp6" entry: the TCP port of the node's IPv6 address.
type TCP6 uint16

// ENRKey implements Entry.
func (TCP6) ENRKey() string { return "tcp6" }

// UDP6 is the "udp6" entry: the UDP port of the node's IPv6 address.
type UDP6 uint16

// ENRKey implements Entry.
func (UDP6) ENRKey() string { return "udp6" }

// IPv4 is the "ip" entry: a 4-byte IPv4 address. An IPv4-mapped IPv6 address
// is stored in its 4-byte form.
type IPv4 netip.Addr

// ENRKey implements Entry.
func (IPv4) ENRKey() string { return "ip" }

// Addr returns the address.
func (v IPv4) Addr() netip.Addr { return netip.Addr(v) }

// EncodeRLP implements rlp.Encoder.
func (v IPv4) EncodeRLP(w io.Writer) error {
	ip := netip.Addr(v).Unmap()
	if !ip.Is4() {
		return fmt.Errorf("enr: invalid IPv4 address %v", netip.Addr(v))
	}
	b := ip.As4()
	_, err := w.Write(append([]byte{0x80 + 4}, b[:]...))
	return err
}

// DecodeRLP implements rlp.Decoder.
func (v *IPv4) DecodeRLP(s *rlp.Stream) error {
	var b [4]byte
	if err := s.ReadBytes(b[:]); err != nil {
		return fmt.Errorf("invalid IPv4 address: %w", err)
	}
	*v = IPv4(netip.AddrFrom4(b))
	return nil
}

// IPv6 is the "ip6" entry: a 16-byte IPv6 address.
type IPv6 netip.Addr

// ENRKey implements Entry.
func (IPv6) ENRKey() string { return "ip6" }

// Addr returns the address.
func (v IPv6) Addr() netip.Addr { return netip.Addr(v) }

// EncodeRLP implements rlp.Encoder.
func (v IPv6) EncodeRLP(w io.Writer) error {
	ip := netip.Addr(v)
	if !ip.Is6() || ip.Is4In6() {
		return fmt.Errorf("enr: invalid IPv6 address %v", ip)
	}
	b := ip.As16()
	_, err := w.Write(append([]byte{0x80 + 16}, b[:]...))
	return err
}

// DecodeRLP implements rlp.Decoder.
func (v *IPv6) DecodeRLP(s *rlp.Stream) error {
	var b [16]byte
	if err := s.ReadBytes(b[:]); err != nil {
		return fmt.Errorf("invalid IPv6 address: %w", err)
	}
	*v = IPv6(netip.AddrFrom16(b))
	return nil
}

// errNotFound is wrapped by KeyError when a key is missing.
var errNotFound = errors.New("no such key in record")

// KeyError is returned by Load for a missing key or an undecodable value.
type KeyError struct {
	Key string
	Err error
}

func (err *KeyError) Error() string {
	if err.Err == errNotFound {
		return fmt.Sprintf("missing ENR key %q", err.Key)
	}
	return fmt.Sprintf("ENR key %q: %v", err.Key, err.Err)
}

func (err *KeyError) Unwrap() error { return err.Err }

// IsNotFound reports whether err says that a key is not in the record.
func IsNotFound(err error) bool {
	var ke *KeyError
	return errors.As(err, &ke) && ke.Err == errNotFound
}
