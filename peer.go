package devp2p

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"sync"
	"sync/atomic"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// Base protocol timing and the ping-flood limit (docs/SECURITY.md,
// CVE-2023-40591).
const (
	// pingInterval is how often we ping a quiet peer (go-ethereum's value).
	pingInterval = 15 * time.Second
	// maxPingsPerInterval is how many pings a peer may send within one
	// pingInterval. Honest peers send one; more than this is a flood and the
	// peer is dropped with DiscProtocolError. It also bounds the pongs we
	// owe: they are sent by at most one goroutine at a time.
	maxPingsPerInterval = 32
)

var (
	errPingFlood          = newPeerError(DiscProtocolError, "ping flood")
	errInvalidMsgCode     = errors.New("invalid message code")
	errRemoteDisconnected = errors.New("remote disconnected")
	// ErrShuttingDown is returned by a protocol's MsgReadWriter once its
	// session has ended.
	ErrShuttingDown = errors.New("shutting down")
)

// Peer is a connected remote node running one or more sub-protocols.
//
// A session lives on few goroutines, because a node keeps hundreds of
// sessions that are idle most of the time: the goroutine that calls run,
// which is also the only reader of the connection, and one per protocol's
// Run. Pings go out from a timer's short-lived goroutine, pongs from a
// short-lived goroutine started when a ping arrives (one at a time). Whatever
// ends the session first (a read or write error, a protocol returning,
// Disconnect, a ping timeout) is recorded by end, which wakes the reader; the
// reader then closes the connection with that reason.
//
// Every connected peer has one, so its fields are ordered to leave no
// padding.
type Peer struct {
	rw      *conn
	running []protoRW    // matched protocols in code order; fixed after newPeer
	srvLog  *slog.Logger // the server's logger; Log adds the peer's attributes
	log     atomic.Pointer[slog.Logger]
	clock   mclock.Clock
	created mclock.AbsTime
	events  *eventFeed[*PeerEvent] // nil unless Config.EnableMsgEvents
	inbound inboundLimits          // set before run; the rate is owned by the reader
	admitFn admitFunc              // p.admit, made once
	traffic *trafficMetrics        // nil unless Config.Metrics (metrics_traffic.go)

	closed   chan struct{}  // closed by end
	wg       sync.WaitGroup // protocol goroutines, ping and pong senders
	lastRecv atomic.Int64   // mclock.AbsTime of the last message read
	pongs    atomic.Int32   // pings received and not yet answered

	mu        sync.Mutex // guards the fields below
	ended     bool
	remoteReq bool       // the remote sent Disconnect
	endReason DiscReason // the reason sent to the remote
	endErr    error      // the first cause of the end
	pingTimer mclock.Timer
}

// newPeer sets up a session over c running the matched protocols.
func newPeer(log *slog.Logger, clock mclock.Clock, c *conn, protocols []Protocol) *Peer {
	matches := matchProtocols(protocols, c.caps)
	p := &Peer{
		rw:      c,
		running: make([]protoRW, len(matches)),
		srvLog:  log,
		clock:   clock,
		created: clock.Now(),
		closed:  make(chan struct{}),
	}
	p.admitFn = p.admit
	for i, m := range matches {
		p.running[i] = protoRW{Protocol: *m.proto, offset: m.offset, peer: p, in: make(chan Msg)}
	}
	return p
}

// ID returns the node's identifier.
func (p *Peer) ID() enode.ID { return p.rw.node.ID() }

// Node returns the peer's node record (from the dial target, or built from
// the handshake for inbound peers).
func (p *Peer) Node() *enode.Node { return p.rw.node }

// Name returns the client name the peer announced in Hello. Peer-controlled:
// quote it when logging.
func (p *Peer) Name() string { return p.rw.name }

// Fullname returns the client name including the short node ID.
func (p *Peer) Fullname() string {
	return fmt.Sprintf("%q %s", p.rw.name, p.ID().TerminalString())
}

