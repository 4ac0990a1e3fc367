package v5

import (
	"bytes"
	"net"
	"net/netip"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/rlp"
)

// handlePacket decodes one datagram and acts on it. Runs on dispatch.
func (t *UDPv5) handlePacket(data []byte, ip netip.Addr, port uint16) {
	from := netip.AddrPortFrom(ip, port)
	if t.cfg.NetRestrict != nil && !t.cfg.NetRestrict.Contains(ip) {
		t.stats.Drop(discover.DropNetRestrict)
		return
	}
	if !t.admitted(ip, len(data)) {
		t.stats.Drop(discover.DropRateLimit) // AdmitStats says which limit
		return
	}
	src, n, p, err := t.codec.Decode(data, from.String())
	if err != nil {
		t.cfg.Logger.Debug("bad discv5 packet", "id", src, "addr", from, "err", err)
		t.stats.Drop(discover.DropDecode)
		return
	}
	t.stats.In(kindSlot(p.Kind()))
	if n != nil {
		// A handshake completed: the sender proved its key and, by
		// answering our challenge, its address.
		t.admit.Prove(ip, proveWindow)
		// Keep the record if it describes the endpoint the packet came from.
		if endpointIs(n, from) {
			t.tab.AddInboundNode(n)
		}
	}
	switch p := p.(type) {
	case *v5wire.Whoareyou:
		t.handleWhoareyou(p, from)
	case *v5wire.Unknown:
		t.handleUnknown(src, p, from)
	case *v5wire.Ping:
		t.send(src, from, &v5wire.Pong{
			ReqID:  p.ReqID,
			ENRSeq: t.localNode.Seq(),
			ToIP:   ipBytes(ip),
			ToPort: port,
		}, nil)
	case *v5wire.Findnode:
		t.handleFindnode(src, p, from)
	case *v5wire.TalkRequest:
		t.talk.handle(t, src, from, p)
	case *v5wire.Pong, *v5wire.Nodes, *v5wire.TalkResponse:
		t.handleResponse(src, from, p)
	}
}

func ipBytes(ip netip.Addr) net.IP {
	if ip.Is4() {
		b := ip.As4()
		return b[:]
	}
	b := ip.As16()
	return b[:]
}

// handleWhoareyou answers a challenge to one of our calls with a handshake.
func (t *UDPv5) handleWhoareyou(w *v5wire.Whoareyou, from netip.AddrPort) {
	c := t.byNonce[w.Nonce]
	if c == nil || c.addr != from {
		t.cfg.Logger.Debug("unsolicited WHOAREYOU", "addr", from)
		t.stats.Drop(discover.DropUnsolicited)
		return
	}
	if c.handshakes >= maxHandshakesPerCall {
		t.finishCall(c, errChallengeTwice)
		return
	}
	c.handshakes++
	c.challenged = w.Nonce
	w.Node = c.node
	t.sendCall(c, w)
}

// handleUnknown challenges a sender we have no session with.
func (t *UDPv5) handleUnknown(src enode.ID, u *v5wire.Unknown, from netip.AddrPort) {
	// A sender that already holds a challenge from us gets the same one
	// again: its handshake may be under way for the first, and a new
	// id-nonce would make that handshake fail. The resend does not extend
	// the challenge's lifetime, and is no bigger than the packet it answers.
	if w := t.codec.Sessions().PendingChallenge(src, from.String()); w != nil && w.Encoded != nil {
		t.write(from, w.Encoded)
		t.stats.Out(KindWhoareyou)
		return
	}
	w := &v5wire.Whoareyou{Nonce: u.Nonce}
	if n := t.knownNode(src); n != nil {
		if endpointIs(n, from) {
			w.Node = n
			w.RecordSeq = n.Seq()
		}
	}
	t.send(src, from, w, nil)
}

// knownNode returns the record of id we know: from a call or the table.
func (t *UDPv5) knownNode(id enode.ID) *enode.Node {
	if c := t.active[id]; c != nil {
		return c.node
	}
	return t.tab.Node(id)
}

