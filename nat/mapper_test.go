package nat

import (
	"log/slog"
	"net"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/nat/nattest"
)

const testLifetime = 20 * time.Minute

type mapperTest struct {
	t       *testing.T
	clock   *mclock.Simulated
	changes chan Endpoints
	m       *Mapper
}

func startMapper(t *testing.T, n Interface) *mapperTest {
	mt := &mapperTest{t: t, clock: new(mclock.Simulated), changes: make(chan Endpoints, 10)}
	mt.m = StartMapper(n, 30303, 30303, MapperConfig{
		Lifetime: testLifetime,
		Clock:    mt.clock,
		Logger:   slog.New(slog.NewTextHandler(t.Output(), &slog.HandlerOptions{Level: slog.LevelDebug})),
		Changed:  func(ep Endpoints) { mt.changes <- ep },
	})
	t.Cleanup(mt.m.Close)
	return mt
}

// advance runs simulated time by d once the Mapper waits on its timer, then
// waits until the round it triggered is over (the next timer is set).
func (mt *mapperTest) advance(d time.Duration) {
	mt.clock.WaitForTimers(1)
	mt.clock.Run(d)
	mt.clock.WaitForTimers(1)
}

func (mt *mapperTest) expectChange(want Endpoints) {
	mt.t.Helper()
	got := recv(mt.t, mt.changes)
	if !got.IP.Equal(want.IP) || got.TCP != want.TCP || got.UDP != want.UDP {
		mt.t.Fatalf("Changed(%+v), want %+v", got, want)
	}
	if ep := mt.m.Endpoints(); !ep.IP.Equal(want.IP) || ep.TCP != want.TCP || ep.UDP != want.UDP {
		mt.t.Fatalf("Endpoints() = %+v, want %+v", ep, want)
	}
}

func (mt *mapperTest) expectNoChange() {
	mt.t.Helper()
	select {
	case ep := <-mt.changes:
		mt.t.Fatalf("unexpected Changed(%+v)", ep)
	default:
	}
}

func drain(ch <-chan string) {
	for {
		select {
		case <-ch:
		default:
			return
		}
	}
}

// TestMapperUPnP: mapping, renewal with the same port, a gateway-chosen
// port kept across renewals, a silent gateway, removal on Close.
func TestMapperUPnP(t *testing.T) {
	g := startIGD(t, 2, nattest.WANIPConnection2, "5.6.7.8")
	g.Take("tcp", 30303) // another host holds it: the gateway picks 40000
	g.SetAnyPort(40000)
	n := upnpAt(t, g)
	expectRequests(t, g.Requests, "GetNATRSIPStatus")
	mt := startMapper(t, n)
	ext := net.ParseIP("5.6.7.8")

	// First round: the endpoint appears once.
	mt.expectChange(Endpoints{IP: ext, TCP: 40000, UDP: 30303})
	expectRequests(t, g.Requests,
		"GetExternalIPAddress",
		"AddPortMapping TCP 30303->30303 1200s",
		"AddAnyPortMapping TCP 30303->30303 1200s",
		"AddPortMapping UDP 30303->30303 1200s")

	// Renewal at lifetime/2 asks for the ports granted before; nothing changes.
	for range 3 {
		mt.advance(testLifetime / 2)
		expectRequests(t, g.Requests,
			"GetExternalIPAddress",
			"AddPortMapping TCP 40000->30303 1200s",
			"AddPortMapping UDP 30303->30303 1200s")
		noMoreRequests(t, g.Requests)
		mt.expectNoChange()
	}

	// The gateway stops answering: the record keeps its endpoint, and the
	// Mapper retries sooner than a renewal.
	g.SetDown(true)
	mt.advance(testLifetime / 2)
	mt.expectNoChange()
	drain(g.Requests)
	mt.advance(mapRetryInterval)
	mt.expectNoChange()
	if ep := mt.m.Endpoints(); ep.TCP != 40000 || ep.UDP != 30303 || !ep.IP.Equal(ext) {
		t.Fatalf("endpoint changed while the gateway was silent: %+v", ep)
	}
	drain(g.Requests)

	// Back again: the same ports are renewed, still no change.
	g.SetDown(false)
	mt.advance(mapRetryInterval)
	expectRequests(t, g.Requests,
		"GetExternalIPAddress",
		"AddPortMapping TCP 40000->30303 1200s",
		"AddPortMapping UDP 30303->30303 1200s")
	mt.expectNoChange()

	// Close removes both mappings.
	mt.m.Close()
	expectRequests(t, g.Requests, "DeletePortMapping TCP 40000", "DeletePortMapping UDP 30303")
	if g.Mappings() != 0 {
		t.Fatalf("%d mappings left after Close", g.Mappings())
	}
	mt.m.Close() // again: no-op
	noMoreRequests(t, g.Requests)
	checkNoGoroutines(t)
}

