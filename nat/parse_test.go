package nat

import (
	"errors"
	"net"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	good := []struct{ spec, str string }{
		{"any", "any"},
		{"ANY", "any"},
		{"upnp", "upnp"},
		{"pmp", "pmp"},
		{"pmp:192.168.1.1", "pmp:192.168.1.1"},
		{"extip:1.2.3.4", "extip:1.2.3.4"},
		{" extip:2001:db8::1 ", "extip:2001:db8::1"},
		{"extip:::ffff:1.2.3.4", "extip:1.2.3.4"},
		{"stun", "stun"},
		{"stun:127.0.0.1:3478", "stun:127.0.0.1:3478"},
		{"stun:stun.example.org:3478", "stun:stun.example.org:3478"},
	}
	for _, tt := range good {
		n, err := Parse(tt.spec)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.spec, err)
			continue
		}
		if n.String() != tt.str {
			t.Errorf("Parse(%q).String() = %q, want %q", tt.spec, n.String(), tt.str)
		}
	}
	for _, spec := range []string{"", "none", "NONE"} {
		if n, err := Parse(spec); n != nil || err != nil {
			t.Errorf("Parse(%q) = %v, %v; want nil, nil", spec, n, err)
		}
	}
}

func TestParseBad(t *testing.T) {
	bad := []struct{ spec, want string }{
		{"foo", `unknown mechanism "foo"`},
		{"extip:notanip", `"notanip" is not an IP address`},
		{"extip", "extip needs an address"},
		{"extip:", "empty value"},
		{"extip:0.0.0.0", "cannot be an external address"},
		{"extip:224.0.0.1", "cannot be an external address"},
		{"pmp:router", `"router" is not an IP address`},
		{"stun:nohostport", "STUN server must be host:port"},
		{"upnp:1.2.3.4", "upnp takes no value"},
		{"none:x", "none takes no value"},
		{"any:1", "any takes no value"},
	}
	for _, tt := range bad {
		n, err := Parse(tt.spec)
		if err == nil {
			t.Errorf("Parse(%q) = %v, want error", tt.spec, n)
			continue
		}
		if !errors.Is(err, ErrBadSpec) {
			t.Errorf("Parse(%q) error %v is not ErrBadSpec", tt.spec, err)
		}
		if !strings.Contains(err.Error(), tt.want) || !strings.Contains(err.Error(), tt.spec) {
			t.Errorf("Parse(%q) error %q should mention %q and the spec", tt.spec, err, tt.want)
		}
	}
}

func TestExtIP(t *testing.T) {
	n := ExtIP(net.ParseIP("1.2.3.4"))
	ip, err := n.ExternalIP()
	if err != nil || !ip.Equal(net.ParseIP("1.2.3.4")) {
		t.Fatalf("ExternalIP = %v, %v", ip, err)
	}
	if p, err := n.AddMapping("tcp", 30303, 30303, "x", time.Minute); p != 30303 || err != nil {
		t.Fatalf("AddMapping = %d, %v", p, err)
	}
	if _, err := n.AddMapping("sctp", 30303, 30303, "x", time.Minute); err == nil {
		t.Fatal("AddMapping accepted protocol sctp")
	}
	if err := n.DeleteMapping("tcp", 30303, 30303); err != nil {
		t.Fatal(err)
	}
}

func TestLifetimeSeconds(t *testing.T) {
	for _, tt := range []struct {
		d    time.Duration
		want uint32
	}{
		{-time.Second, 0}, {0, 0}, {1500 * time.Millisecond, 1}, {20 * time.Minute, 1200},
		{200 * 365 * 24 * time.Hour, 1<<32 - 1},
	} {
		if got := lifetimeSeconds(tt.d); got != tt.want {
			t.Errorf("lifetimeSeconds(%v) = %d, want %d", tt.d, got, tt.want)
		}
	}
}
