package v5

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"net/netip"
	"slices"
	"sync"
	"sync/atomic"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/internal/lograte"
	"github.com/devp2p-go/devp2p/mclock"
)

var (
	errTimeout        = errors.New("RPC timeout")
	errClosed         = errors.New("socket closed")
	errTooManyQueued  = errors.New("too many calls queued for node")
	errNoUDPEndpoint  = errors.New("node has no UDP endpoint")
	errChallengeTwice = errors.New("second WHOAREYOU for one call")
)

// UDPv5 is a discv5 node: the UDP engine and its table.
type UDPv5 struct {
	conn      UDPConn
	priv      *ecdsa.PrivateKey
	localNode *enode.LocalNode
	cfg       Config
	families  enode.Families // what conn reaches (enode.AddrFamilies)
	tab       *discover.Table
	talk      *talkSystem
	admit     *discover.Admitter

	callCh    chan *call
	timeoutCh chan timeoutEvent
	// packetIn is what dispatch reads datagrams from: the own read loop's
	// channel, or on a shared socket cfg.Unhandled itself, so that a
	// datagram the other engine read reaches dispatch in one hop.
	packetIn <-chan ReadPacket
	sendCh   chan sendRequest
	cancelCh chan canceledCall
	funcCh   chan func() // run on dispatch (tests, stats)

	closing   chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup

	packetsSent atomic.Int64
	stats       discover.PacketStats // by type and drop reason (stats.go)
	sessions    atomic.Int64         // session count, for tests

	// Fields below are owned by dispatch().
	codec      *v5wire.Codec
	active     map[enode.ID]*call
	queued     map[enode.ID][]*call
	byNonce    map[v5wire.Nonce]*call
	reqCounter uint64
}

// call is one request and its responses.
type call struct {
	node     *enode.Node
	id       enode.ID
	addr     netip.AddrPort
	packet   v5wire.Packet
	respType byte

	ch  chan v5wire.Packet // responses, buffered: never blocks dispatch
	err chan error         // the outcome, exactly once

	// owned by dispatch
	nonce      v5wire.Nonce
	handshakes int          // handshakes sent since the request was (re)sent
	challenged v5wire.Nonce // nonce of the packet the last WHOAREYOU answered
	resent     bool         // the request was sent again after a silent handshake
	responses  int
	total      int
	timer      mclock.Timer
	timerGen   int
}

// canceledCall withdraws a call whose caller stopped waiting.
type canceledCall struct {
	c   *call
	err error // what c's caller gets
}

type timeoutEvent struct {
	c   *call
	gen int
}

type sendRequest struct {
	id   enode.ID
	addr netip.AddrPort
	p    v5wire.Packet
}

// ListenV5 starts a discv5 node on conn for the local node ln. Unless
// cfg.Unhandled is set (shared socket), the engine reads and closes conn.
func ListenV5(conn UDPConn, ln *enode.LocalNode, cfg Config) (*UDPv5, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if ln == nil {
		return nil, errors.New("discover/v5: nil LocalNode")
	}
	t := &UDPv5{
		conn:      conn,
		priv:      cfg.PrivateKey,
		localNode: ln,
		cfg:       cfg,
		families:  enode.AddrFamilies(conn.LocalAddr()),
		talk:      newTalkSystem(),
		admit:     cfg.Admitter,
		callCh:    make(chan *call),
		timeoutCh: make(chan timeoutEvent),
		sendCh:    make(chan sendRequest),
		cancelCh:  make(chan canceledCall),
		funcCh:    make(chan func()),
		closing:   make(chan struct{}),
		codec:     v5wire.NewCodec(cfg.PrivateKey, ln.Node, cfg.Clock, cfg.SessionCacheSize),
		active:    make(map[enode.ID]*call),
		queued:    make(map[enode.ID][]*call),
		byNonce:   make(map[v5wire.Nonce]*call),
	}
	tc := cfg.tableConfig()
	tc.Families = t.families
	t.tab, err = discover.NewTable(tableTransport{t}, tc)
	if err != nil {
		return nil, err
	}
	// The engine's own debug lines (bad packets, unsolicited replies) are
	// rate-limited: any stranger can cause them.
	t.cfg.Logger = lograte.New(t.cfg.Logger, lograte.Config{Now: cfg.Clock.Wall})
	if cfg.Unhandled != nil {
		t.packetIn = cfg.Unhandled
	} else {
		own := make(chan ReadPacket)
		t.packetIn = own
		t.wg.Add(1)
		go t.readLoop(own)
	}
	t.wg.Add(1)
	go t.dispatch()
	t.tab.Start()
	cfg.Logger.Debug("discv5 listening", "addr", conn.LocalAddr(), "id", ln.ID())
	return t, nil
}

