package devp2p

import (
	"errors"
	"fmt"
	"net/netip"
	"testing"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// connFrom is a conn of the admission tests whose remote has an IP.
func (at *admTest) connFrom(name string, remote enode.ID, ip string, flags connFlag) *conn {
	var r enr.Record
	if a := netip.MustParseAddr(ip); a.Is6() {
		r.Set(enr.IPv6(a))
	} else {
		r.Set(enr.IPv4(a))
	}
	c := &conn{node: enode.SignNull(&r, remote), caps: []Cap{{"test", 1}}}
	c.flags.Store(uint32(flags))
	at.names[c] = name
	return c
}

// TestAdmissionInboundCaps: inbound peers per host, /24 and /16 (IPv6 /64,
// /48 and /32) are capped; trusted peers, dialed peers and exempt sources
// are not; a dropped peer frees its place.
func TestAdmissionInboundCaps(t *testing.T) {
	self, _ := idPair()
	var next uint16 = 100
	fresh := func() enode.ID { next++; return enode.ID{byte(next >> 8), byte(next)} }
	type step struct {
		ip    string
		flags connFlag
		want  error
	}
	in, dyn := inboundConn, dynDialedConn
	hosts := func(n int, format string) []step {
		var s []step
		for i := range n {
			s = append(s, step{fmt.Sprintf(format, i), in, nil})
		}
		return s
	}
	cat := func(parts ...[]step) []step {
		var s []step
		for _, p := range parts {
			s = append(s, p...)
		}
		return s
	}
	tests := []struct {
		name   string
		steps  []step
		exempt bool // LAN sources exempt (a LAN node under LANExemptAuto)
	}{
		{name: "host", steps: []step{{"45.33.1.7", in, nil}, {"45.33.1.7", in, nil}, {"45.33.1.7", in, errInboundHost}, {"45.33.1.7", dyn, nil}}},
		{name: "host v6 /64", steps: []step{{"2a01:4f8:1:2::1", in, nil}, {"2a01:4f8:1:2::2", in, nil}, {"2a01:4f8:1:2::3", in, errInboundHost}}},
		{name: "subnet", steps: cat(hosts(inboundPerSubnet, "45.33.1.%d"), []step{{"45.33.1.200", in, errInboundSubnet}, {"45.33.2.1", in, nil}})},
		{name: "subnet v6 /48", steps: cat(hosts(inboundPerSubnet, "2a01:4f8:1:%x::1"), []step{{"2a01:4f8:1:ff::1", in, errInboundSubnet}})},
		{name: "wide", steps: cat(hosts(inboundPerWide, "45.33.%d.1"), []step{{"45.33.200.1", in, errInboundWide}, {"45.34.0.1", in, nil}})},
		{name: "wide v6 /32", steps: cat(hosts(inboundPerWide, "2a01:4f8:%x::1"), []step{{"2a01:4f8:ffff::1", in, errInboundWide}})},
		{name: "lan not exempt", steps: cat(hosts(inboundPerSubnet, "10.0.0.%d"), []step{{"10.0.0.99", in, errInboundSubnet}})},
		{name: "lan exempt", exempt: true, steps: cat(hosts(inboundPerWide+1, "10.0.0.%d"), []step{{"10.0.0.1", in, nil}, {"10.0.0.1", in, nil}, {"10.0.0.1", in, nil}})},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			at := newAdmTest(t, self, func(c *Config) { c.MaxPeers = 100 })
			at.a.lanExempt = func(netip.Addr) bool { return false }
			if tt.exempt {
				at.a.lanExempt = func(ip netip.Addr) bool { return ip.IsPrivate() }
			}
			for i, s := range tt.steps {
				c := at.connFrom(fmt.Sprint(i), fresh(), s.ip, s.flags)
				err := at.a.secured(c)
				if err == nil {
					err = at.add(c)
				}
				if !errors.Is(err, s.want) || (err == nil) != (s.want == nil) {
					t.Fatalf("step %d (%s %v): %v, want %v", i, s.ip, s.flags, err, s.want)
				}
				if err != nil && reasonOr(err, 0) != DiscTooManyPeers {
					t.Fatalf("refusal %v does not carry DiscTooManyPeers", err)
				}
			}
			// A trusted node from a full subnet gets in.
			var blocked *step
			for _, s := range tt.steps {
				if s.want != nil {
					blocked = &s
				}
			}
			if blocked == nil {
				return
			}
			trusted := fresh()
			at.a.trust(trusted, true)
			if c := at.connFrom("trusted", trusted, blocked.ip, in); at.a.secured(c) != nil || at.add(c) != nil {
				t.Fatal("trusted peer refused")
			}
		})
	}
	// A static node's inbound connection skips the caps.
	staticKey := fresh()
	at := newAdmTest(t, self, func(c *Config) {
		c.MaxPeers = 100
		c.StaticNodes = []*enode.Node{enode.SignNull(new(enr.Record), staticKey)}
	})
	at.a.lanExempt = func(netip.Addr) bool { return false }
	for range inboundPerHost {
		if c := at.connFrom("p", fresh(), "45.33.1.8", in); at.a.secured(c) != nil || at.add(c) != nil {
			t.Fatal("refused")
		}
	}
	if c := at.connFrom("static", staticKey, "45.33.1.8", in); at.a.secured(c) != nil || at.add(c) != nil {
		t.Fatal("static node's inbound connection refused by the host cap")
	}

	// Dropping a peer frees its place in every cap.
	at = newAdmTest(t, self, func(c *Config) { c.MaxPeers = 100 })
	at.a.lanExempt = func(netip.Addr) bool { return false }
	var peers []*Peer
	for range inboundPerHost {
		c := at.connFrom("p", fresh(), "45.33.1.7", in)
		if at.a.secured(c) != nil || at.add(c) != nil {
			t.Fatal("refused")
		}
		peers = append(peers, at.a.peers[c.node.ID()])
	}
	if c := at.connFrom("x", fresh(), "45.33.1.7", in); !errors.Is(at.a.secured(c), errInboundHost) {
		t.Fatal("host cap not applied")
	}
	at.drop(peers[0])
	if c := at.connFrom("y", fresh(), "45.33.1.7", in); at.a.secured(c) != nil {
		t.Fatal("place not freed by the drop")
	}
}
