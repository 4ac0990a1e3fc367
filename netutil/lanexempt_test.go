package netutil

import (
	"net/netip"
	"testing"
)

func TestLANExemption(t *testing.T) {
	lan, pub := netip.MustParseAddr("10.1.2.3"), netip.MustParseAddr("8.8.8.8")
	lanSelf, pubSelf := netip.MustParseAddr("192.168.1.1"), netip.MustParseAddr("1.2.3.4")
	for _, tt := range []struct {
		e         LANExemption
		src, self netip.Addr
		want      bool
	}{
		{LANExemptAuto, lan, lanSelf, true},
		{LANExemptAuto, lan, netip.Addr{}, true},
		{LANExemptAuto, lan, pubSelf, false}, // a public node limits its LAN neighbours
		{LANExemptAuto, pub, lanSelf, false},
		{LANExemptAlways, lan, pubSelf, true},
		{LANExemptAlways, pub, pubSelf, false},
		{LANExemptNever, lan, lanSelf, false},
		{LANExemptNever, netip.MustParseAddr("127.0.0.1"), lanSelf, false},
	} {
		if got := tt.e.Exempt(tt.src, tt.self); got != tt.want {
			t.Errorf("%v.Exempt(%v, self %v) = %v, want %v", tt.e, tt.src, tt.self, got, tt.want)
		}
	}
	for _, e := range []LANExemption{LANExemptAuto, LANExemptAlways, LANExemptNever} {
		b, err := e.MarshalText()
		if err != nil {
			t.Fatal(err)
		}
		var back LANExemption
		if err := back.UnmarshalText(b); err != nil || back != e {
			t.Errorf("round trip of %v: %v, %v", e, back, err)
		}
	}
	var e LANExemption
	if err := e.UnmarshalText([]byte("sometimes")); err == nil {
		t.Error("invalid text accepted")
	}
}

func TestSubnet(t *testing.T) {
	for _, tt := range []struct {
		ip     string
		b4, b6 int
		want   string
	}{
		{"1.2.3.4", 24, 48, "1.2.3.0/24"},
		{"::ffff:1.2.3.4", 16, 48, "1.2.0.0/16"},
		{"2001:db8:1:2::5", 24, 48, "2001:db8:1::/48"},
		{"2001:db8:1:2::5", 24, 64, "2001:db8:1:2::/64"},
	} {
		if got := Subnet(netip.MustParseAddr(tt.ip), tt.b4, tt.b6); got.String() != tt.want {
			t.Errorf("Subnet(%s, %d, %d) = %v, want %s", tt.ip, tt.b4, tt.b6, got, tt.want)
		}
	}
	if Subnet(netip.Addr{}, 24, 48).IsValid() {
		t.Error("zero Addr has a subnet")
	}
	if a, b := HostKey(netip.MustParseAddr("2001:db8::1")), HostKey(netip.MustParseAddr("2001:db8::2")); a != b {
		t.Errorf("one /64, two host keys: %v %v", a, b)
	}
	if a, b := HostKey(netip.MustParseAddr("1.2.3.4")), HostKey(netip.MustParseAddr("1.2.3.5")); a == b {
		t.Error("two IPv4 hosts share a key")
	}
}
