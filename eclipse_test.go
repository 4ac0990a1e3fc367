package devp2p

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"log/slog"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/rlpx"
)

// eclipseNet is an in-memory internet of remote nodes for the peer-share
// eclipse test: each node has a key and a claimed address; dialing one, or
// connecting from one, runs a well-behaved RLPx and Hello exchange on a pipe
// and then stays idle until the server drops it.
type eclipseNet struct {
	keys map[enode.ID]*ecdsa.PrivateKey
	wg   sync.WaitGroup
}

func (e *eclipseNet) node(t *testing.T, ip netip.Addr) *enode.Node {
	key := newKey(t)
	n := enode.NewV4(&key.PublicKey, ip.AsSlice(), 30303, 30303)
	e.keys[n.ID()] = key
	return n
}

// Dial is the server's NodeDialer: the remote side answers on a pipe.
func (e *eclipseNet) Dial(ctx context.Context, n *enode.Node) (net.Conn, error) {
	key := e.keys[n.ID()]
	if key == nil {
		return nil, fmt.Errorf("no such node %v", n.ID())
	}
	ep, _ := n.TCPEndpoint()
	server, client := net.Pipe()
	e.serve(client, key, nil)
	return &addrConn{Conn: server, remote: net.TCPAddrFromAddrPort(ep)}, nil
}

// connect opens an inbound connection from n to srv and returns once the
// server added or refused it.
func (e *eclipseNet) connect(srv *Server, n *enode.Node) error {
	ep, _ := n.TCPEndpoint()
	server, client := net.Pipe()
	e.serve(client, e.keys[n.ID()], &srv.cfg.PrivateKey.PublicKey)
	return srv.SetupConn(&addrConn{Conn: server, remote: net.TCPAddrFromAddrPort(ep)}, nil)
}

// serve runs the remote side of fd: handshakes, then reading until the
// connection ends.
func (e *eclipseNet) serve(fd net.Conn, key *ecdsa.PrivateKey, dialDest *ecdsa.PublicKey) {
	e.wg.Add(1)
	go func() {
		defer e.wg.Done()
		defer fd.Close()
		conn := rlpx.NewConn(fd, dialDest)
		if _, err := conn.Handshake(key); err != nil {
			return
		}
		enc, err := rawHello(key, "remote", Cap{"test", 1}).encode()
		if err != nil {
			return
		}
		// Our Hello goes out while we read theirs (a pipe has no buffer);
		// snappy may only start once it is out, or it would be compressed.
		wrote := make(chan error, 1)
		go func() { _, err := conn.Write(handshakeMsg, enc); wrote <- err }()
		code, data, _, err := conn.Read()
		if err != nil || code != handshakeMsg {
			return
		}
		if err := <-wrote; err != nil {
			return
		}
		if their, err := decodeHello(data); err == nil {
			conn.SetSnappy(their.Version >= 5)
		}
		for {
			if _, _, _, err := conn.Read(); err != nil {
				return
			}
		}
	}()
}

// nodeChanIter is a candidate source fed by the test.
type nodeChanIter struct {
	ch     chan *enode.Node
	closed chan struct{}
	once   sync.Once
	cur    *enode.Node
}

func (it *nodeChanIter) Next() bool {
	select {
	case it.cur = <-it.ch:
		return true
	case <-it.closed:
		return false
	}
}
func (it *nodeChanIter) Node() *enode.Node { return it.cur }
func (it *nodeChanIter) Close()            { it.once.Do(func() { close(it.closed) }) }

// TestPeerEclipse: one attacker holding a /16 with 1,000 identities against
// 100 honest nodes spread over 50 /16s. The attacker's identities come
// first among the dial candidates and connect to us 200 times from all over
// its /16; 30 honest nodes connect to us too. At least half of our peers
// are honest: for a public attacker, and for a private /16 next to a node
// with a public address.
func TestPeerEclipse(t *testing.T) {
	for _, tt := range []struct {
		name     string
		attacker func(i int) netip.Addr
	}{
		{"public", func(i int) netip.Addr { return netip.AddrFrom4([4]byte{45, 33, byte(i % 250), byte(1 + i/250)}) }},
		{"lan", func(i int) netip.Addr { return netip.AddrFrom4([4]byte{10, 7, byte(i % 250), byte(1 + i/250)}) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			e := &eclipseNet{keys: make(map[enode.ID]*ecdsa.PrivateKey)}
			var sybils, honest []*enode.Node
			attacker := make(map[enode.ID]bool)
			for i := range 1000 {
				n := e.node(t, tt.attacker(i))
				sybils = append(sybils, n)
				attacker[n.ID()] = true
			}
			for i := range 100 {
				honest = append(honest, e.node(t, netip.AddrFrom4([4]byte{byte(60 + i%50), byte(i / 50), byte(i), 1})))
			}
			candidates := &nodeChanIter{ch: make(chan *enode.Node), closed: make(chan struct{})}
			srv := newTestServer(t, func(c *Config) {
				c.MaxPeers = 50
				c.NoDial = false
				c.Dialer = e
				c.DialCandidates = []enode.Iterator{candidates}
				c.Clock = new(mclock.Simulated)
				c.Logger = slog.New(slog.DiscardHandler) // thousands of refusals
			})
			srv.LocalNode().SetStaticIP(net.IP{80, 10, 0, 1}) // our address is public
			events := make(chan *PeerEvent, 200)
			sub := srv.SubscribeEvents(events)
			defer sub.Unsubscribe()

			// The candidates: the attacker's first, then the honest nodes.
			feedDone := make(chan struct{})
			go func() {
				defer close(feedDone)
				for _, n := range append(append([]*enode.Node(nil), sybils...), honest...) {
					select {
					case candidates.ch <- n:
					case <-candidates.closed:
						return
					}
				}
			}()
			// Inbound: 200 attacker connections from its whole /16, then 30
			// honest nodes.
			for i := range 200 {
				e.connect(srv, sybils[(i*37)%len(sybils)])
			}
			for _, n := range honest[70:] {
				e.connect(srv, n)
			}
			// Wait until the dialer filled its slots.
			max := srv.cfg.maxDialedConns()
			timeout := time.After(testWait)
			for srv.DialStats().DialedPeers < max {
				select {
				case <-events:
				case <-timeout:
					t.Fatalf("dialed peers: %d of %d", srv.DialStats().DialedPeers, max)
				}
			}
			bad, inBad, total := 0, 0, 0
			for _, p := range srv.Peers() {
				total++
				if attacker[p.ID()] {
					bad++
					if p.Inbound() {
						inBad++
					}
				}
			}
			t.Logf("%d peers, %d of them the attacker's (%d inbound, %d dialed)", total, bad, inBad, bad-inBad)
			if 2*bad > total {
				t.Errorf("attacker holds %d of %d peers", bad, total)
			}
			srv.Stop()
			candidates.Close()
			<-feedDone
			e.wg.Wait()
		})
	}
}