// TestMapperPMPPortChange: the gateway moves a mapping to another port on
// renewal; the record changes once, and later renewals ask for the new port.
func TestMapperPMPPortChange(t *testing.T) {
	g := startPMP(t, "5.6.7.8")
	n := PMP(loopback)
	mt := startMapper(t, n)
	ext := net.ParseIP("5.6.7.8")
	mt.expectChange(Endpoints{IP: ext, TCP: 30303, UDP: 30303})
	expectRequests(t, g.Requests, "extip", "map tcp 30303->30303 1200s", "map udp 30303->30303 1200s")

	mt.advance(testLifetime / 2)
	expectRequests(t, g.Requests, "extip", "map tcp 30303->30303 1200s", "map udp 30303->30303 1200s")
	mt.expectNoChange()

	g.ForcePort("tcp", 50001)
	mt.advance(testLifetime / 2)
	expectRequests(t, g.Requests, "extip", "map tcp 30303->30303 1200s", "map udp 30303->30303 1200s")
	mt.expectChange(Endpoints{IP: ext, TCP: 50001, UDP: 30303})

	for range 3 {
		mt.advance(testLifetime / 2)
		expectRequests(t, g.Requests, "extip", "map tcp 50001->30303 1200s", "map udp 30303->30303 1200s")
		mt.expectNoChange()
	}

	// A refusing gateway (result code 3, no external IP) changes nothing.
	g.SetResult(3)
	mt.advance(testLifetime / 2)
	mt.expectNoChange()
	g.SetResult(0)
	drain(g.Requests)

	mt.m.Close()
	expectRequests(t, g.Requests, "delete tcp 30303", "delete udp 30303")
	if g.Mappings() != 0 {
		t.Fatalf("%d mappings left after Close", g.Mappings())
	}
	checkNoGoroutines(t)
}

// TestMapperNoGatewayAtStart: nothing answers at first; the endpoint appears
// once the gateway does, after the short retry interval.
func TestMapperNoGatewayAtStart(t *testing.T) {
	g := startIGD(t, 1, nattest.WANIPConnection1, "5.6.7.8")
	n := upnpAt(t, g)
	g.SetDown(true)
	mt := startMapper(t, n)
	mt.clock.WaitForTimers(1)
	mt.expectNoChange()
	if ep := mt.m.Endpoints(); ep.IP != nil || ep.TCP != 0 {
		t.Fatalf("endpoint %+v without a gateway", ep)
	}
	g.SetDown(false)
	mt.advance(mapRetryInterval)
	mt.expectChange(Endpoints{IP: net.ParseIP("5.6.7.8"), TCP: 30303, UDP: 30303})
	mt.m.Close()
	if g.Mappings() != 0 {
		t.Fatalf("%d mappings left after Close", g.Mappings())
	}
	checkNoGoroutines(t)
}

// TestMapperExtIP: a fixed IP maps nothing and reports its endpoint once.
func TestMapperExtIP(t *testing.T) {
	mt := startMapper(t, ExtIP(net.ParseIP("1.2.3.4")))
	mt.expectChange(Endpoints{IP: net.ParseIP("1.2.3.4"), TCP: 30303, UDP: 30303})
	mt.advance(testLifetime / 2)
	mt.expectNoChange()
	mt.m.Close()
	checkNoGoroutines(t)
}

// TestMapperExternalIPChange: a new external IP is reported once.
func TestMapperExternalIPChange(t *testing.T) {
	g := startIGD(t, 2, nattest.WANIPConnection2, "5.6.7.8")
	mt := startMapper(t, upnpAt(t, g))
	mt.expectChange(Endpoints{IP: net.ParseIP("5.6.7.8"), TCP: 30303, UDP: 30303})
	g.SetExternalIP("5.6.7.9")
	mt.advance(testLifetime / 2)
	mt.expectChange(Endpoints{IP: net.ParseIP("5.6.7.9"), TCP: 30303, UDP: 30303})
	mt.advance(testLifetime / 2)
	mt.expectNoChange()
	// A gateway without an external address (WAN down) changes nothing.
	g.SetExternalIP("")
	mt.advance(testLifetime / 2)
	mt.expectNoChange()
	mt.m.Close()
	checkNoGoroutines(t)
}
