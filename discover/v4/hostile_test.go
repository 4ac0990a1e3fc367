package v4

import (
	"crypto/ecdsa"
	"crypto/rand"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
)

// rawPeer speaks discv4 by hand: it sends what the test tells it and records
// everything it receives. It answers pings (so that it can bond) unless
// silent is set.
type rawPeer struct {
	t    *testing.T
	key  *ecdsa.PrivateKey
	conn *memnet.Conn

	mu     sync.Mutex
	got    []v4wire.Packet
	silent bool
	done   chan struct{}
}

func newRawPeer(t *testing.T, nw *memnet.Network, addr netip.AddrPort) *rawPeer {
	conn, err := nw.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	p := &rawPeer{t: t, key: testnet.NewKey(t), conn: conn, done: make(chan struct{})}
	go p.readLoop()
	return p
}

func (p *rawPeer) close() { p.conn.Close(); <-p.done }

func (p *rawPeer) id() enode.ID { return v4wire.EncodePubkey(&p.key.PublicKey).ID() }

func (p *rawPeer) readLoop() {
	defer close(p.done)
	buf := make([]byte, 2048)
	for {
		n, from, err := p.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		pkt, _, hash, err := v4wire.Decode(buf[:n])
		if err != nil {
			continue
		}
		p.mu.Lock()
		p.got = append(p.got, pkt)
		silent := p.silent
		p.mu.Unlock()
		if ping, ok := pkt.(*v4wire.Ping); ok && !silent {
			p.send(from, &v4wire.Pong{To: v4wire.NewEndpoint(from, ping.From.TCP), ReplyTok: hash, Expiration: future()})
		}
	}
}

func (p *rawPeer) encode(pkt v4wire.Packet) (packet, hash []byte) {
	packet, hash, err := v4wire.Encode(p.key, pkt)
	if err != nil {
		p.t.Fatal(err)
	}
	return packet, hash
}

func (p *rawPeer) send(to netip.AddrPort, pkt v4wire.Packet) []byte {
	packet, hash := p.encode(pkt)
	p.conn.WriteToUDPAddrPort(packet, to)
	return hash
}

// received returns the packets of the given kind received so far.
func (p *rawPeer) received(kind byte) []v4wire.Packet {
	p.mu.Lock()
	defer p.mu.Unlock()
	var out []v4wire.Packet
	for _, pkt := range p.got {
		if pkt.Kind() == kind {
			out = append(out, pkt)
		}
	}
	return out
}

func (p *rawPeer) reset() {
	p.mu.Lock()
	p.got = nil
	p.mu.Unlock()
}

func future() uint64 { return uint64(time.Now().Add(expiration).Unix()) }

// bond makes p and node know each other: p pings, node pongs and pings back,
// p pongs.
func (p *rawPeer) bond(node *UDPv4) {
	to, _ := node.Self().UDPEndpoint()
	p.send(to, &v4wire.Ping{Version: 4, From: v4wire.NewEndpoint(p.conn.AddrPort(), 0), To: v4wire.NewEndpoint(to, 0), Expiration: future()})
	synctest.Wait()
}

func TestFindnodeWithoutEndpointProof(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		nodes := startNetwork(t, nw, 5, nil)
		defer closeAll(nodes)
		time.Sleep(time.Minute)
		synctest.Wait()
		a := nodes[0]
		aAddr, _ := a.Self().UDPEndpoint()

		p := newRawPeer(t, nw, testnet.PublicAddr(100))
		defer p.close()
		var target v4wire.Pubkey
		p.send(aAddr, &v4wire.Findnode{Target: target, Expiration: future()})
		p.send(aAddr, &v4wire.ENRRequest{Expiration: future()})
		synctest.Wait()
		if got := p.received(v4wire.NeighborsPacket); len(got) != 0 {
			t.Fatalf("findnode without endpoint proof answered: %d packets", len(got))
		}
		if got := p.received(v4wire.ENRResponsePacket); len(got) != 0 {
			t.Fatal("ENR request without endpoint proof answered")
		}

		// After bonding, both are answered.
		p.bond(a)
		p.send(aAddr, &v4wire.Findnode{Target: target, Expiration: future()})
		p.send(aAddr, &v4wire.ENRRequest{Expiration: future()})
		synctest.Wait()
		if len(p.received(v4wire.NeighborsPacket)) == 0 {
			t.Fatal("findnode after bonding not answered")
		}
		if len(p.received(v4wire.ENRResponsePacket)) != 1 {
			t.Fatal("ENR request after bonding not answered")
		}

		// The proof is bound to the IP: the same key from another address
		// gets nothing.
		q := &rawPeer{t: t, key: p.key}
		q.conn, _ = nw.Listen(testnet.PublicAddr(101))
		q.done = make(chan struct{})
		go q.readLoop()
		defer q.close()
		q.send(aAddr, &v4wire.Findnode{Target: target, Expiration: future()})
		synctest.Wait()
		if len(q.received(v4wire.NeighborsPacket)) != 0 {
			t.Fatal("endpoint proof accepted from another IP")
		}
	})
}

