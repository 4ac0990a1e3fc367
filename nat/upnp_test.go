package nat

import (
	"net"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/nat/nattest"
)

// TestUPnPServices runs the mechanism against each IGD generation and WAN
// connection service.
func TestUPnPServices(t *testing.T) {
	for _, tt := range []struct {
		version int
		service string
		name    string
	}{
		{1, nattest.WANIPConnection1, "IGDv1-IP1"},
		{1, nattest.WANPPPConnection1, "IGDv1-PPP1"},
		{2, nattest.WANIPConnection1, "IGDv2-IP1"},
		{2, nattest.WANIPConnection2, "IGDv2-IP2"},
	} {
		t.Run(tt.name, func(t *testing.T) {
			g := startIGD(t, tt.version, tt.service, "5.6.7.8")
			n := upnpAt(t, g)
			if !strings.Contains(n.String(), tt.name) {
				t.Errorf("String() = %q, want it to name %s", n, tt.name)
			}
			expectRequests(t, g.Requests, "GetNATRSIPStatus")
			ip, err := n.ExternalIP()
			if err != nil || !ip.Equal(net.ParseIP("5.6.7.8")) {
				t.Fatalf("ExternalIP = %v, %v", ip, err)
			}
			p, err := n.AddMapping("tcp", 30303, 30304, "test", 20*time.Minute)
			if err != nil || p != 30303 {
				t.Fatalf("AddMapping = %d, %v", p, err)
			}
			if !g.Mapped("tcp", 30303) {
				t.Fatal("gateway has no mapping")
			}
			if err := n.DeleteMapping("tcp", 30303, 30304); err != nil {
				t.Fatal(err)
			}
			if g.Mappings() != 0 {
				t.Fatal("mapping not removed")
			}
			expectRequests(t, g.Requests, "GetExternalIPAddress", "AddPortMapping TCP 30303->30304 1200s", "DeletePortMapping TCP 30303")
		})
	}
}

// TestUPnPConflictIGDv2: a taken port makes an IGDv2 gateway pick one.
func TestUPnPConflictIGDv2(t *testing.T) {
	g := startIGD(t, 2, nattest.WANIPConnection2, "5.6.7.8")
	g.Take("udp", 30303)
	g.SetAnyPort(41000)
	n := upnpAt(t, g)
	p, err := n.AddMapping("udp", 30303, 30303, "test", time.Hour)
	if err != nil || p != 41000 {
		t.Fatalf("AddMapping = %d, %v; want 41000", p, err)
	}
	expectRequests(t, g.Requests, "GetNATRSIPStatus", "AddPortMapping UDP 30303->30303 3600s", "AddAnyPortMapping UDP 30303->30303 3600s")
}

// TestUPnPConflictIGDv1: an IGDv1 gateway cannot pick; one random port is
// tried instead.
func TestUPnPConflictIGDv1(t *testing.T) {
	g := startIGD(t, 1, nattest.WANIPConnection1, "5.6.7.8")
	g.Take("tcp", 30303)
	n := upnpAt(t, g)
	p, err := n.AddMapping("tcp", 30303, 30303, "test", time.Hour)
	if err != nil || p == 30303 || p < randomPortMin {
		t.Fatalf("AddMapping = %d, %v; want a random port", p, err)
	}
	if !g.Mapped("tcp", p) {
		t.Fatalf("port %d not mapped", p)
	}
}

// TestUPnPPermanentLeaseOnly: IGDv1 routers that refuse leases get a
// permanent mapping.
func TestUPnPPermanentLeaseOnly(t *testing.T) {
	g := startIGD(t, 1, nattest.WANIPConnection1, "5.6.7.8")
	g.SetOnlyPermanentLeases(true)
	n := upnpAt(t, g)
	if p, err := n.AddMapping("tcp", 30303, 30303, "test", time.Hour); err != nil || p != 30303 {
		t.Fatalf("AddMapping = %d, %v", p, err)
	}
	expectRequests(t, g.Requests, "GetNATRSIPStatus", "AddPortMapping TCP 30303->30303 3600s", "AddPortMapping TCP 30303->30303 0s")
}

func TestUPnPDown(t *testing.T) {
	g := startIGD(t, 2, nattest.WANIPConnection2, "5.6.7.8")
	n := upnpAt(t, g)
	g.SetDown(true)
	if _, err := n.ExternalIP(); err == nil {
		t.Fatal("ExternalIP succeeded against a gateway that is down")
	}
	drain(g.Requests)
	if _, err := n.AddMapping("tcp", 30303, 30303, "test", time.Hour); err == nil {
		t.Fatal("AddMapping succeeded against a gateway that is down")
	}
	// No AddAnyPortMapping after a request that got no answer at all.
	expectRequests(t, g.Requests, "dropped")
	noMoreRequests(t, g.Requests)
}

func TestUPnPAtBadURL(t *testing.T) {
	g := startIGD(t, 2, nattest.WANIPConnection2, "5.6.7.8")
	if _, err := DiscoverUPnPAt(g.RootURL() + "-missing")(t.Context()); err == nil {
		t.Fatal("no error for a missing device description")
	}
	if _, err := DiscoverUPnPAt("://bad")(t.Context()); err == nil {
		t.Fatal("no error for a bad URL")
	}
}
