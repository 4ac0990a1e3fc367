package netutil

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/netip"
	"strings"
)

// Netlist is a list of IP networks. The zero value and a nil *Netlist contain
// nothing.
type Netlist []netip.Prefix

// ParseNetlist parses a comma-separated list of CIDR prefixes, e.g.
// "10.0.0.0/8, 192.168.0.0/16". Whitespace around entries is ignored, empty
// entries are skipped. Prefixes are stored masked (10.1.2.3/8 becomes 10.0.0.0/8).
func ParseNetlist(s string) (*Netlist, error) {
	var l Netlist
	for entry := range strings.SplitSeq(s, ",") {
		entry = strings.TrimSpace(entry)
		if entry == "" {
			continue
		}
		if err := l.add(entry); err != nil {
			return nil, err
		}
	}
	return &l, nil
}

// MustParseNetlist is ParseNetlist for constants in code and tests; it panics
// on error.
func MustParseNetlist(s string) *Netlist {
	l, err := ParseNetlist(s)
	if err != nil {
		panic(err)
	}
	return l
}

func (l *Netlist) add(cidr string) error {
	p, err := netip.ParsePrefix(cidr)
	if err != nil {
		return fmt.Errorf("netlist: invalid CIDR %q: %w", cidr, err)
	}
	if p.Addr().Zone() != "" {
		return fmt.Errorf("netlist: CIDR %q has a zone", cidr)
	}
	if p.Addr().Is4In6() && p.Bits() >= 96 {
		// ::ffff:10.0.0.0/104 means 10.0.0.0/8: store the IPv4 form so that
		// Contains, which unmaps addresses, finds it.
		p = netip.PrefixFrom(p.Addr().Unmap(), p.Bits()-96)
	}
	*l = append(*l, p.Masked())
	return nil
}

// Add parses a CIDR prefix and appends it. It panics on a malformed prefix,
// so it is meant for constants; use ParseNetlist for input.
func (l *Netlist) Add(cidr string) {
	if err := l.add(cidr); err != nil {
		panic(err)
	}
}

// Contains reports whether ip is in one of the networks of l.
func (l *Netlist) Contains(ip netip.Addr) bool {
	if l == nil || !ip.IsValid() {
		return false
	}
	ip = ip.Unmap().WithZone("")
	for _, p := range *l {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}

// String returns the list in the form ParseNetlist reads.
func (l Netlist) String() string {
	var b strings.Builder
	for i, p := range l {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(p.String())
	}
	return b.String()
}

// MarshalText implements encoding.TextMarshaler (used by TOML libraries for
// string values and by flag/env parsing).
func (l Netlist) MarshalText() ([]byte, error) { return []byte(l.String()), nil }

// UnmarshalText implements encoding.TextUnmarshaler.
func (l *Netlist) UnmarshalText(text []byte) error {
	nl, err := ParseNetlist(string(text))
	if err != nil {
		return err
	}
	*l = *nl
	return nil
}

// strings returns the prefixes as a list of strings, the form config files
// hold.
func (l Netlist) strings() []string {
	list := make([]string, len(l))
	for i, p := range l {
		list[i] = p.String()
	}
	return list
}

// MarshalJSON encodes the list as a JSON array of CIDR strings.
func (l Netlist) MarshalJSON() ([]byte, error) { return json.Marshal(l.strings()) }

// UnmarshalJSON accepts a JSON array of CIDR strings or a single
// comma-separated string.
func (l *Netlist) UnmarshalJSON(data []byte) error {
	var list []string
	if err := json.Unmarshal(data, &list); err != nil {
		var s string
		if err2 := json.Unmarshal(data, &s); err2 != nil {
			return fmt.Errorf("netlist: want an array of CIDR strings or a string: %w", err)
		}
		return l.UnmarshalText([]byte(s))
	}
	return l.fromStrings(list)
}

func (l *Netlist) fromStrings(list []string) error {
	var nl Netlist
	for _, s := range list {
		if err := nl.add(strings.TrimSpace(s)); err != nil {
			return err
		}
	}
	*l = nl
	return nil
}

// MarshalTOML returns the list as a TOML array of CIDR strings
// (github.com/BurntSushi/toml's Marshaler interface).
func (l Netlist) MarshalTOML() ([]byte, error) {
	// A TOML array of basic strings has the same syntax as a JSON array of
	// strings for the characters a CIDR prefix can contain.
	return json.Marshal(l.strings())
}

var errNetlistTOML = errors.New("netlist: want an array of CIDR strings or a string")

// UnmarshalTOML accepts the decoded TOML value (github.com/BurntSushi/toml's
// Unmarshaler interface): an array of CIDR strings or one comma-separated
// string.
func (l *Netlist) UnmarshalTOML(v any) error {
	switch v := v.(type) {
	case string:
		return l.UnmarshalText([]byte(v))
	case []string:
		return l.fromStrings(v)
	case []any:
		list := make([]string, len(v))
		for i, e := range v {
			s, ok := e.(string)
			if !ok {
				return errNetlistTOML
			}
			list[i] = s
		}
		return l.fromStrings(list)
	default:
		return errNetlistTOML
	}
}