func TestExpiredAndReplayedPackets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer a.Close()
		aAddr, _ := a.Self().UDPEndpoint()
		p := newRawPeer(t, nw, testnet.PublicAddr(2))
		defer p.close()

		// Expired ping: no pong.
		p.send(aAddr, &v4wire.Ping{Version: 4, To: v4wire.NewEndpoint(aAddr, 0), Expiration: uint64(time.Now().Add(-time.Second).Unix())})
		synctest.Wait()
		if len(p.received(v4wire.PongPacket)) != 0 {
			t.Fatal("expired ping answered")
		}

		p.bond(a)
		p.reset()
		var target v4wire.Pubkey
		packet, _ := p.encode(&v4wire.Findnode{Target: target, Expiration: future()})
		p.conn.WriteToUDPAddrPort(packet, aAddr)
		synctest.Wait()
		first := len(p.received(v4wire.NeighborsPacket))
		if first == 0 {
			t.Fatal("findnode not answered")
		}
		// Copies are answered, up to maxReplayAnswers times in all.
		const copies = 10
		for range copies {
			p.conn.WriteToUDPAddrPort(packet, aAddr)
		}
		synctest.Wait()
		if got := len(p.received(v4wire.NeighborsPacket)); got != first*maxReplayAnswers {
			t.Fatalf("findnode sent %d times: %d answer packets, want %d", 1+copies, got, first*maxReplayAnswers)
		}
		// After the expiration window, the replay is expired.
		time.Sleep(replayWindow + time.Second)
		p.conn.WriteToUDPAddrPort(packet, aAddr)
		synctest.Wait()
		if got := len(p.received(v4wire.NeighborsPacket)); got != first*maxReplayAnswers {
			t.Fatal("expired replay answered")
		}
	})
}

// TestRepeatedRequest: a sender that signs deterministically (go-ethereum)
// sends the same bytes when it makes one request twice within a second, for
// example its table revalidation's ENRRequest and an application's. The
// second is answered as well: dropping it as a replay made the sender time
// out.
func TestRepeatedRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer a.Close()
		aAddr, _ := a.Self().UDPEndpoint()
		p := newRawPeer(t, nw, testnet.PublicAddr(2))
		defer p.close()
		p.bond(a)
		p.reset()

		exp := future()
		for i := range 2 {
			p.send(aAddr, &v4wire.ENRRequest{Expiration: exp})
			synctest.Wait()
			if got := len(p.received(v4wire.ENRResponsePacket)); got != i+1 {
				t.Fatalf("request %d: %d ENR responses, want %d", i+1, got, i+1)
			}
		}
		ping := &v4wire.Ping{Version: 4, From: v4wire.NewEndpoint(p.conn.AddrPort(), 0), To: v4wire.NewEndpoint(aAddr, 0), Expiration: exp}
		for i := range 2 {
			p.send(aAddr, ping)
			synctest.Wait()
			if got := len(p.received(v4wire.PongPacket)); got != i+1 {
				t.Fatalf("ping %d: %d pongs, want %d", i+1, got, i+1)
			}
		}
	})
}

