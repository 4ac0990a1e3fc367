package v4

import (
	"bytes"
	"context"
	"crypto/rand"
	"errors"
	"net/netip"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/netutil"
)

var errNoUDPEndpoint = errors.New("node has no UDP endpoint")

func checkRelay(sender netip.Addr, n *enode.Node) error {
	return netutil.CheckRelayAddr(sender, n.IPAddr())
}

// Ping sends a ping to n and waits for the pong, at most until ctx ends.
func (t *UDPv4) Ping(ctx context.Context, n *enode.Node) error {
	_, err := t.ping(ctx, n)
	return err
}

// ping sends a ping and returns the ENR sequence number from the pong.
func (t *UDPv4) ping(ctx context.Context, n *enode.Node) (seq uint64, err error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	addr, ok := t.endpoint(n)
	if !ok {
		return 0, errNoUDPEndpoint
	}
	rm, err := t.sendPing(n.ID(), addr, false, func(p *v4wire.Pong) { seq = p.ENRSeq })
	if err != nil {
		return 0, err
	}
	if err := t.wait(ctx, rm); err != nil {
		return 0, err
	}
	return seq, nil
}

// sendPing registers the matcher for a pong and sends the ping, unless the
// matcher was refused. callback, if set, runs on the matcher loop when the
// pong arrives.
func (t *UDPv4) sendPing(toid enode.ID, to netip.AddrPort, optional bool, callback func(*v4wire.Pong)) (*replyMatcher, error) {
	self := t.localNode.Node()
	req := &v4wire.Ping{
		Version:    pingVersion,
		From:       v4wire.NewEndpoint(t.ownEndpoint(self, to), uint16(self.TCP())),
		To:         v4wire.NewEndpoint(to, 0),
		Expiration: t.makeExpiration(),
		ENRSeq:     self.Seq(),
	}
	packet, hash, err := v4wire.Encode(t.priv, req)
	if err != nil {
		return nil, err
	}
	// A ping-back answers a ping: it is a reply as far as amplification goes.
	if optional && !t.admit.MayReply(to.Addr(), len(packet)) {
		return nil, errNoReplyCredit
	}
	// Register before sending so that a fast pong finds its matcher.
	rm, err := t.pending(toid, to.Addr(), v4wire.PongPacket, optional, func(p v4wire.Packet) (bool, bool) {
		pong := p.(*v4wire.Pong)
		if !bytes.Equal(pong.ReplyTok, hash) {
			return false, false
		}
		// Record the endpoint proof before the request completes, so that
		// a caller of ping sees it.
		t.bonds.gotPong(toid, to.Addr())
		t.admit.Prove(to.Addr(), proveWindow)
		if callback != nil {
			callback(pong)
		}
		return true, true
	})
	if err != nil {
		return nil, err
	}
	t.localNode.UDPContact(to)
	t.write(to, toid, req, packet)
	return rm, nil
}

// endpoint returns n's UDP endpoint in a family our socket reaches: for a
// dual-stack record, the address of our socket's family.
func (t *UDPv4) endpoint(n *enode.Node) (netip.AddrPort, bool) {
	if n = n.ForFamilies(t.families); n == nil {
		return netip.AddrPort{}, false
	}
	return n.UDPEndpoint()
}

// ownEndpoint is the UDP endpoint we announce in a ping to to: the record's
// in to's family (a dual-stack node tells an IPv6 peer its IPv6 address),
// else the socket's.
func (t *UDPv4) ownEndpoint(self *enode.Node, to netip.AddrPort) netip.AddrPort {
	if n := self.ForFamilies(enode.ListenFamilies(to.Addr())); n != nil {
		if ep, ok := n.UDPEndpoint(); ok {
			return ep
		}
	}
	if a, ok := t.conn.LocalAddr().(interface{ AddrPort() netip.AddrPort }); ok {
		return a.AddrPort()
	}
	return netip.AddrPort{}
}