// Caps returns the capabilities the peer announced, sorted.
func (p *Peer) Caps() []Cap {
	caps := slices.Clone(p.rw.caps)
	slices.SortFunc(caps, cmpCap)
	return caps
}

// RunningCap reports whether the session runs protocol name at one of the
// given versions.
func (p *Peer) RunningCap(name string, versions []uint) bool {
	for i := range p.running {
		if proto := &p.running[i]; proto.Name == name {
			return slices.Contains(versions, proto.Version)
		}
	}
	return false
}

// RemoteAddr returns the remote address of the connection.
func (p *Peer) RemoteAddr() net.Addr { return p.rw.fd.RemoteAddr() }

// LocalAddr returns the local address of the connection.
func (p *Peer) LocalAddr() net.Addr { return p.rw.fd.LocalAddr() }

// Inbound reports whether the remote dialed us.
func (p *Peer) Inbound() bool { return p.rw.is(inboundConn) }

// Trusted reports whether the peer is in the trusted set.
func (p *Peer) Trusted() bool { return p.rw.is(trustedConn) }

// Traffic returns the bytes and messages exchanged with the peer so far.
func (p *Peer) Traffic() TrafficStats { return p.rw.meter.stats() }

// Log returns the peer's logger: the server's with the peer's ID and
// connection flags. It is made on first use, as most peers never log.
func (p *Peer) Log() *slog.Logger {
	if l := p.log.Load(); l != nil {
		return l
	}
	l := p.srvLog.With("id", p.ID().TerminalString(), "conn", p.rw.connFlags())
	if p.log.CompareAndSwap(nil, l) {
		return l
	}
	return p.log.Load()
}

// debug logs at Debug level with the peer's attributes, if enabled.
func (p *Peer) debug(msg string, args ...any) {
	if p.srvLog.Enabled(context.Background(), slog.LevelDebug) {
		p.Log().Debug(msg, args...)
	}
}

// Disconnect asks the session to end with reason. It returns at once; the
// peer is gone when the server reports it dropped.
func (p *Peer) Disconnect(reason DiscReason) { p.end(reason, reason, false) }

func (p *Peer) String() string {
	return fmt.Sprintf("Peer %s %v", p.ID().TerminalString(), p.RemoteAddr())
}

// run runs the session until it ends and returns why. remoteRequested is
// true when the remote sent Disconnect.
func (p *Peer) run() (remoteRequested bool, err error) {
	p.lastRecv.Store(int64(p.clock.Now()))
	p.startProtocols()
	p.schedulePing()
	p.readLoop() // returns once end has been called
	for i := range p.running {
		close(p.running[i].in) // the reader was the only sender
	}

	p.mu.Lock()
	remoteRequested, err, reason := p.remoteReq, p.endErr, p.endReason
	p.mu.Unlock()
	if remoteRequested {
		p.rw.close(errRemoteDisconnected) // no point answering a Disconnect
	} else {
		p.rw.close(reason)
	}
	p.wg.Wait()
	for i := range p.running {
		// The protocols are gone: whatever they held goes back.
		p.running[i].cur.Swap(nil).release()
	}
	p.debug("Peer session ended", "reason", reason, "err", err, "remote", remoteRequested)
	return remoteRequested, err
}

// end ends the session: the first call records why (err), the reason to
// send (reason) and whether the remote asked for it, closes p.closed and
// wakes the reader, which closes the connection. Later calls do nothing.
func (p *Peer) end(err error, reason DiscReason, remote bool) {
	p.mu.Lock()
	if p.ended {
		p.mu.Unlock()
		return
	}
	p.ended = true
	p.endErr, p.endReason, p.remoteReq = err, reason, remote
	if p.pingTimer != nil {
		p.pingTimer.Stop()
		p.pingTimer = nil
	}
	close(p.closed)
	p.mu.Unlock()
	// The reader wakes up and closes the connection with the reason (run).
	p.rw.interruptRead()
}

