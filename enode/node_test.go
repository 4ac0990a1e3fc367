package enode

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enr"
)

func TestNodeEndpoints(t *testing.T) {
	key, _ := crypto.GenerateKey()
	sign := func(entries ...enr.Entry) *Node {
		var r enr.Record
		for _, e := range entries {
			r.Set(e)
		}
		if err := SignV4(&r, key); err != nil {
			t.Fatal(err)
		}
		n, err := New(ValidSchemes, &r)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
	ip4 := enr.IPv4(netip.MustParseAddr("1.2.3.4"))
	lan4 := enr.IPv4(netip.MustParseAddr("192.168.1.1"))
	ip6 := enr.IPv6(netip.MustParseAddr("2a00:1450::1"))
	tests := []struct {
		name     string
		n        *Node
		ip       string
		tcp, udp int
	}{
		{"v4", sign(ip4, enr.TCP(1), enr.UDP(2)), "1.2.3.4", 1, 2},
		{"v6 falls back to tcp/udp", sign(ip6, enr.TCP(1), enr.UDP(2)), "2a00:1450::1", 1, 2},
		{"v6 own ports", sign(ip6, enr.TCP(1), enr.UDP(2), enr.TCP6(3), enr.UDP6(4)), "2a00:1450::1", 3, 4},
		{"both: v4 wins", sign(ip4, ip6, enr.TCP(1), enr.UDP(2), enr.UDP6(4)), "1.2.3.4", 1, 2},
		{"LAN v4 loses to global v6", sign(lan4, ip6, enr.TCP(1), enr.UDP(2), enr.UDP6(4)), "2a00:1450::1", 1, 4},
		{"no IP", sign(enr.TCP(1)), "", 1, 0},
		{"multicast v4 ignored", sign(enr.IPv4(netip.MustParseAddr("224.0.0.1")), ip6, enr.TCP(1), enr.UDP(2)), "2a00:1450::1", 1, 2},
		{"loopback v6 loses to LAN v4", sign(lan4, enr.IPv6(netip.MustParseAddr("::1")), enr.TCP(1), enr.UDP(2), enr.UDP6(4)), "192.168.1.1", 1, 2},
		{"4in6 in ip6 is IPv4", sign(enr.Generic{Key: "ip6", Value: netip.MustParseAddr("::ffff:1.2.3.4").AsSlice()}, enr.TCP(1), enr.UDP(2), enr.UDP6(4)), "1.2.3.4", 1, 2},
	}
	for _, tt := range tests {
		n := tt.n
		if tt.ip == "" {
			if n.IPAddr().IsValid() || n.IP() != nil {
				t.Errorf("%s: IP %v", tt.name, n.IPAddr())
			}
			if _, ok := n.UDPEndpoint(); ok {
				t.Errorf("%s: has UDP endpoint", tt.name)
			}
		} else if n.IPAddr() != netip.MustParseAddr(tt.ip) {
			t.Errorf("%s: IP %v, want %s", tt.name, n.IPAddr(), tt.ip)
		}
		if n.TCP() != tt.tcp || n.UDP() != tt.udp {
			t.Errorf("%s: ports %d/%d, want %d/%d", tt.name, n.TCP(), n.UDP(), tt.tcp, tt.udp)
		}
		if n.ID() != PubkeyToIDV4(&key.PublicKey) {
			t.Errorf("%s: ID", tt.name)
		}
	}
	n := tests[0].n
	if ep, ok := n.UDPEndpoint(); !ok || ep.String() != "1.2.3.4:2" {
		t.Error("UDPEndpoint", ep)
	}
	if ep, ok := n.TCPEndpoint(); !ok || ep.String() != "1.2.3.4:1" {
		t.Error("TCPEndpoint", ep)
	}
	if len(n.IP()) != 4 {
		t.Error("IP() not 4 bytes for IPv4")
	}
	if err := n.ValidateComplete(); err != nil {
		t.Error(err)
	}
	if err := tests[5].n.ValidateComplete(); err == nil {
		t.Error("incomplete node validated")
	}
	if !strings.HasPrefix(n.String(), "enr:") {
		t.Error("signed node String:", n.String())
	}
	// Record returns a copy.
	r := n.Record()
	r.Set(enr.UDP(99))
	if n.UDP() != 2 || n.Record().Signature() == nil {
		t.Error("Record() shares state")
	}
}

func TestNewRejectsBadRecords(t *testing.T) {
	key, _ := crypto.GenerateKey()
	var r enr.Record
	r.Set(enr.UDP(1))
	if err := SignV4(&r, key); err != nil {
		t.Fatal(err)
	}
	// Tampered content: change the seq, keep the signature.
	tampered := r
	sig := r.Signature()
	tampered.SetSeq(7)
	if err := tampered.SetSig(V4ID{}, sig); !errors.Is(err, enr.ErrInvalidSig) {
		t.Fatalf("tampered record: %v", err)
	}
	// Unknown scheme.
	var other enr.Record
	other.Set(enr.ID("v5"))
	other.SetSig(v4CompatID{}, []byte{})
	if _, err := New(ValidSchemes, &other); !errors.Is(err, enr.ErrUnknownScheme) {
		t.Fatalf("unknown scheme: %v", err)
	}
	// Wrong signature length.
	if err := (V4ID{}).Verify(&r, sig[:63]); !errors.Is(err, enr.ErrInvalidSig) {
		t.Fatalf("63-byte sig: %v", err)
	}
}

func TestSignNull(t *testing.T) {
	id := HexID("a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7")
	var r enr.Record
	r.Set(enr.IPv4(netip.MustParseAddr("10.0.0.1")))
	n := SignNull(&r, id)
	if n.ID() != id || n.IPAddr().String() != "10.0.0.1" {
		t.Fatal(n.ID(), n.IPAddr())
	}
	n2, err := New(ValidSchemesForTesting, n.Record())
	if err != nil || n2.ID() != id {
		t.Fatal(err)
	}
	if _, err := New(ValidSchemes, n.Record()); err == nil {
		t.Fatal("null scheme accepted by ValidSchemes")
	}
}

func TestParseV4Extra(t *testing.T) {
	const pub = "1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace24351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439"
	valid := map[string]string{
		"enode://" + pub + "@[::ffff:1.2.3.4]:3":         "enode://" + pub + "@1.2.3.4:3",
		"enode://" + strings.ToUpper(pub) + "@1.2.3.4:3": "enode://" + pub + "@1.2.3.4:3",
		"enode://" + pub + "@node-1.example.org:30303":   "enode://" + pub + "@node-1.example.org:30303",
		"enode://" + pub + "@1.2.3.4:30303?discport=0":   "enode://" + pub + "@1.2.3.4:30303?discport=0",
		"enode://" + pub + "@my_host:1?discport=2":       "enode://" + pub + "@my_host:1?discport=2",
	}
	for in, want := range valid {
		n, err := ParseV4(in)
		if err != nil {
			t.Errorf("ParseV4(%s): %v", in, err)
			continue
		}
		if n.URLv4() != want {
			t.Errorf("ParseV4(%s).URLv4() = %s", in, n.URLv4())
		}
	}
	invalid := []string{
		"enode://" + pub + "@1.2.3.4",
		"enode://" + pub + "@1.2.3.4:",
		"enode://" + pub + "@1.2.3.4:65536",
		"enode://" + pub + "@1.2.3.4:-1",
		"enode://" + pub + "@1.2.3.4:+1",
		"enode://" + pub + "@1.2.3.4:3/",
		"enode://" + pub + "@1.2.3.4:3#x",
		"enode://" + pub + "@1.2.3.4:3?discport=1&discport=2",
		"enode://" + pub + "@1.2.3.4:3?foo=1",
		"enode://" + pub + "@1.2.3.4:3?discport=70000",
		"enode://" + pub + "@[fe80::1%eth0]:3",
		"enode://" + pub + "@bad host:3",
		"enode://" + pub + "@-bad.example:3",
		"enode://" + pub + "@:3",
		"enode://" + pub + "?discport=3",
		"enode://" + pub[:126] + "zz@1.2.3.4:3",
		"enode://" + pub + "@" + strings.Repeat("a", 600) + ":3",
		"ENODE://" + pub,
	}
	for _, in := range invalid {
		if n, err := ParseV4(in); err == nil {
			t.Errorf("ParseV4(%s) accepted: %v", in, n)
		}
	}
}

type fakeResolver map[string][]netip.Addr

func (r fakeResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	if a, ok := r[host]; ok {
		return a, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
}

func TestResolve(t *testing.T) {
	const pub = "1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace24351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439"
	n, err := ParseV4("enode://" + pub + "@node.example:30303?discport=30301")
	if err != nil {
		t.Fatal(err)
	}
	if n.Hostname() != "node.example" || n.IPAddr().IsValid() {
		t.Fatal("hostname node")
	}
	if _, ok := n.TCPEndpoint(); ok {
		t.Fatal("unresolved node has an endpoint")
	}
	res := fakeResolver{
		"node.example": {netip.MustParseAddr("2a00::1"), netip.MustParseAddr("5.6.7.8")},
		"v6.example":   {netip.MustParseAddr("2a00::1")},
		"empty":        nil,
	}
	rn, err := n.Resolve(context.Background(), res)
	if err != nil {
		t.Fatal(err)
	}
	if ep, ok := rn.UDPEndpoint(); !ok || ep.String() != "5.6.7.8:30301" || rn.ID() != n.ID() {
		t.Fatalf("resolved %v", rn.URLv4())
	}
	if _, err := n.WithHostname("missing").Resolve(context.Background(), res); err == nil {
		t.Fatal("missing host resolved")
	}
	if _, err := n.WithHostname("empty").Resolve(context.Background(), res); err == nil {
		t.Fatal("empty answer resolved")
	}
	rn6, err := n.WithHostname("v6.example").Resolve(context.Background(), res)
	if err != nil || rn6.IPAddr().String() != "2a00::1" {
		t.Fatal(rn6, err)
	}
	// A node without a host name is returned as is.
	plain := MustParse("enode://" + pub + "@1.2.3.4:1")
	if got, _ := plain.Resolve(context.Background(), res); got != plain {
		t.Fatal("Resolve changed a plain node")
	}
}

func TestNodeText(t *testing.T) {
	const url = "enode://1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace24351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439@127.0.0.1:52150"
	var n Node
	if err := n.UnmarshalText([]byte(url)); err != nil {
		t.Fatal(err)
	}
	txt, _ := n.MarshalText()
	if string(txt) != url {
		t.Fatal(string(txt))
	}
	if err := n.UnmarshalText([]byte("enode://00")); err == nil {
		t.Fatal("bad URL accepted")
	}
}
