package v4

import (
	"errors"
	"net/netip"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
)

// handlePacket decodes one datagram and dispatches it. Cheap checks come
// first (admission by source address, replay filter, expiration) so that
// floods cost little.
func (t *UDPv4) handlePacket(from netip.AddrPort, buf []byte) {
	from = netip.AddrPortFrom(from.Addr().Unmap(), from.Port())
	if t.cfg.NetRestrict != nil && !t.cfg.NetRestrict.Contains(from.Addr()) {
		t.stats.Drop(discover.DropNetRestrict)
		return
	}
	if !t.admit.Admit(from.Addr(), len(buf)) {
		t.stats.Drop(discover.DropRateLimit) // AdmitStats says which limit
		return
	}
	var (
		p    v4wire.Packet
		key  v4wire.Pubkey
		hash []byte
	)
	if e, ok := t.replays.get(buf, from); ok {
		if e.exhausted() {
			t.log.trace("Dropping replayed packet", "addr", from)
			t.stats.Drop(discover.DropReplay)
			return
		}
		var err error
		if p, err = v4wire.DecodeVerified(buf); err != nil {
			// Cannot happen: the same bytes decoded before.
			t.stats.Drop(discover.DropDecode)
			return
		}
		key, hash = e.key, buf[:32]
	} else {
		var err error
		if p, key, hash, err = v4wire.Decode(buf); err != nil {
			t.log.trace("Bad discv4 packet", "addr", from, "err", err)
			if !t.unhandled(from, buf) {
				t.stats.Drop(discover.DropDecode)
			}
			return
		}
	}
	fromID := key.ID()
	t.stats.In(int(p.Kind()))
	if fromID == t.localNode.ID() {
		t.stats.Drop(discover.DropSelf)
		return // our own packet reflected back
	}
	t.log.trace("<< "+p.Name(), "id", fromID, "addr", from)
	var err error
	switch p := p.(type) {
	case *v4wire.Ping:
		err = t.handlePing(p, key, fromID, from, hash)
	case *v4wire.Pong:
		err = t.handlePong(p, fromID, from)
	case *v4wire.Findnode:
		err = t.handleFindnode(p, fromID, from)
	case *v4wire.Neighbors:
		err = t.handleNeighbors(p, fromID, from)
	case *v4wire.ENRRequest:
		err = t.handleENRRequest(p, fromID, from, hash)
	case *v4wire.ENRResponse:
		err = t.handleENRResponse(p, fromID, from)
	}
	t.replays.add(hash, from, key, err == nil)
	if err != nil {
		t.stats.Drop(dropReason(err))
		t.log.debug("Dropped discv4 packet", "type", p.Name(), "id", fromID, "addr", from, "err", err)
	}
}

// unhandled hands a datagram discv4 cannot decode to the sharing engine. It
// reports false when there is none (the packet is then simply bad); a full
// queue drops it.
func (t *UDPv4) unhandled(from netip.AddrPort, buf []byte) bool {
	if t.cfg.Unhandled == nil {
		return false
	}
	select {
	case t.cfg.Unhandled <- ReadPacket{Data: append([]byte(nil), buf...), Addr: from}:
	default:
		t.stats.Drop(discover.DropOther)
	}
	return true
}