// Self returns the local node's current record.
func (t *UDPv5) Self() *enode.Node { return t.localNode.Node() }

// LocalNode returns the local node.
func (t *UDPv5) LocalNode() *enode.LocalNode { return t.localNode }

// Table returns the node table.
func (t *UDPv5) Table() *discover.Table { return t.tab }

// PacketsSent returns the number of packets written so far.
func (t *UDPv5) PacketsSent() int64 { return t.packetsSent.Load() }

// Close shuts the engine down and waits for its goroutines.
func (t *UDPv5) Close() {
	t.closeOnce.Do(func() {
		close(t.closing)
		if t.cfg.Unhandled == nil {
			t.conn.Close()
		}
		t.tab.Close()
		t.wg.Wait()
	})
}

// readLoop reads datagrams until the socket is closed and hands copies to
// dispatch.
func (t *UDPv5) readLoop(out chan<- ReadPacket) {
	defer t.wg.Done()
	// +1: oversized packets are seen as such.
	discover.ReadLoop(t.conn, maxPacketSize+1, t.closing, t.cfg.Logger, func(from netip.AddrPort, data []byte) bool {
		select {
		case out <- ReadPacket{Data: bytes.Clone(data), Addr: from}:
			return true
		case <-t.closing:
			return false
		}
	})
}

// dispatch owns the codec and the call state.
func (t *UDPv5) dispatch() {
	defer t.wg.Done()
	for {
		select {
		case c := <-t.callCh:
			if t.active[c.id] == nil {
				t.startCall(c)
			} else if len(t.queued[c.id]) >= maxQueuedCalls {
				c.err <- errTooManyQueued
			} else {
				t.queued[c.id] = append(t.queued[c.id], c)
			}
		case ev := <-t.timeoutCh:
			if t.active[ev.c.id] == ev.c && ev.c.timerGen == ev.gen {
				t.handleTimeout(ev.c)
			}
		case p, ok := <-t.packetIn:
			if !ok {
				t.packetIn = nil // the sharing engine closed it: nothing more comes
				continue
			}
			t.handlePacket(p.Data, p.Addr.Addr().Unmap(), p.Addr.Port())
			t.sessions.Store(int64(t.codec.Sessions().Len()))
		case s := <-t.sendCh:
			t.send(s.id, s.addr, s.p, nil)
		case cc := <-t.cancelCh:
			t.cancelCall(cc.c, cc.err)
		case f := <-t.funcCh:
			f()
		case <-t.closing:
			for _, c := range t.active {
				t.stopTimer(c)
				c.err <- errClosed
			}
			for _, q := range t.queued {
				for _, c := range q {
					c.err <- errClosed
				}
			}
			return
		}
	}
}

func (t *UDPv5) startCall(c *call) {
	t.active[c.id] = c
	t.reqCounter++
	c.packet.SetRequestID(reqID(t.reqCounter))
	t.localNode.UDPContact(c.addr)
	t.sendCall(c, nil)
}

// sendCall sends c's request (as a handshake answering challenge, if not
// nil) and waits for what comes back: the packet's nonce matches a WHOAREYOU
// to c, the timer ends the wait.
func (t *UDPv5) sendCall(c *call, challenge *v5wire.Whoareyou) {
	delete(t.byNonce, c.nonce)
	nonce, err := t.send(c.id, c.addr, c.packet, challenge)
	if err != nil {
		t.finishCall(c, err)
		return
	}
	c.nonce = nonce
	t.byNonce[nonce] = c
	t.admit.Expect(c.addr.Addr(), expectedReplies, expectWindow)
	t.armTimer(c)
}

// handleTimeout ends c with errTimeout, unless c answered a challenge and
// then heard nothing: the handshake packet (or the reply to it) may have been
// lost, and the remote is known to be there. The request is then sent once
// more, as other clients do: through the session the handshake set up if
// the remote got it, else the remote challenges again and the call answers
// with a fresh handshake.
func (t *UDPv5) handleTimeout(c *call) {
	if c.handshakes == 0 || c.responses > 0 || c.resent {
		t.finishCall(c, errTimeout)
		return
	}
	t.cfg.Logger.Debug("no reply to handshake, resending request", "id", c.id, "addr", c.addr, "type", c.packet.Name())
	c.resent = true
	c.handshakes = 0
	t.sendCall(c, nil)
	if t.active[c.id] == c {
		// A remote still waiting on its challenge may repeat it instead of
		// making a new one (go-ethereum does): that WHOAREYOU carries the
		// nonce of the packet it challenged, so c answers to it as well.
		t.byNonce[c.challenged] = c
	}
}

