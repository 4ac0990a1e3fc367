package nat

import (
	"net"
	"testing"
	"time"
)

var loopback = net.IPv4(127, 0, 0, 1)

func TestPMP(t *testing.T) {
	g := startPMP(t, "5.6.7.8")
	n, err := DiscoverPMPAt(loopback)(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if n.String() != "pmp:127.0.0.1" {
		t.Errorf("String() = %q", n)
	}
	ip, err := n.ExternalIP()
	if err != nil || !ip.Equal(net.ParseIP("5.6.7.8")) {
		t.Fatalf("ExternalIP = %v, %v", ip, err)
	}
	p, err := n.AddMapping("tcp", 30303, 30304, "test", 20*time.Minute)
	if err != nil || p != 30303 {
		t.Fatalf("AddMapping = %d, %v", p, err)
	}
	g.ForcePort("udp", 50000)
	if p, err = n.AddMapping("udp", 30303, 30304, "test", 20*time.Minute); err != nil || p != 50000 {
		t.Fatalf("AddMapping(udp) = %d, %v; want the gateway's port 50000", p, err)
	}
	if err := n.DeleteMapping("tcp", 30303, 30304); err != nil {
		t.Fatal(err)
	}
	if g.Mapping("tcp", 30304) != 0 || g.Mapping("udp", 30304) != 50000 {
		t.Fatal("wrong mappings left after delete")
	}
	expectRequests(t, g.Requests, "extip", "extip", "map tcp 30303->30304 1200s", "map udp 30303->30304 1200s", "delete tcp 30304")

	g.SetResult(3)
	if _, err := n.AddMapping("tcp", 30303, 30304, "test", time.Minute); err == nil {
		t.Fatal("AddMapping succeeded on a refusal")
	}
}

// TestPMPGone: a gateway that is not there fails fast (the kernel reports
// the closed port) instead of hanging.
func TestPMPGone(t *testing.T) {
	g := startPMP(t, "5.6.7.8")
	g.Close()
	if _, err := DiscoverPMPAt(loopback)(t.Context()); err == nil {
		t.Fatal("discovered a gateway that is gone")
	}
}

func TestPotentialGateways(t *testing.T) {
	for _, gw := range potentialGateways() {
		if gw.To4() == nil || !gw.IsPrivate() || gw.To4()[3]&1 != 1 {
			t.Errorf("unlikely gateway %v", gw)
		}
	}
}
