package devp2p

import (
	"bytes"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"
	"sync/atomic"

	"github.com/devp2p-go/devp2p/enode"
)

// conn is a connection in setup and, once it runs, the transport of a Peer.
// Setup fills node, caps and name before the run loop's second check; they
// are read-only afterwards. flags may change (trusted) while the peer runs.
type conn struct {
	fd net.Conn
	transport
	node  *enode.Node
	flags atomic.Uint32 // connFlag bits
	cont  chan error    // the run loop's answer to a checkpoint
	caps  []Cap
	name  string
	meter *meter
	slot  *acceptedSlot // the pending slot of a connection the listener accepted
}

// acceptedSlot is the pending slot (pending.go) of an accepted connection.
type acceptedSlot struct {
	slots *pendingSlots
	slot  *pendingSlot
	first *firstBytesConn // nil when the first-auth deadline is off
}

func (c *conn) is(f connFlag) bool { return connFlag(c.flags.Load())&f != 0 }

func (c *conn) set(f connFlag, on bool) {
	for {
		old := c.flags.Load()
		nw := old &^ uint32(f)
		if on {
			nw |= uint32(f)
		}
		if c.flags.CompareAndSwap(old, nw) {
			return
		}
	}
}

func (c *conn) connFlags() connFlag { return connFlag(c.flags.Load()) }

var errNoPubkey = errors.New("dial destination has no secp256k1 key")

// SetupConn runs the connection setup on fd, which was opened by the caller:
// inbound when dialDest is nil, outbound to dialDest otherwise. It returns
// when the peer was added or refused. The server owns fd from then on. It
// lets in-memory networks (sim) connect servers without sockets.
// NetRestrict and the inbound throttle are not applied: they belong to the
// listener and the dialer, and the caller chose fd itself (an in-memory
// connection has no IP address to check).
func (srv *Server) SetupConn(fd net.Conn, dialDest *enode.Node) error {
	flags := inboundConn
	if dialDest != nil {
		flags = staticDialedConn
	}
	return srv.setupConn(fd, flags, dialDest)
}

// setupConn runs the handshakes and the verdicts of each stage. On failure
// it closes the connection, sending the DiscReason when the remote can still
// read it, and reports the verdict.
func (srv *Server) setupConn(fd net.Conn, flags connFlag, dialDest *enode.Node) error {
	return srv.runSetup(fd, flags, dialDest, nil)
}

// setupAccepted runs the setup of a connection the listener accepted into a
// pending slot, which it releases at the end. The remote must send its first
// auth bytes within the first-auth deadline.
func (srv *Server) setupAccepted(fd net.Conn, slots *pendingSlots, slot *pendingSlot) {
	as := &acceptedSlot{slots: slots, slot: slot}
	if to := srv.timeouts.firstAuth; to > 0 {
		as.first = newFirstBytesConn(fd, to)
		fd = as.first
	}
	srv.runSetup(fd, inboundConn, nil, as)
}

func (srv *Server) runSetup(fd net.Conn, flags connFlag, dialDest *enode.Node, as *acceptedSlot) error {
	m := &meter{parent: &srv.meter}
	c := &conn{fd: &meteredConn{Conn: fd, m: m}, cont: make(chan error, 1), meter: m, slot: as}
	c.flags.Store(uint32(flags))
	var dialPub *ecdsa.PublicKey
	if dialDest != nil {
		if dialPub = dialDest.Pubkey(); dialPub == nil {
			fd.Close()
			return errNoPubkey
		}
	}
	c.transport = srv.newTransport(c.fd, dialPub)
	if !srv.trackPending(c) {
		c.close(errServerStopped)
		return errServerStopped
	}
	defer srv.untrackPending(c)

	start := srv.clock.Now()
	stage, err := srv.doSetup(c, dialDest)
	if as != nil {
		err = as.end(err)
	}
	srv.metrics.setupDone(c.is(inboundConn), err, srv.clock.Now().Sub(start))
	var id enode.ID
	if c.node != nil {
		id = c.node.ID()
	}
	srv.sendVerdict(stage, c.is(inboundConn), id, fd.RemoteAddr(), err)
	if err != nil {
		c.close(err) // sends the reason err carries, if any
		srv.connLog.Debug("Connection setup failed", "stage", stage, "addr", fd.RemoteAddr(),
			"conn", c.connFlags(), "id", idOrEmpty(c.node), "err", err)
	}
	return err
}

