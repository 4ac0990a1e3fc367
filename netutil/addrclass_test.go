package netutil

import (
	"errors"
	"net/netip"
	"testing"
)

func TestIsLAN(t *testing.T) {
	for ip, want := range map[string]bool{
		"127.0.0.1":          true,
		"10.0.1.1":           true,
		"172.16.0.1":         true,
		"172.32.0.1":         false,
		"192.168.1.1":        true,
		"100.64.0.1":         true,
		"169.254.1.1":        true,
		"::1":                true,
		"fe80::1":            true,
		"fe80::1%eth0":       true,
		"fd00::1":            true,
		"::ffff:192.168.1.1": true,
		"8.8.8.8":            false,
		"2a00:1450::1":       false,
		"::ffff:8.8.8.8":     false,
	} {
		if got := IsLAN(netip.MustParseAddr(ip)); got != want {
			t.Errorf("IsLAN(%s) = %v, want %v", ip, got, want)
		}
	}
	if IsLAN(netip.Addr{}) {
		t.Error("zero Addr is LAN")
	}
}

func TestIsSpecialNetwork(t *testing.T) {
	for ip, want := range map[string]bool{
		"0.0.0.0":           true,
		"0.1.2.3":           true,
		"192.0.2.1":         true,
		"198.51.100.1":      true,
		"203.0.113.7":       true,
		"198.19.0.1":        true,
		"224.0.0.1":         true,
		"239.255.255.250":   true,
		"240.0.0.1":         true,
		"255.255.255.255":   true,
		"::ffff:192.0.2.1":  true,
		"::":                true,
		"2001:db8::1":       true,
		"2001::1":           true,
		"2002::1":           true,
		"ff02::1":           true,
		"100::1":            true,
		"3fff::1":           true,
		"8.8.8.8":           false,
		"10.0.0.1":          false, // LAN, not special
		"127.0.0.1":         false,
		"2a00:1450:4001::1": false,
		"64:ff9b::808:808":  false, // NAT64, globally reachable
		"192.31.196.1":      false,
	} {
		if got := IsSpecialNetwork(netip.MustParseAddr(ip)); got != want {
			t.Errorf("IsSpecialNetwork(%s) = %v, want %v", ip, got, want)
		}
	}
}

func TestCheckRelayAddr(t *testing.T) {
	tests := []struct {
		sender, addr string
		want         error
	}{
		{"127.0.0.1", "0.0.0.0", ErrUnspecified},
		{"192.168.0.1", "0.0.0.0", ErrUnspecified},
		{"23.55.1.242", "0.0.0.0", ErrUnspecified},
		{"23.55.1.242", "::", ErrUnspecified},
		{"127.0.0.1", "255.255.255.255", ErrSpecial},
		{"192.168.0.1", "255.255.255.255", ErrSpecial},
		{"23.55.1.242", "255.255.255.255", ErrSpecial},
		{"23.55.1.242", "192.0.2.1", ErrSpecial},
		{"23.55.1.242", "2001:db8::1", ErrSpecial},
		{"192.168.0.1", "127.0.2.19", ErrLoopback},
		{"23.55.1.242", "127.0.2.19", ErrLoopback},
		{"23.55.1.242", "::1", ErrLoopback},
		{"23.55.1.242", "192.168.0.1", ErrLAN},
		{"23.55.1.242", "::ffff:192.168.0.1", ErrLAN},
		{"2a00:1450::1", "fd00::1", ErrLAN},
		{"127.0.0.1", "127.0.2.19", nil},
		{"127.0.0.1", "192.168.0.1", nil},
		{"192.168.0.1", "192.168.0.1", nil},
		{"192.168.0.1", "10.0.0.1", nil},
		{"127.0.0.1", "23.55.1.242", nil},
		{"192.168.0.1", "23.55.1.242", nil},
		{"23.55.1.242", "23.55.1.242", nil},
		{"23.55.1.242", "2a00:1450::1", nil},
	}
	for _, tt := range tests {
		err := CheckRelayAddr(netip.MustParseAddr(tt.sender), netip.MustParseAddr(tt.addr))
		if !errors.Is(err, tt.want) {
			t.Errorf("CheckRelayAddr(%s, %s) = %v, want %v", tt.sender, tt.addr, err, tt.want)
		}
	}
	if err := CheckRelayAddr(netip.MustParseAddr("1.2.3.4"), netip.Addr{}); err != ErrInvalidAddr {
		t.Errorf("zero addr: %v", err)
	}
	// An invalid sender is treated as a WAN host: nothing local is relayed.
	if err := CheckRelayAddr(netip.Addr{}, netip.MustParseAddr("10.0.0.1")); err != ErrLAN {
		t.Errorf("zero sender: %v", err)
	}
}
