package devp2p

import (
	"errors"
	"net"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
)

const (
	// inboundThrottleTime is how long after a connection from an IP (an
	// IPv6 /64) another one from it is refused (LAN addresses exempt when
	// Config.LANExempt says so), so that one host
	// cannot fill the pending slots by reconnecting (docs/SECURITY.md);
	// go-ethereum uses 30 s.
	inboundThrottleTime = 30 * time.Second
	// acceptRetryDelay is the pause after a temporary Accept error (such as
	// too many open files), so the loop does not spin.
	acceptRetryDelay = 50 * time.Millisecond
)

// Refusals at StageAccept. Their reasons are never sent (there is no
// session yet); they tell a verdict's subscribers why.
var (
	errNotAllowedNet = newPeerError(DiscUselessPeer, "address not in NetRestrict")
	errThrottled     = newPeerError(DiscTooManyPeers, "too many attempts from this IP")
)

// setupListening opens the TCP listener (and discovery's UDP socket, which
// it returns for startDiscovery to own), puts the ports into the record and
// starts NAT. The listen part's Close closes the listener and waits for the
// listen loop and the setups it started.
func (srv *Server) setupListening() (PacketConn, error) {
	l, udp, err := srv.listenPair()
	if err != nil {
		return nil, err
	}
	srv.listener = l
	srv.closers.push(func() {
		l.Close()
		srv.listenWG.Wait()
	})
	tcp, ok := l.Addr().(*net.TCPAddr)
	if !ok {
		return udp, nil // a test listener: no ports to announce or map
	}
	srv.localnode.Set(enr.TCP(tcp.Port))
	if udp != nil {
		// Before NAT starts, so that a port the gateway maps later
		// (natEndpointChanged) wins over it. Without discovery the record
		// has ip and tcp but no udp.
		srv.localnode.SetFallbackUDP(udp.LocalAddr().(*net.UDPAddr).Port)
	}
	// The record names the families the listener serves (an IPv6-only node
	// gets no IPv4 address), with the listener's address as fallback;
	// discovery binds the same address.
	srv.localnode.SetListenIP(tcp.AddrPort().Addr())
	srv.startNAT(tcp)
	return udp, nil
}

// listenLoop accepts inbound connections. Setup runs on its own goroutine,
// so no peer can stall the loop; the pending slots (pending.go) bound how
// many connections are in handshake at once (MaxPendingPeers) and how many
// of them one host or subnet holds. A connection that gets no slot is
// refused with a verdict, not left waiting in the kernel's backlog behind
// connections that may never authenticate.
func (srv *Server) listenLoop() {
	defer srv.listenWG.Done()
	slots := newPendingSlots(srv.cfg.MaxPendingPeers)
	throttle := newIPThrottle(srv.clock, inboundThrottleTime)
	for {
		fd, err := srv.listener.Accept()
		if err != nil {
			if errors.Is(err, net.ErrClosed) {
				return
			}
			srv.log.Debug("Accept failed", "err", err)
			select {
			case <-time.After(acceptRetryDelay):
				continue
			case <-srv.quit:
				return
			}
		}
		var ip netip.Addr
		if tcp, ok := fd.RemoteAddr().(*net.TCPAddr); ok {
			ip = tcp.AddrPort().Addr().Unmap()
		}
		exempt := srv.lanExempt(ip)
		err = srv.checkInbound(throttle, ip, exempt)
		if err == nil && srv.cfg.Gate != nil {
			err = gateRefusal(srv.cfg.Gate.InterceptAccept(fd.RemoteAddr()))
		}
		var slot *pendingSlot
		if err == nil {
			slot, err = slots.acquire(fd, ip, exempt)
		}
		srv.sendVerdict(StageAccept, true, enode.ID{}, fd.RemoteAddr(), err)
		if err != nil {
			srv.connLog.Debug("Rejected inbound connection", "addr", fd.RemoteAddr(), "err", err)
			fd.Close()
			continue
		}
		srv.listenWG.Add(1)
		go func() {
			defer srv.listenWG.Done()
			srv.setupAccepted(fd, slots, slot)
		}()
	}
}

func (srv *Server) checkInbound(t *ipThrottle, ip netip.Addr, exempt bool) error {
	if !ip.IsValid() {
		return nil // not TCP (a test listener); nothing to check
	}
	if srv.cfg.NetRestrict != nil && !srv.cfg.NetRestrict.Contains(ip) {
		return errNotAllowedNet
	}
	if exempt {
		return nil
	}
	if !t.allow(netutil.HostKey(ip)) {
		return errThrottled
	}
	return nil
}

// lanExempt reports whether the per-IP and per-subnet limits skip ip, by
// Config.LANExempt and our own address.
func (srv *Server) lanExempt(ip netip.Addr) bool {
	if !netutil.IsLAN(ip) {
		return false // cheap path: no need for our own address
	}
	return srv.cfg.LANExempt.Exempt(ip, srv.localnode.Node().IPAddr())
}

// ipThrottle remembers recent inbound hosts (an IPv4 address, an IPv6 /64:
// netutil.HostKey). Expiries are added in time order, so a FIFO queue finds
// the expired ones without scanning the map. Owned by the listen loop.
type ipThrottle struct {
	clock  mclock.Clock
	window time.Duration
	until  map[netip.Prefix]mclock.AbsTime
	queue  []throttleEntry
}

type throttleEntry struct {
	ip  netip.Prefix
	exp mclock.AbsTime
}

func newIPThrottle(clock mclock.Clock, window time.Duration) *ipThrottle {
	return &ipThrottle{clock: clock, window: window, until: make(map[netip.Prefix]mclock.AbsTime)}
}

// allow reports whether host may connect now, and if so starts its window.
func (t *ipThrottle) allow(ip netip.Prefix) bool {
	now := t.clock.Now()
	for len(t.queue) > 0 && t.queue[0].exp <= now {
		e := t.queue[0]
		if t.until[e.ip] == e.exp {
			delete(t.until, e.ip)
		}
		t.queue = t.queue[1:]
	}
	if exp, ok := t.until[ip]; ok && exp > now {
		return false
	}
	exp := now.Add(t.window)
	t.until[ip] = exp
	t.queue = append(t.queue, throttleEntry{ip, exp})
	return true
}