// spawn runs f on a goroutine that the session waits for, unless the
// session has ended. (Under mu, so no Add comes after run's Wait began.)
func (p *Peer) spawn(f func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.ended {
		return
	}
	p.wg.Add(1)
	go func() {
		defer p.wg.Done()
		f()
	}()
}

func (p *Peer) startProtocols() {
	for i := range p.running {
		proto := &p.running[i]
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			var rw MsgReadWriter = proto
			if p.events != nil {
				rw = newMsgEventer(rw, p.events, p.ID(), proto.Name, p.RemoteAddr().String(), p.LocalAddr().String())
			}
			err := proto.Run(p, rw)
			if err == nil {
				err = errProtocolReturned
			} else if !errors.Is(err, io.EOF) {
				p.debug("Protocol failed", "proto", proto.Name, "err", err)
			}
			p.end(err, reasonOr(err, DiscSubprotocolError), false)
		}()
	}
}

// readLoop is the only reader of the connection after Hello. It returns
// once the session has ended.
func (p *Peer) readLoop() {
	var (
		windowStart = p.clock.Now()
		pings       int
	)
	for {
		msg, err := p.rw.ReadMsg(p.admitFn)
		if err != nil {
			p.end(err, reasonOr(err, DiscNetworkError), false)
			return
		}
		p.rw.meter.addMsgIn()
		if p.traffic != nil {
			p.countIn(msg.Code, msg.Size)
		}
		now := p.clock.Now()
		p.lastRecv.Store(int64(now))
		if msg.Code == pingMsg {
			if now.Sub(windowStart) >= pingInterval {
				windowStart, pings = now, 0
			}
			if pings++; pings > maxPingsPerInterval {
				p.end(errPingFlood, DiscProtocolError, false)
				return
			}
		}
		if err := p.handle(msg); err != nil {
			// The remote asked for the end when it was its Disconnect.
			p.end(err, reasonOr(err, DiscNetworkError), msg.Code == discMsg)
			return
		}
	}
}

func (p *Peer) handle(msg Msg) error {
	switch {
	case msg.Code == pingMsg:
		msg.Discard()
		// The pong goes out from another goroutine, so that the reader
		// never waits for a write (two peers answering each other's pings
		// over unbuffered pipes would otherwise deadlock).
		if p.pongs.Add(1) == 1 {
			p.spawn(p.sendPongs)
		}
	case msg.Code == discMsg:
		payload, _ := io.ReadAll(msg.Payload)
		return decodeDisconnect(payload)
	case msg.Code < baseProtocolLength:
		// Pong, or a repeated Hello: nothing to do. (admit refused the
		// reserved codes.)
		return msg.Discard()
	default:
		proto := p.protoFor(msg.Code)
		if proto == nil { // admit refused it already
			return newPeerError(DiscProtocolError, "%v: %d", errInvalidMsgCode, msg.Code)
		}
		msg.Code -= proto.offset
		select {
		case proto.in <- msg:
		case <-p.closed:
			reservationOf(msg).release()
			return io.EOF
		}
	}
	return nil
}

func (p *Peer) protoFor(code uint64) *protoRW {
	for i := range p.running {
		if proto := &p.running[i]; code >= proto.offset && code < proto.offset+proto.Length {
			return proto
		}
	}
	return nil
}

// sendPongs answers the pings counted in p.pongs, then exits.
func (p *Peer) sendPongs() {
	for {
		if err := p.writeBase(pongMsg); err != nil {
			return
		}
		if p.pongs.Add(-1) == 0 {
			return
		}
	}
}

// schedulePing arms the ping timer, unless the session has ended.
func (p *Peer) schedulePing() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if !p.ended {
		p.pingTimer = p.clock.AfterFunc(pingInterval, p.pingTick)
	}
}