// reqID makes a request ID from a counter: unique per engine, 8 bytes.
func reqID(n uint64) []byte {
	b := make([]byte, 8)
	for i := 7; i >= 0; i-- {
		b[i] = byte(n)
		n >>= 8
	}
	return b
}

func (t *UDPv5) armTimer(c *call) {
	t.stopTimer(c)
	c.timerGen++
	ev := timeoutEvent{c, c.timerGen}
	c.timer = t.cfg.Clock.AfterFunc(respTimeout, func() {
		select {
		case t.timeoutCh <- ev:
		case <-t.closing:
		}
	})
}

func (t *UDPv5) stopTimer(c *call) {
	if c.timer != nil {
		c.timer.Stop()
		c.timer = nil
	}
}

// finishCall ends the active call c and starts the next queued one.
func (t *UDPv5) finishCall(c *call, err error) {
	t.stopTimer(c)
	delete(t.byNonce, c.nonce)
	if t.byNonce[c.challenged] == c {
		delete(t.byNonce, c.challenged)
	}
	delete(t.active, c.id)
	c.err <- err
	if q := t.queued[c.id]; len(q) > 0 {
		next := q[0]
		if len(q) == 1 {
			delete(t.queued, c.id)
		} else {
			t.queued[c.id] = q[1:]
		}
		t.startCall(next)
	}
}

// cancelCall ends c with err if it is still active or queued; otherwise it
// has ended and its outcome is in c.err already.
func (t *UDPv5) cancelCall(c *call, err error) {
	if t.active[c.id] == c {
		t.finishCall(c, err)
		return
	}
	q := t.queued[c.id]
	if i := slices.Index(q, c); i >= 0 {
		q = slices.Delete(q, i, i+1)
		if len(q) == 0 {
			delete(t.queued, c.id)
		} else {
			t.queued[c.id] = q
		}
		c.err <- err
	}
}

// send encodes p for id/addr and writes it.
func (t *UDPv5) send(id enode.ID, addr netip.AddrPort, p v5wire.Packet, challenge *v5wire.Whoareyou) (v5wire.Nonce, error) {
	enc, nonce, err := t.codec.Encode(id, addr.String(), p, challenge)
	if err != nil {
		t.cfg.Logger.Debug("cannot encode discv5 packet", "id", id, "addr", addr, "type", p.Name(), "err", err)
		return nonce, err
	}
	t.write(addr, enc)
	t.stats.Out(kindSlot(p.Kind()))
	return nonce, nil
}

func (t *UDPv5) write(addr netip.AddrPort, enc []byte) {
	if _, err := t.conn.WriteToUDPAddrPort(enc, addr); err != nil {
		t.cfg.Logger.Debug("UDP write error", "addr", addr, "err", err)
		return
	}
	t.packetsSent.Add(1)
}

// call sends p to n and waits for the responses of type respType, or until
// ctx ends.
func (t *UDPv5) call(ctx context.Context, n *enode.Node, p v5wire.Packet, respType byte) ([]v5wire.Packet, error) {
	if n = n.ForFamilies(t.families); n == nil {
		return nil, errNoUDPEndpoint // none in a family our socket reaches
	}
	addr, ok := n.UDPEndpoint()
	if !ok {
		return nil, errNoUDPEndpoint
	}
	c := &call{
		node: n, id: n.ID(), addr: addr, packet: p, respType: respType,
		ch: make(chan v5wire.Packet, totalNodesRespLimit), err: make(chan error, 1),
	}
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	select {
	case t.callCh <- c:
	case <-t.closing:
		return nil, errClosed
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	var err error
	select {
	case err = <-c.err:
	case <-ctx.Done():
		// Withdraw c, so that a call queued behind it starts now and no
		// response lands in c.ch after we read it.
		select {
		case t.cancelCh <- canceledCall{c, ctx.Err()}:
		case <-t.closing: // dispatch ends c with errClosed
		}
		// A response may have completed c just before: then that stands.
		err = <-c.err
	}
	var resps []v5wire.Packet
	for len(c.ch) > 0 {
		resps = append(resps, <-c.ch)
	}
	return resps, err
}

// sendFunc runs f on the dispatch goroutine; false if the engine is closed.
func (t *UDPv5) sendFunc(f func()) bool {
	select {
	case t.funcCh <- f:
		return true
	case <-t.closing:
		return false
	}
}