// doSetup runs the stages of setupConn: the RLPx handshake and the secured
// verdict (Config.Gate, then the run loop), Hello and the hello verdict
// (Config.Gate, then the run loop). It returns the stage it ended at; the
// verdicts of the stages passed before are reported here.
func (srv *Server) doSetup(c *conn, dialDest *enode.Node) (Stage, error) {
	remotePub, err := c.doEncHandshake(srv.cfg.PrivateKey)
	if err != nil {
		return StageSecured, err
	}
	if c.slot != nil && !c.slot.slots.secured(c.slot.slot) {
		return StageSecured, errPendingEvicted
	}
	if dialDest != nil {
		// A dialed peer must be the node we dialed. RLPx encrypts auth to
		// the destination's key, so only that node can answer; check anyway.
		if enode.PubkeyToIDV4(remotePub) != dialDest.ID() {
			return StageSecured, DiscUnexpectedIdentity
		}
		c.node = dialDest
	} else {
		c.node = nodeFromConn(remotePub, c.fd)
	}
	if g := srv.cfg.Gate; g != nil {
		if err := gateRefusal(g.InterceptSecured(c.is(inboundConn), c.node.ID(), c.fd.RemoteAddr())); err != nil {
			return StageSecured, err
		}
	}
	if err := srv.checkpoint(c, srv.securedStep); err != nil {
		return StageSecured, err
	}
	srv.sendVerdict(StageSecured, c.is(inboundConn), c.node.ID(), c.fd.RemoteAddr(), nil)

	their, err := c.doProtoHandshake(srv.ourHandshake)
	if err == nil && !bytes.Equal(their.ID, pubkeyID(remotePub)) {
		err = DiscUnexpectedIdentity
	}
	if err == nil && srv.cfg.Gate != nil {
		err = gateRefusal(srv.cfg.Gate.InterceptHello(c.node.ID(), their.Name, their.Caps))
	}
	if err != nil {
		srv.abandonSetup(c)
		return StageHello, err
	}
	c.caps, c.name = their.Caps, their.Name
	return StageHello, srv.checkpoint(c, srv.addStep)
}

// end releases the slot when the setup ended with err, and returns the error
// that says why it ended: eviction or silence, when one of them cut it.
func (as *acceptedSlot) end(err error) error {
	evicted := as.slots.release(as.slot)
	switch {
	case err == nil:
		return nil
	case evicted:
		return errPendingEvicted
	case as.first != nil && as.first.silent():
		return fmt.Errorf("%w: %w", errSilent, err)
	}
	return err
}

// checkpoint hands c to the run loop at one of its two checks and waits for
// the verdict.
func (srv *Server) checkpoint(c *conn, stage chan<- *conn) error {
	select {
	case stage <- c:
	case <-srv.quit:
		return errServerStopped
	}
	return <-c.cont // the run loop always answers a conn it took
}

// abandonSetup tells the run loop that c, which passed the post-handshake
// check, will not reach the add-peer check: another connection to the same
// node may then proceed.
func (srv *Server) abandonSetup(c *conn) {
	select {
	case srv.setupEnded <- c:
	case <-srv.quit:
	}
}

// nodeFromConn builds the node of an inbound peer from its key and address.
func nodeFromConn(pub *ecdsa.PublicKey, fd net.Conn) *enode.Node {
	var ip net.IP
	var port int
	if tcp, ok := fd.RemoteAddr().(*net.TCPAddr); ok {
		ip, port = tcp.IP, tcp.Port
	}
	return enode.NewV4(pub, ip, port, 0)
}

func idOrEmpty(n *enode.Node) string {
	if n == nil {
		return ""
	}
	return n.ID().TerminalString()
}

func (c *conn) String() string {
	return fmt.Sprintf("%v %v", c.connFlags(), c.fd.RemoteAddr())
}