func TestUnsolicitedReplies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer a.Close()
		aAddr, _ := a.Self().UDPEndpoint()
		p := newRawPeer(t, nw, testnet.PublicAddr(2))
		defer p.close()
		p.bond(a)
		before := a.tab.Len()

		// Neighbors nobody asked for: none of its nodes enter the table.
		var nb v4wire.Neighbors
		nb.Expiration = future()
		for i := range v4wire.MaxNeighbors {
			k := testnet.NewKey(t)
			nb.Nodes = append(nb.Nodes, v4wire.Node{IP: testnet.PublicAddr(200 + i).Addr(), UDP: 30303, TCP: 30303, ID: v4wire.EncodePubkey(&k.PublicKey)})
		}
		p.send(aAddr, &nb)
		// Pong with a made-up reply token, ENR response likewise.
		p.send(aAddr, &v4wire.Pong{To: v4wire.NewEndpoint(aAddr, 0), ReplyTok: make([]byte, 32), Expiration: future()})
		synctest.Wait()
		if a.tab.Len() != before {
			t.Fatalf("unsolicited neighbors entered the table: %d -> %d", before, a.tab.Len())
		}
	})
}

func TestNoLANRelayToInternet(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer a.Close()
		aAddr, _ := a.Self().UDPEndpoint()
		// a knows a LAN node and a public node.
		lan := enode.NewV4(&testnet.NewKey(t).PublicKey, netip.MustParseAddr("10.0.0.7").AsSlice(), 30303, 30303)
		pub := enode.NewV4(&testnet.NewKey(t).PublicKey, testnet.PublicAddr(50).Addr().AsSlice(), 30303, 30303)
		a.tab.AddFoundNode(lan)
		a.tab.AddFoundNode(pub)
		synctest.Wait()

		p := newRawPeer(t, nw, testnet.PublicAddr(2))
		defer p.close()
		p.bond(a)
		p.reset()
		p.send(aAddr, &v4wire.Findnode{Target: v4wire.EncodePubkey(lan.Pubkey()), Expiration: future()})
		synctest.Wait()
		var ids []enode.ID
		for _, pkt := range p.received(v4wire.NeighborsPacket) {
			for _, n := range pkt.(*v4wire.Neighbors).Nodes {
				ids = append(ids, n.ID.ID())
			}
		}
		for _, id := range ids {
			if id == lan.ID() {
				t.Fatal("LAN node relayed to an internet host")
			}
		}
		found := false
		for _, id := range ids {
			found = found || id == pub.ID()
		}
		if !found {
			t.Fatal("public node not relayed")
		}
	})
}

func TestNeighborsFromInternetWithLANNodes(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer a.Close()
		p := newRawPeer(t, nw, testnet.PublicAddr(2))
		defer p.close()
		p.bond(a)

		// a asks p; p answers with LAN, loopback and public nodes.
		pAddr := p.conn.AddrPort()
		pubKey := testnet.NewKey(t)
		go func() {
			// Wait for the findnode, then answer it.
			for len(p.received(v4wire.FindnodePacket)) == 0 {
				time.Sleep(10 * time.Millisecond)
			}
			aAddr, _ := a.Self().UDPEndpoint()
			p.send(aAddr, &v4wire.Neighbors{Expiration: future(), Nodes: []v4wire.Node{
				{IP: netip.MustParseAddr("192.168.1.1"), UDP: 30303, ID: v4wire.EncodePubkey(&testnet.NewKey(t).PublicKey)},
				{IP: netip.MustParseAddr("127.0.0.1"), UDP: 30303, ID: v4wire.EncodePubkey(&testnet.NewKey(t).PublicKey)},
				{IP: testnet.PublicAddr(77).Addr(), UDP: 30303, ID: v4wire.EncodePubkey(&pubKey.PublicKey)},
				{IP: testnet.PublicAddr(78).Addr(), UDP: 30303}, // all-zero key: not a curve point
			}})
		}()
		var target v4wire.Pubkey
		nodes, err := a.findnode(t.Context(), p.id(), pAddr, target, nil)
		if err != nil {
			t.Fatal(err)
		}
		if len(nodes) != 1 || nodes[0].ID() != v4wire.EncodePubkey(&pubKey.PublicKey).ID() {
			t.Fatalf("accepted %d nodes, want only the public one", len(nodes))
		}
	})
}

