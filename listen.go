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
	// inboundThrottleTime is how long after a connection from an IP
	// another one from it is refused (LAN addresses exempt), so that one host
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
func (srv *Server) setupListening() (*net.UDPConn, error) {
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
// so no peer can stall the loop; a slot pool bounds how many connections are
// in handshake at once (MaxPendingPeers). While all slots are taken, new
// connections wait in the kernel's backlog.
func (srv *Server) listenLoop() {
	defer srv.listenWG.Done()
	slots := make(chan struct{}, srv.cfg.MaxPendingPeers)
	for range srv.cfg.MaxPendingPeers {
		slots <- struct{}{}
	}
	throttle := newIPThrottle(srv.clock, inboundThrottleTime)
	for {
		select {
		case <-slots:
		case <-srv.quit:
			return
		}
		fd, err := srv.listener.Accept()
		if err != nil {
			slots <- struct{}{}
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
		err = srv.checkInbound(throttle, ip)
		if err == nil && srv.cfg.Gate != nil {
			err = gateRefusal(srv.cfg.Gate.InterceptAccept(fd.RemoteAddr()))
		}
		srv.sendVerdict(StageAccept, true, enode.ID{}, fd.RemoteAddr(), err)
		if err != nil {
			srv.connLog.Debug("Rejected inbound connection", "addr", fd.RemoteAddr(), "err", err)
			fd.Close()
			slots <- struct{}{}
			continue
		}
		srv.listenWG.Add(1)
		go func() {
			defer srv.listenWG.Done()
			srv.setupConn(fd, inboundConn, nil)
			slots <- struct{}{}
		}()
	}
}

func (srv *Server) checkInbound(t *ipThrottle, ip netip.Addr) error {
	if !ip.IsValid() {
		return nil // not TCP (a test listener); nothing to check
	}
	if srv.cfg.NetRestrict != nil && !srv.cfg.NetRestrict.Contains(ip) {
		return errNotAllowedNet
	}
	if netutil.IsLAN(ip) {
		return nil
	}
	if !t.allow(ip) {
		return errThrottled
	}
	return nil
}

// ipThrottle remembers recent inbound IPs. Expiries are added in time order,
// so a FIFO queue finds the expired ones without scanning the map. Owned by
// the listen loop.
type ipThrottle struct {
	clock  mclock.Clock
	window time.Duration
	until  map[netip.Addr]mclock.AbsTime
	queue  []throttleEntry
}

type throttleEntry struct {
	ip  netip.Addr
	exp mclock.AbsTime
}

func newIPThrottle(clock mclock.Clock, window time.Duration) *ipThrottle {
	return &ipThrottle{clock: clock, window: window, until: make(map[netip.Addr]mclock.AbsTime)}
}

// allow reports whether ip may connect now, and if so starts its window.
func (t *ipThrottle) allow(ip netip.Addr) bool {
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