// handlePing answers with a pong, pings back a node we have no proof for,
// and offers the node to the table once its endpoint is proven.
func (t *UDPv4) handlePing(p *v4wire.Ping, key v4wire.Pubkey, fromID enode.ID, from netip.AddrPort, hash []byte) error {
	if t.expired(p.Expiration) {
		return errExpired
	}
	n, err := nodeFromPing(key, from, p.From.TCP)
	if err != nil {
		return err
	}
	pong := &v4wire.Pong{
		To:         v4wire.NewEndpoint(from, p.From.TCP),
		ReplyTok:   hash,
		Expiration: t.makeExpiration(),
		ENRSeq:     t.localNode.Seq(),
	}
	proven := t.bonds.hasProof(fromID, from.Addr())
	if proven {
		t.send(from, fromID, pong)
	} else if err := t.sendReply(from, fromID, pong); errors.Is(err, errNoReplyCredit) {
		return err
	}
	// Ping back if the sender has not proven its endpoint; it enters the
	// table when its pong arrives. The ping-back is optional work that a
	// flood cannot grow without bound (maxPending), and it is sent only
	// while the sender's reply credit covers it.
	if !proven {
		t.sendPing(fromID, from, true, func(*v4wire.Pong) { t.tab.AddInboundNode(n) })
	} else {
		t.tab.AddInboundNode(n)
	}
	t.bonds.gotPing(fromID, from.Addr())
	// Wake a request waiting for this node's ping (see ensureBond).
	t.handleReply(fromID, from.Addr(), p)
	// Only a node that answered our ping votes on our endpoint: a forged
	// source address cannot (see enode.LocalNode.UDPEndpointStatement).
	if proven && p.To.IP.IsValid() && p.To.UDP != 0 {
		t.localNode.UDPEndpointStatement(from, netip.AddrPortFrom(p.To.IP.Unmap(), p.To.UDP))
	}
	return nil
}

func (t *UDPv4) handlePong(p *v4wire.Pong, fromID enode.ID, from netip.AddrPort) error {
	if t.expired(p.Expiration) {
		return errExpired
	}
	// The matching ping's matcher records the endpoint proof, so the vote
	// below comes from a node that proved its endpoint.
	if !t.handleReply(fromID, from.Addr(), p) {
		return errUnsolicited
	}
	if p.To.IP.IsValid() && p.To.UDP != 0 {
		t.localNode.UDPEndpointStatement(from, netip.AddrPortFrom(p.To.IP.Unmap(), p.To.UDP))
	}
	return nil
}

// handleFindnode answers with the closest nodes we know, in packets of at
// most v4wire.MaxNeighbors nodes, but only to a sender that proved its
// endpoint: otherwise a forged source address would turn us into an
// amplifier.
func (t *UDPv4) handleFindnode(p *v4wire.Findnode, fromID enode.ID, from netip.AddrPort) error {
	if t.expired(p.Expiration) {
		return errExpired
	}
	if !t.bonds.hasProof(fromID, from.Addr()) {
		return errUnknownNode
	}
	closest := t.tab.Closest(p.Target.ID(), discover.BucketSize, true)
	reply := v4wire.Neighbors{Expiration: t.makeExpiration()}
	sent := false
	for _, n := range closest {
		if err := checkRelay(from.Addr(), n); err != nil {
			continue
		}
		reply.Nodes = append(reply.Nodes, v4wire.NewNode(n))
		if len(reply.Nodes) == v4wire.MaxNeighbors {
			t.send(from, fromID, &reply)
			reply.Nodes = reply.Nodes[:0]
			sent = true
		}
	}
	if len(reply.Nodes) > 0 || !sent {
		t.send(from, fromID, &reply)
	}
	return nil
}

func (t *UDPv4) handleNeighbors(p *v4wire.Neighbors, fromID enode.ID, from netip.AddrPort) error {
	if t.expired(p.Expiration) {
		return errExpired
	}
	if !t.handleReply(fromID, from.Addr(), p) {
		return errUnsolicited
	}
	return nil
}

func (t *UDPv4) handleENRRequest(p *v4wire.ENRRequest, fromID enode.ID, from netip.AddrPort, hash []byte) error {
	if t.expired(p.Expiration) {
		return errExpired
	}
	if !t.bonds.hasProof(fromID, from.Addr()) {
		return errUnknownNode
	}
	t.send(from, fromID, &v4wire.ENRResponse{
		ReplyTok: hash,
		Record:   *t.localNode.Node().Record(),
	})
	return nil
}

func (t *UDPv4) handleENRResponse(p *v4wire.ENRResponse, fromID enode.ID, from netip.AddrPort) error {
	if !t.handleReply(fromID, from.Addr(), p) {
		return errUnsolicited
	}
	return nil
}
