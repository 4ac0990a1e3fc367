package devp2p

import (
	"net"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/nat"
	"github.com/devp2p-go/devp2p/netutil"
)

// NAT. setupListening calls startNAT once the listener is up. The external endpoint reaches the record by these rules, in order:
//
//  1. An explicit extip (nat.ExtIP) is the static IP: it wins over
//     everything, and nothing is mapped.
//  2. Otherwise the gateway's answer: a public external IP becomes the
//     static IP (so it wins over discovery's endpoint votes); a private or
//     shared one (double NAT, carrier-grade NAT) only becomes the fallback,
//     so the votes of peers that see our real address win over it.
//  3. Otherwise discovery's votes (LocalNode's prediction), then the
//     listener's own address.
//
// The mapped external ports go into the record (tcp; udp through the
// fallback UDP port). The Mapper keeps them stable across renewals and does
// not touch the record while the gateway is silent.

// NAT is a port-mapping mechanism (UPnP, NAT-PMP, or a fixed external IP);
// nat.Parse and the nat package's constructors make one.
type NAT = nat.Interface

// natHooks are a server's test seams, set before Start. Tests bind only
// 127.0.0.1, which the Server never maps on a real gateway; mapLoopback lets
// them map it on a fake one.
type natHooks struct {
	mapLoopback bool
	// updated is called after an endpoint change reached the LocalNode.
	updated func(nat.Endpoints)
	// scheduled is called when the Mapper has set its next renewal timer.
	scheduled func(time.Duration)
}

// startNAT applies Config.NAT for a listener at tcp: extip at once, other
// mechanisms through a nat.Mapper whose first round runs in the background,
// so a slow or absent gateway never delays Start. The Mapper's Close, pushed
// on the server's close stack, removes the mappings.
func (srv *Server) startNAT(tcp *net.TCPAddr) {
	n := srv.cfg.NAT
	if n == nil {
		return
	}
	if ext, ok := n.(nat.ExtIP); ok {
		srv.localnode.SetStaticIP(net.IP(ext))
		if ip, _ := netip.AddrFromSlice(ext); !enode.AddrFamilies(tcp).Contains(ip) {
			// LocalNode keeps it out of the record: nobody could reach us there.
			srv.log.Warn("External IP not advertised: the listener does not serve its address family", "ip", net.IP(ext), "listen", tcp)
			return
		}
		srv.log.Info("Using fixed external IP", "ip", net.IP(ext))
		return
	}
	if tcp.IP.IsLoopback() && !srv.natHooks.mapLoopback {
		return // nothing outside the host can reach a loopback listener
	}
	// Discovery listens on the same port number as the TCP listener (the
	// default of every client), so that is the UDP port to map.
	udpPort := tcp.Port
	if srv.cfg.NoDiscovery {
		udpPort = 0 // nothing listens on UDP
	}
	m := nat.StartMapper(n, tcp.Port, udpPort, nat.MapperConfig{
		Name:    "devp2p",
		Clock:   natClock{srv, srv.clock},
		Logger:  srv.log,
		Changed: srv.natEndpointChanged,
	})
	srv.closers.push(m.Close)
	srv.metrics.watchNAT(func() natCounts {
		st := m.Stats()
		return natCounts{rounds: st.Rounds, failures: st.Failures, changes: st.Changes, mapped: st.Mapped}
	})
}

// natEndpointChanged puts the gateway's view of our endpoint into the
// record. It runs on the Mapper's goroutine.
func (srv *Server) natEndpointChanged(ep nat.Endpoints) {
	if ip, ok := netip.AddrFromSlice(ep.IP); ok {
		if publicIP(ip.Unmap()) {
			srv.localnode.SetStaticIP(ep.IP)
		} else {
			srv.localnode.SetFallbackIP(ep.IP)
		}
	}
	if ep.TCP != 0 {
		srv.localnode.Set(enr.TCP(ep.TCP))
	}
	if ep.UDP != 0 {
		srv.localnode.SetFallbackUDP(int(ep.UDP))
	}
	srv.log.Info("NAT endpoint", "ip", ep.IP, "tcp", ep.TCP, "udp", ep.UDP, "self", srv.localnode.Node().URLv4())
	if srv.natHooks.updated != nil {
		srv.natHooks.updated(ep)
	}
}

// publicIP reports whether ip can be our address on the Internet.
func publicIP(ip netip.Addr) bool {
	return ip.IsValid() && !ip.IsUnspecified() && !ip.IsLoopback() && !ip.IsMulticast() &&
		!netutil.IsLAN(ip) && !netutil.IsSpecialNetwork(ip)
}

// natClock is the server's clock, so renewals run on simulated time in
// tests, with the test hook on scheduling.
type natClock struct {
	srv *Server
	mclock.Clock
}

func (c natClock) AfterFunc(d time.Duration, f func()) mclock.Timer {
	t := c.Clock.AfterFunc(d, f)
	if c.srv.natHooks.scheduled != nil {
		c.srv.natHooks.scheduled(d)
	}
	return t
}

// parseNAT reads a config file's NAT field (nat.Parse syntax). "" and
// "none" give a nil NAT, not a nil *something in a non-nil interface.
func parseNAT(spec string) (NAT, error) {
	n, err := nat.Parse(spec)
	if err != nil || n == nil {
		return nil, err
	}
	return n, nil
}