// pingTick runs when the ping timer fires: it ends a session that has been
// silent for frameReadTimeout, or sends a ping and re-arms the timer. It
// does not block (a simulated clock runs it on the goroutine driving the
// clock): the ping is written on a goroutine of its own.
func (p *Peer) pingTick() {
	if idle := p.clock.Now().Sub(mclock.AbsTime(p.lastRecv.Load())); idle >= frameReadTimeout {
		p.Disconnect(DiscReadTimeout)
		return
	}
	p.spawn(func() {
		if p.writeBase(pingMsg) == nil {
			p.schedulePing()
		}
	})
}

// emptyList is the payload of Ping and Pong: [].
var emptyList = []byte{0xc0}

func (p *Peer) writeBase(code uint64) error {
	return p.write(Msg{Code: code, Size: uint32(len(emptyList)), Payload: bytes.NewReader(emptyList)})
}

// write sends a message on the connection; a failure ends the session.
func (p *Peer) write(msg Msg) error {
	select {
	case <-p.closed:
		return ErrShuttingDown
	default:
	}
	err := p.rw.WriteMsg(msg)
	if err != nil {
		p.end(err, reasonOr(err, DiscNetworkError), false)
		return err
	}
	p.rw.meter.addMsgOut()
	if p.traffic != nil {
		p.countOut(msg.Code, msg.Size)
	}
	return nil
}

// Info returns the peer's admin_peers entry, including each running
// protocol's PeerInfo.
func (p *Peer) Info() *PeerInfo { return p.info() }

// info returns the admin_peers entry of the peer.
func (p *Peer) info() *PeerInfo {
	var caps []string
	for _, c := range p.Caps() {
		caps = append(caps, c.String())
	}
	info := &PeerInfo{
		ID:        p.ID().String(),
		Name:      p.Name(),
		Caps:      caps,
		Protocols: make(map[string]any, len(p.running)),
	}
	info.Enode = p.Node().URLv4()
	if p.Node().Seq() > 0 {
		info.ENR = p.Node().String()
	}
	info.Network.LocalAddress = p.LocalAddr().String()
	info.Network.RemoteAddress = p.RemoteAddr().String()
	info.Network.Inbound = p.rw.is(inboundConn)
	info.Network.Trusted = p.rw.is(trustedConn)
	info.Network.Static = p.rw.is(staticDialedConn)
	for i := range p.running {
		proto := &p.running[i]
		// go-ethereum's words: "unknown" without a PeerInfo function,
		// "handshake" while it has nothing to report yet.
		var pi any = "unknown"
		if proto.PeerInfo != nil {
			pi = "handshake"
			if v := proto.PeerInfo(p.ID()); v != nil {
				pi = v
			}
		}
		info.Protocols[proto.Name] = pi
	}
	return info
}

// protoRW is the MsgReadWriter a protocol's Run gets: it shifts codes by the
// protocol's offset and rejects codes outside its range.
type protoRW struct {
	Protocol
	offset  uint64
	in      chan Msg // unbuffered: the read loop waits for Run to take it; closed when the read loop ends
	peer    *Peer
	cur     atomic.Pointer[payloadReader] // the message Run read last, if it holds budget
	traffic *protoTraffic                 // nil unless Config.Metrics
}

func (rw *protoRW) WriteMsg(msg Msg) error {
	if msg.Code >= rw.Length {
		return newPeerError(DiscProtocolError, "%v: %d (protocol %s has %d)", errInvalidMsgCode, msg.Code, rw.Name, rw.Length)
	}
	msg.meterCap = rw.cap()
	msg.meterCode = msg.Code
	msg.Code += rw.offset
	return rw.peer.write(msg)
}

// ReadMsg waits on in alone (closed when the session ends): a goroutine
// blocked on one channel costs less memory than one blocked in a select.
//
// Run is done with the previous message once it asks for the next one, so
// that message's decode budget goes back now if reading its payload to the
// end has not given it back already.
func (rw *protoRW) ReadMsg() (Msg, error) {
	rw.cur.Swap(nil).release()
	msg, ok := <-rw.in
	if !ok {
		return Msg{}, io.EOF
	}
	rw.cur.Store(reservationOf(msg))
	return msg, nil
}
