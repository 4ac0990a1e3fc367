package netutil

import (
	"fmt"
	"net/netip"
)

// LANExemption says whether LAN and loopback sources are exempt from the
// per-IP and per-subnet limits of the table, the dialer and the Server.
//
// Exempting them is right for a node on a private network: a devnet puts
// many nodes on one address, and nodes behind one NAT share a subnet. It is
// wrong for a node with a public address: there a LAN source is an attacker
// next door (same data centre, same VPN), and if every limit skips it, one
// host on a private /16 can take all of our peers and table entries.
type LANExemption uint8

const (
	// LANExemptAuto (the zero value) exempts LAN sources only while our own
	// address is a LAN address too; a node with a public address applies
	// every limit to every source.
	LANExemptAuto LANExemption = iota
	// LANExemptAlways exempts LAN sources whatever our own address is: for
	// a public node that also serves a trusted private network.
	LANExemptAlways
	// LANExemptNever applies every limit to LAN sources too, also on a
	// private network.
	LANExemptNever
)

// Exempt reports whether the limits skip src, given our own address self
// (the zero Addr when unknown, which counts as not public).
func (e LANExemption) Exempt(src, self netip.Addr) bool {
	if !IsLAN(src) {
		return false
	}
	switch e {
	case LANExemptAlways:
		return true
	case LANExemptNever:
		return false
	}
	return !self.IsValid() || IsLAN(self)
}

func (e LANExemption) String() string {
	switch e {
	case LANExemptAuto:
		return "auto"
	case LANExemptAlways:
		return "always"
	case LANExemptNever:
		return "never"
	}
	return fmt.Sprintf("LANExemption(%d)", uint8(e))
}

// MarshalText writes "auto", "always" or "never".
func (e LANExemption) MarshalText() ([]byte, error) {
	if e > LANExemptNever {
		return nil, fmt.Errorf("invalid LAN exemption %d", uint8(e))
	}
	return []byte(e.String()), nil
}

// UnmarshalText reads "auto" (or ""), "always" or "never".
func (e *LANExemption) UnmarshalText(b []byte) error {
	switch string(b) {
	case "", "auto":
		*e = LANExemptAuto
	case "always":
		*e = LANExemptAlways
	case "never":
		*e = LANExemptNever
	default:
		return fmt.Errorf("invalid LAN exemption %q (want auto, always or never)", b)
	}
	return nil
}