// ensureBond makes sure n holds a proof of our endpoint before we send it a
// findnode or ENR request: if n has not pinged us within bondExpiration, we
// ping it and wait for its ping back (which we answer with the pong that is
// our proof).
//
// If n pinged us but the bond is in doubt (bonds.doubt: it left a request
// unanswered since), we ping it and return once it answers, with the waiter
// for its ping back still pending: a node that kept our proof answers our
// ping without pinging back, and waiting for that ping cost the request
// the whole respTimeout. The caller sends its request at once and sends it
// again if the ping comes after all (sendRequest): the node had lost our
// proof and dropped the first one.
//
// It fails when ctx ends or n does not answer our ping: a silent node would
// leave the request unanswered too, and waiting out a second timeout for it
// made each dead node cost a lookup twice respTimeout.
func (t *UDPv4) ensureBond(ctx context.Context, toid enode.ID, to netip.AddrPort) (pingBack *replyMatcher, err error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if t.bonds.pingedRecently(toid, to.Addr()) {
		return nil, nil
	}
	doubted := t.bonds.doubted(toid, to.Addr())
	// Wait for its ping while our ping is in flight: the two may arrive
	// in any order.
	pingWait, err := t.pending(toid, to.Addr(), v4wire.PingPacket, false, func(v4wire.Packet) (bool, bool) { return true, true })
	if err != nil {
		return nil, ctx.Err()
	}
	if pm, err := t.sendPing(toid, to, false, nil); err == nil {
		if err := t.wait(ctx, pm); errors.Is(err, errTimeout) {
			// No pong: it will not ping back either. Its ping waiter,
			// registered at the same time, times out on its own.
			return nil, err
		}
	}
	if doubted && ctx.Err() == nil {
		select {
		case <-pingWait.errc:
			// Its ping came first: it has our pong already.
			return nil, nil
		default:
			return pingWait, nil
		}
	}
	t.wait(ctx, pingWait)
	return nil, ctx.Err()
}

// sendRequest writes a findnode or ENR request and waits for rm, its reply
// matcher. pingBack, if set, is ensureBond's waiter for the recipient's
// ping back: when that ping comes the recipient had no proof of our
// endpoint and dropped the request, so it is sent again (same bytes; a
// refused packet does not count against the replay limit), now that our
// pong to the ping is on its way ahead of it.
func (t *UDPv4) sendRequest(ctx context.Context, toid enode.ID, to netip.AddrPort, req v4wire.Packet, packet []byte, rm, pingBack *replyMatcher) error {
	t.write(to, toid, req, packet)
	if pingBack != nil {
		wctx, cancel := context.WithCancel(ctx)
		done := make(chan struct{})
		go func() {
			defer close(done)
			if t.wait(wctx, pingBack) == nil {
				t.write(to, toid, req, packet)
			}
		}()
		defer func() { cancel(); <-done }()
	}
	return t.wait(ctx, rm)
}

// findnode asks n for the nodes closest to target and collects Neighbors
// packets until it has discover.BucketSize nodes, a packet that is not full
// ends the answer, or respTimeout passes.
//
// Responders (ours, go-ethereum's) fill each packet with
// v4wire.MaxNeighbors nodes before they start the next one, so a packet
// with fewer is the last: a node that knows fewer than k nodes, or whose
// relay check left some out, has answered in full then. Waiting for nodes
// that never come cost a lookup the whole respTimeout for every such
// answer. The price is a reordered answer whose short packet overtakes the
// full one: its other nodes are then missed, which a lookup tolerates.
func (t *UDPv4) findnode(ctx context.Context, toid enode.ID, to netip.AddrPort, target v4wire.Pubkey, pingBack *replyMatcher) ([]*enode.Node, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var (
		nodes     = make([]*enode.Node, 0, discover.BucketSize)
		nreceived int
	)
	rm, err := t.pending(toid, to.Addr(), v4wire.NeighborsPacket, false, func(p v4wire.Packet) (bool, bool) {
		reply := p.(*v4wire.Neighbors)
		for _, rn := range reply.Nodes {
			nreceived++
			if nreceived > discover.BucketSize {
				break
			}
			n, err := t.nodeFromWire(to, rn)
			if err != nil {
				t.log.debug("Invalid neighbor node", "id", toid, "addr", to, "err", err)
				continue
			}
			nodes = append(nodes, n)
		}
		return true, nreceived >= discover.BucketSize || len(reply.Nodes) < v4wire.MaxNeighbors
	})
	if err != nil {
		return nil, err
	}
	req := &v4wire.Findnode{Target: target, Expiration: t.makeExpiration()}
	packet, _, err := v4wire.Encode(t.priv, req)
	if err != nil {
		return nil, err
	}
	err = t.sendRequest(ctx, toid, to, req, packet, rm, pingBack)
	// What came before the timeout is its answer (a full last packet
	// ends nothing, and one of several packets may be lost).
	if errors.Is(err, errTimeout) && nreceived > 0 {
		err = nil
	}
	switch {
	case err == nil:
		t.bonds.answered(toid, to.Addr())
	case errors.Is(err, errTimeout):
		t.bonds.doubt(toid, to.Addr())
	}
	return nodes, err
}

