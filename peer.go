package devp2p

import (
	"bytes"
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

// Base protocol timing and the ping-flood limits (SECURITY.md, CVE-2023-40591).
const (
	// pingInterval is how often we ping a quiet peer (DESIGN.md).
	pingInterval = 15 * time.Second
	// pingQueueSize is the number of received pings waiting for their pong.
	// When it is full the read loop stops reading, which pushes back on the
	// sender instead of spawning work (go-ethereum uses 16 as well).
	pingQueueSize = 16
	// maxPingsPerInterval is how many pings a peer may send within one
	// pingInterval. Honest peers send one; more than this is a flood and the
	// peer is dropped with DiscProtocolError.
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
// A peer runs these goroutines, all owned by run(): the read loop (the only
// reader of the connection), the ping loop (the only sender of pings and
// pongs), and one per protocol's Run.
type Peer struct {
	rw      *conn
	running map[string]*protoRW // matched protocols by name; fixed after newPeer
	log     *slog.Logger
	clock   mclock.Clock
	created mclock.AbsTime

	wg       sync.WaitGroup
	protoErr chan error
	closed   chan struct{}
	pingRecv chan struct{}
	disc     chan DiscReason
	writeErr chan error
	lastRecv atomic.Int64 // mclock.AbsTime of the last message read

	events *eventFeed // nil unless Config.EnableMsgEvents
}

// newPeer sets up a session over c running the matched protocols.
func newPeer(log *slog.Logger, clock mclock.Clock, c *conn, protocols []Protocol) *Peer {
	matches := matchProtocols(protocols, c.caps)
	p := &Peer{
		rw:       c,
		running:  make(map[string]*protoRW, len(matches)),
		clock:    clock,
		created:  clock.Now(),
		protoErr: make(chan error, len(matches)+1),
		closed:   make(chan struct{}),
		pingRecv: make(chan struct{}, pingQueueSize),
		disc:     make(chan DiscReason, 1),
		writeErr: make(chan error, 1),
	}
	p.log = log.With("id", c.node.ID().TerminalString(), "conn", c.connFlags())
	for _, m := range matches {
		p.running[m.proto.Name] = &protoRW{
			Protocol: *m.proto, offset: m.offset, peer: p,
			in: make(chan Msg),
		}
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
	proto, ok := p.running[name]
	return ok && slices.Contains(versions, proto.Version)
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

// Log returns the peer's logger.
func (p *Peer) Log() *slog.Logger { return p.log }

// Disconnect asks the session to end with reason. It returns at once; the
// peer is gone when the server reports it dropped.
func (p *Peer) Disconnect(reason DiscReason) {
	select {
	case p.disc <- reason:
	case <-p.closed:
	default: // a disconnect is already pending
	}
}

func (p *Peer) String() string {
	return fmt.Sprintf("Peer %s %v", p.ID().TerminalString(), p.RemoteAddr())
}

// run runs the session until it ends and returns why. remoteRequested is
// true when the remote sent Disconnect.
func (p *Peer) run() (remoteRequested bool, err error) {
	readErr := make(chan error, 1)
	p.lastRecv.Store(int64(p.clock.Now()))
	p.wg.Add(2)
	go p.readLoop(readErr)
	go p.pingLoop()
	p.startProtocols()

	var reason DiscReason
	select {
	case err = <-readErr:
		if r, ok := err.(DiscReason); ok {
			remoteRequested = true
			reason = r
		} else if pe := (*peerError)(nil); errors.As(err, &pe) {
			reason = pe.reason
		} else {
			reason = DiscNetworkError
		}
	case err = <-p.writeErr:
		reason = DiscNetworkError
	case err = <-p.protoErr:
		reason = discReasonForError(err)
	case reason = <-p.disc:
		err = reason
	}
	close(p.closed)
	if remoteRequested {
		p.rw.close(errRemoteDisconnected) // no point answering a Disconnect
	} else {
		p.rw.close(reason)
	}
	p.wg.Wait()
	p.log.Debug("Peer session ended", "reason", reason, "err", err, "remote", remoteRequested)
	return remoteRequested, err
}

func (p *Peer) startProtocols() {
	for _, proto := range p.running {
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
				p.log.Debug("Protocol failed", "proto", proto.Name, "err", err)
			}
			p.protoErr <- err // buffered: one slot per protocol
		}()
	}
}

// readLoop is the only reader of the connection after Hello.
func (p *Peer) readLoop(errc chan<- error) {
	defer p.wg.Done()
	var (
		windowStart = p.clock.Now()
		pings       int
	)
	for {
		msg, err := p.rw.ReadMsg()
		if err != nil {
			errc <- err
			return
		}
		p.rw.meter.addMsgIn()
		now := p.clock.Now()
		p.lastRecv.Store(int64(now))
		if msg.Code == pingMsg {
			if now.Sub(windowStart) >= pingInterval {
				windowStart, pings = now, 0
			}
			if pings++; pings > maxPingsPerInterval {
				errc <- errPingFlood
				return
			}
		}
		if err := p.handle(msg); err != nil {
			errc <- err
			return
		}
	}
}

func (p *Peer) handle(msg Msg) error {
	switch {
	case msg.Code == pingMsg:
		msg.Discard()
		select {
		case p.pingRecv <- struct{}{}:
		case <-p.closed:
			return io.EOF
		}
	case msg.Code == discMsg:
		payload, _ := io.ReadAll(msg.Payload)
		return decodeDisconnect(payload)
	case msg.Code < baseProtocolLength:
		// Pong, and codes the base protocol reserves: nothing to do.
		return msg.Discard()
	default:
		proto := p.protoFor(msg.Code)
		if proto == nil {
			return newPeerError(DiscProtocolError, "%v: %d", errInvalidMsgCode, msg.Code)
		}
		msg.Code -= proto.offset
		select {
		case proto.in <- msg:
		case <-p.closed:
			return io.EOF
		}
	}
	return nil
}

func (p *Peer) protoFor(code uint64) *protoRW {
	for _, proto := range p.running {
		if code >= proto.offset && code < proto.offset+proto.Length {
			return proto
		}
	}
	return nil
}

// pingLoop sends a ping every pingInterval and answers the peer's pings.
// It is the only goroutine that writes base-protocol messages, so a ping
// flood costs at most one pending pong (CVE-2023-40591).
func (p *Peer) pingLoop() {
	defer p.wg.Done()
	ping := p.clock.NewTimer(pingInterval)
	defer ping.Stop()
	for {
		select {
		case <-ping.C():
			if idle := p.clock.Now().Sub(mclock.AbsTime(p.lastRecv.Load())); idle >= frameReadTimeout {
				p.Disconnect(DiscReadTimeout)
				return
			}
			if err := p.writeBase(pingMsg); err != nil {
				return
			}
			ping.Reset(pingInterval)
		case <-p.pingRecv:
			if err := p.writeBase(pongMsg); err != nil {
				return
			}
		case <-p.closed:
			return
		}
	}
}

// emptyList is the payload of Ping and Pong: [].
var emptyList = []byte{0xc0}

func (p *Peer) writeBase(code uint64) error {
	return p.write(Msg{Code: code, Size: uint32(len(emptyList)), Payload: bytes.NewReader(emptyList)})
}

// write sends a message on the connection, reporting a failure to run().
func (p *Peer) write(msg Msg) error {
	select {
	case <-p.closed:
		return ErrShuttingDown
	default:
	}
	err := p.rw.WriteMsg(msg)
	if err != nil {
		select {
		case p.writeErr <- err:
		default:
		}
		return err
	}
	p.rw.meter.addMsgOut()
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
	for _, proto := range p.running {
		var pi any = "handshake"
		if proto.PeerInfo != nil {
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
	offset uint64
	in     chan Msg // unbuffered: the read loop waits for Run to take it
	peer   *Peer
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

func (rw *protoRW) ReadMsg() (Msg, error) {
	select {
	case msg := <-rw.in:
		return msg, nil
	case <-rw.peer.closed:
		return Msg{}, io.EOF
	}
}
