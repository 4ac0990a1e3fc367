package netutil

import (
	"encoding/json"
	"net/netip"
	"testing"
)

func TestParseNetlist(t *testing.T) {
	tests := []struct {
		in      string
		want    string
		wantErr bool
	}{
		{in: "", want: ""},
		{in: "10.0.0.0/8", want: "10.0.0.0/8"},
		{in: " 10.1.2.3/8 ,, 192.168.0.0/16 ", want: "10.0.0.0/8, 192.168.0.0/16"},
		{in: "2001:db8::/32,127.0.0.0/8", want: "2001:db8::/32, 127.0.0.0/8"},
		{in: "::ffff:10.0.0.0/104", want: "10.0.0.0/8"},
		{in: "10.0.0.0", wantErr: true},
		{in: "10.0.0.0/33", wantErr: true},
		{in: "fe80::%eth0/64", wantErr: true},
		{in: "foo/8", wantErr: true},
	}
	for _, tt := range tests {
		l, err := ParseNetlist(tt.in)
		if tt.wantErr {
			if err == nil {
				t.Errorf("ParseNetlist(%q): want error, got %v", tt.in, l)
			}
			continue
		}
		if err != nil {
			t.Errorf("ParseNetlist(%q): %v", tt.in, err)
			continue
		}
		if got := l.String(); got != tt.want {
			t.Errorf("ParseNetlist(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestNetlistContains(t *testing.T) {
	l := MustParseNetlist("10.0.0.0/8, 2001:db8::/32")
	for ip, want := range map[string]bool{
		"10.1.2.3":        true,
		"::ffff:10.1.2.3": true,
		"11.0.0.1":        false,
		"2001:db8::1":     true,
		"2001:db9::1":     false,
		"fe80::1%eth0":    false,
	} {
		if got := l.Contains(netip.MustParseAddr(ip)); got != want {
			t.Errorf("Contains(%s) = %v, want %v", ip, got, want)
		}
	}
	var nilList *Netlist
	if nilList.Contains(netip.MustParseAddr("10.0.0.1")) {
		t.Error("nil list contains an address")
	}
	if l.Contains(netip.Addr{}) {
		t.Error("list contains the zero Addr")
	}
}

func TestNetlistMarshal(t *testing.T) {
	l := MustParseNetlist("10.0.0.0/8,192.168.0.0/16")
	// JSON round trip, array form.
	enc, err := json.Marshal(l)
	if err != nil {
		t.Fatal(err)
	}
	if string(enc) != `["10.0.0.0/8","192.168.0.0/16"]` {
		t.Fatalf("JSON: %s", enc)
	}
	var back Netlist
	if err := json.Unmarshal(enc, &back); err != nil || back.String() != l.String() {
		t.Fatalf("JSON round trip: %v %v", back, err)
	}
	// JSON string form.
	if err := json.Unmarshal([]byte(`"127.0.0.0/8"`), &back); err != nil || back.String() != "127.0.0.0/8" {
		t.Fatalf("JSON string: %v %v", back, err)
	}
	if err := json.Unmarshal([]byte(`[1]`), &back); err == nil {
		t.Fatal("JSON number accepted")
	}
	// Text.
	txt, _ := l.MarshalText()
	if err := back.UnmarshalText(txt); err != nil || back.String() != l.String() {
		t.Fatalf("text round trip: %v %v", back, err)
	}
	// TOML (decoded values as a TOML library hands them over).
	tomlEnc, _ := l.MarshalTOML()
	if string(tomlEnc) != `["10.0.0.0/8","192.168.0.0/16"]` {
		t.Fatalf("TOML: %s", tomlEnc)
	}
	for _, v := range []any{[]any{"10.0.0.0/8", "192.168.0.0/16"}, []string{"10.0.0.0/8", "192.168.0.0/16"}, "10.0.0.0/8, 192.168.0.0/16"} {
		var got Netlist
		if err := got.UnmarshalTOML(v); err != nil || got.String() != l.String() {
			t.Errorf("UnmarshalTOML(%#v) = %v, %v", v, got, err)
		}
	}
	for _, v := range []any{5, []any{"10.0.0.0/8", 5}, []any{"bad"}} {
		var got Netlist
		if err := got.UnmarshalTOML(v); err == nil {
			t.Errorf("UnmarshalTOML(%#v) accepted", v)
		}
	}
}