// RequestENR asks n for its current record, waiting at most until ctx ends.
func (t *UDPv4) RequestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	addr, ok := t.endpoint(n)
	if !ok {
		return nil, errNoUDPEndpoint
	}
	pingBack, err := t.ensureBond(ctx, n.ID(), addr)
	if err != nil {
		return nil, err
	}
	req := &v4wire.ENRRequest{Expiration: t.makeExpiration()}
	packet, hash, err := v4wire.Encode(t.priv, req)
	if err != nil {
		return nil, err
	}
	var resp *v4wire.ENRResponse
	rm, err := t.pending(n.ID(), addr.Addr(), v4wire.ENRResponsePacket, false, func(p v4wire.Packet) (bool, bool) {
		r := p.(*v4wire.ENRResponse)
		if !bytes.Equal(r.ReplyTok, hash) {
			return false, false
		}
		resp = r
		return true, true
	})
	if err != nil {
		return nil, err
	}
	if err := t.sendRequest(ctx, n.ID(), addr, req, packet, rm, pingBack); err != nil {
		if errors.Is(err, errTimeout) {
			t.bonds.doubt(n.ID(), addr.Addr())
		}
		return nil, err
	}
	t.bonds.answered(n.ID(), addr.Addr())
	rn, err := enode.New(t.cfg.ValidSchemes, &resp.Record)
	if err != nil {
		return nil, err
	}
	if rn.ID() != n.ID() {
		return nil, errWrongID
	}
	if rn.Seq() < n.Seq() {
		return n, nil // we know a newer one
	}
	return rn, nil
}

// Resolve returns the newest record of n that it can find: from the table,
// from n itself, or from the nodes a lookup for n's key turns up. It returns
// n when nothing newer is found, also when ctx ends first.
func (t *UDPv4) Resolve(ctx context.Context, n *enode.Node) *enode.Node {
	if tn := t.tab.Node(n.ID()); tn != nil && tn.Seq() > n.Seq() {
		n = tn
	}
	if rn, err := t.RequestENR(ctx, n); err == nil {
		return rn
	}
	// The node may have moved: look for it.
	for _, c := range t.lookup(ctx, v4wire.EncodePubkey(n.Pubkey())) {
		if c.ID() == n.ID() {
			if rn, err := t.RequestENR(ctx, c); err == nil {
				return rn
			}
		}
	}
	return n
}

// Lookup finds the discover.BucketSize nodes closest to target that answer.
// When ctx ends first, it returns the nodes that answered so far.
func (t *UDPv4) Lookup(ctx context.Context, target *enode.Node) []*enode.Node {
	return t.lookup(ctx, v4wire.EncodePubkey(target.Pubkey()))
}

// LookupPubkey finds the nodes closest to the ID of a public key, as Lookup.
func (t *UDPv4) LookupPubkey(ctx context.Context, key v4wire.Pubkey) []*enode.Node {
	return t.lookup(ctx, key)
}

// LookupRandom runs a lookup for a random target, as Lookup.
func (t *UDPv4) LookupRandom(ctx context.Context) []*enode.Node {
	return t.newRandomLookup(ctx).Run()
}

// RandomNodes returns an iterator that runs lookups for random targets and
// yields the nodes they find. It feeds the dialer. Its Close (or the
// engine's) ends the lookup in progress.
func (t *UDPv4) RandomNodes() enode.Iterator {
	return t.tab.NewLookupIterator(t.newRandomLookup)
}

func (t *UDPv4) lookup(ctx context.Context, target v4wire.Pubkey) []*enode.Node {
	return t.newLookup(ctx, target).Run()
}

func (t *UDPv4) newLookup(ctx context.Context, target v4wire.Pubkey) *discover.Lookup {
	return t.tab.NewLookup(ctx, target.ID(), func(ctx context.Context, n *enode.Node) ([]*enode.Node, error) {
		return t.query(ctx, n, target)
	})
}

// query is one step of a lookup: it bonds with n if needed and asks it for
// the nodes closest to target.
func (t *UDPv4) query(ctx context.Context, n *enode.Node, target v4wire.Pubkey) ([]*enode.Node, error) {
	addr, ok := t.endpoint(n)
	if !ok {
		return nil, errNoUDPEndpoint
	}
	pingBack, err := t.ensureBond(ctx, n.ID(), addr)
	if err != nil {
		return nil, err
	}
	return t.findnode(ctx, n.ID(), addr, target, pingBack)
}

func (t *UDPv4) newRandomLookup(ctx context.Context) *discover.Lookup {
	var target v4wire.Pubkey
	rand.Read(target[:])
	return t.newLookup(ctx, target)
}

// tableTransport is the engine as the table sees it.
type tableTransport struct{ t *UDPv4 }

func (tt tableTransport) Self() *enode.Node { return tt.t.Self() }
func (tt tableTransport) Ping(ctx context.Context, n *enode.Node) (uint64, error) {
	return tt.t.ping(ctx, n)
}
func (tt tableTransport) RequestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	return tt.t.RequestENR(ctx, n)
}
func (tt tableTransport) NewSelfLookup(ctx context.Context) *discover.Lookup {
	return tt.t.newLookup(ctx, v4wire.EncodePubkey(&tt.t.priv.PublicKey))
}
func (tt tableTransport) NewRandomLookup(ctx context.Context) *discover.Lookup {
	return tt.t.newRandomLookup(ctx)
}