// handleResponse hands a response to the call waiting for it.
func (t *UDPv5) handleResponse(src enode.ID, from netip.AddrPort, p v5wire.Packet) {
	c := t.active[src]
	if c == nil || c.addr != from || p.Kind() != c.respType || !bytes.Equal(p.RequestID(), c.packet.RequestID()) {
		t.cfg.Logger.Debug("unsolicited discv5 response", "id", src, "addr", from, "type", p.Name())
		t.stats.Drop(discover.DropUnsolicited)
		return
	}
	c.responses++
	c.ch <- p
	t.admit.Prove(from.Addr(), proveWindow) // it answered a request of ours
	if nodes, ok := p.(*v5wire.Nodes); ok {
		if c.total == 0 {
			// A peer-controlled total of 0 counts as 1, and more than the
			// limit as the limit, so the call always ends (docs/SECURITY.md).
			c.total = min(max(int(nodes.RespCount), 1), totalNodesRespLimit)
		}
		if c.responses < c.total {
			t.armTimer(c)
			return
		}
	}
	// A PONG that answers our PING, from the address we sent it to, in a
	// session: the sender proved its endpoint, so it may vote on ours (see
	// enode.LocalNode.UDPEndpointStatement).
	if pong, ok := p.(*v5wire.Pong); ok && pong.ToPort != 0 {
		if ip, ok := netip.AddrFromSlice(pong.ToIP); ok {
			t.localNode.UDPEndpointStatement(from, netip.AddrPortFrom(ip.Unmap(), pong.ToPort))
		}
	}
	t.finishCall(c, nil)
}

// handleFindnode answers with the records at the asked distances.
func (t *UDPv5) handleFindnode(src enode.ID, p *v5wire.Findnode, from netip.AddrPort) {
	nodes := t.collectTableNodes(from.Addr(), p.Distances, findnodeResultLimit)
	for _, resp := range packNodes(p.ReqID, nodes) {
		t.send(src, from, resp, nil)
	}
}

// collectTableNodes returns up to limit nodes at the given log distances
// from us. Distance 0 is our own record. Nodes the requester may not be told
// about (LAN or special addresses for a public requester) are left out.
func (t *UDPv5) collectTableNodes(rip netip.Addr, distances []uint, limit int) []*enode.Node {
	var (
		out    []*enode.Node
		seen   = make(map[uint]bool)
		self   = t.Self()
		all    []*enode.Node
		loaded bool
	)
	for i, d := range distances {
		if i >= maxFindnodeDistances || len(out) >= limit {
			break
		}
		if d > 256 || seen[d] {
			continue
		}
		seen[d] = true
		if d == 0 {
			out = append(out, self)
			continue
		}
		if !loaded {
			all, loaded = t.tab.Nodes(), true
		}
		for _, n := range all {
			if len(out) >= limit {
				break
			}
			if uint(enode.LogDist(self.ID(), n.ID())) != d {
				continue
			}
			if checkRelay(rip, n) != nil {
				continue
			}
			out = append(out, n)
		}
	}
	return out
}

// packNodes splits nodes into NODES messages of at most
// nodesPacketSizeLimit record bytes, and at most totalNodesRespLimit of them.
func packNodes(reqid []byte, nodes []*enode.Node) []*v5wire.Nodes {
	if len(nodes) == 0 {
		return []*v5wire.Nodes{{ReqID: reqid, RespCount: 1}}
	}
	var (
		resp []*v5wire.Nodes
		cur  = &v5wire.Nodes{ReqID: reqid}
		size int
	)
	for _, n := range nodes {
		enc, err := rlp.EncodeToBytes(n.Record())
		if err != nil {
			continue
		}
		if size+len(enc) > nodesPacketSizeLimit && len(cur.Nodes) > 0 {
			resp = append(resp, cur)
			if len(resp) == totalNodesRespLimit {
				cur = nil
				break
			}
			cur, size = &v5wire.Nodes{ReqID: reqid}, 0
		}
		cur.Nodes = append(cur.Nodes, n.Record())
		size += len(enc)
	}
	if cur != nil && len(cur.Nodes) > 0 {
		resp = append(resp, cur)
	}
	for _, r := range resp {
		r.RespCount = uint8(len(resp))
	}
	return resp
}

// endpointIs reports whether n's record names from as its UDP endpoint in
// from's family: a dual-stack record matches a packet from either of its
// addresses.
func endpointIs(n *enode.Node, from netip.AddrPort) bool {
	if n = n.ForFamilies(enode.ListenFamilies(from.Addr())); n == nil {
		return false
	}
	ep, ok := n.UDPEndpoint()
	return ok && ep == from
}