func TestGarbageAndForgedPackets(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(3), Config{})
		defer a.Close()
		defer b.Close()
		aAddr, _ := a.Self().UDPEndpoint()
		p := newRawPeer(t, nw, testnet.PublicAddr(2))
		defer p.close()

		valid, _ := p.encode(&v4wire.Ping{Version: 4, To: v4wire.NewEndpoint(aAddr, 0), Expiration: future()})
		for n := 0; n <= 1400; n += 7 {
			buf := make([]byte, n)
			rand.Read(buf)
			p.conn.WriteToUDPAddrPort(buf, aAddr)
		}
		// Every single-byte corruption of a valid packet.
		for i := range valid {
			bad := append([]byte(nil), valid...)
			bad[i] ^= 0x01
			p.conn.WriteToUDPAddrPort(bad, aAddr)
		}
		// Truncations.
		for n := range valid {
			p.conn.WriteToUDPAddrPort(valid[:n], aAddr)
		}
		synctest.Wait()
		if got := p.received(v4wire.PongPacket); len(got) != 0 {
			t.Fatalf("corrupt packets answered: %d pongs", len(got))
		}
		if err := b.Ping(t.Context(), a.Self()); err != nil {
			t.Fatalf("node stopped answering: %v", err)
		}
	})
}

// TestFlood sends 100,000 packets of every kind at a node and checks that it
// still answers and that its state stayed bounded.
func TestFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(3), Config{})
		defer a.Close()
		defer b.Close()
		aAddr, _ := a.Self().UDPEndpoint()
		p := newRawPeer(t, nw, testnet.PublicAddr(2))
		defer p.close()
		p.bond(a)
		p.mu.Lock()
		p.silent = true
		p.mu.Unlock()

		// A small set of distinct valid packets (each costs a signature
		// recovery), replayed over and over, mixed with garbage.
		var valid [][]byte
		for i := range 200 {
			k := testnet.NewKey(t)
			from := netip.AddrPortFrom(testnet.PublicAddr(1000+i).Addr(), 30303)
			pkt, _, _ := v4wire.Encode(k, &v4wire.Ping{Version: 4, From: v4wire.NewEndpoint(from, 0), To: v4wire.NewEndpoint(aAddr, 0), Expiration: future()})
			valid = append(valid, pkt)
		}
		findnode, _ := p.encode(&v4wire.Findnode{Expiration: future()})
		garbage := make([]byte, 1280)
		rand.Read(garbage)

		const total = 100_000
		for i := 0; i < total; {
			// Fill a's queue, then let it drain.
			for j := 0; j < memnet.QueueLen && i < total; j, i = j+1, i+1 {
				var pkt []byte
				switch i % 4 {
				case 0:
					pkt = valid[(i/4)%len(valid)]
				case 1:
					pkt = findnode
				case 2:
					pkt = garbage
				default:
					pkt = garbage[:100+i%1000]
				}
				if !a.conn.(*memnet.Conn).Inject(netip.AddrPortFrom(testnet.PublicAddr(2000+i%300).Addr(), 30303), pkt) {
					break
				}
			}
			synctest.Wait()
		}
		time.Sleep(time.Second)
		synctest.Wait()
		if err := b.Ping(t.Context(), a.Self()); err != nil {
			t.Fatalf("node stopped answering after the flood: %v", err)
		}
		if n := a.npending.Load(); n > maxPending {
			t.Errorf("pending replies: %d > %d", n, maxPending)
		}
		if n := a.bonds.len(); n > maxBonds {
			t.Errorf("bonds: %d > %d", n, maxBonds)
		}
		if n := a.replays.len(); n > maxReplayHashes {
			t.Errorf("replay hashes: %d > %d", n, maxReplayHashes)
		}
		if n := a.tab.Len(); n > 17*16 {
			t.Errorf("table: %d nodes", n)
		}
		// Once the timeouts pass, only the node's own background work
		// (revalidation of b) can be pending.
		time.Sleep(2 * respTimeout)
		synctest.Wait()
		if n := a.npending.Load(); n > 4 {
			t.Errorf("%d replies still pending", n)
		}
	})
}
