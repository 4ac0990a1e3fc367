package v5

import (
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/mclock"
)

// fakePeer speaks discv5 through the codec alone, so a test can send
// whatever responses it likes.
type fakePeer struct {
	t     testing.TB
	conn  *memnet.Conn
	codec *v5wire.Codec
	node  *enode.Node
}

func newFakePeer(t testing.TB, nw *memnet.Network, addr netip.AddrPort) *fakePeer {
	key := testnet.NewKey(t)
	ln := enode.NewLocalNode(nil, key)
	ln.SetStaticIP(addr.Addr().AsSlice())
	ln.SetFallbackUDP(int(addr.Port()))
	conn, err := nw.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { conn.Close() })
	return &fakePeer{t: t, conn: conn, codec: v5wire.NewCodec(key, ln.Node, mclock.System{}, 0), node: ln.Node()}
}

func (f *fakePeer) read() (enode.ID, netip.AddrPort, v5wire.Packet) {
	buf := make([]byte, 1500)
	for {
		n, from, err := f.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			f.t.Fatal(err)
		}
		src, _, p, err := f.codec.Decode(buf[:n], from.String())
		if err != nil {
			continue
		}
		return src, from, p
	}
}

// acceptRequest completes the handshake the engine starts and returns its
// request.
func (f *fakePeer) acceptRequest() (enode.ID, netip.AddrPort, v5wire.Packet) {
	src, from, p := f.read()
	if u, ok := p.(*v5wire.Unknown); ok {
		f.send(src, from, &v5wire.Whoareyou{Nonce: u.Nonce})
		src, from, p = f.read()
	}
	return src, from, p
}

func (f *fakePeer) send(id enode.ID, to netip.AddrPort, p v5wire.Packet) {
	enc, _, err := f.codec.Encode(id, to.String(), p, nil)
	if err != nil {
		f.t.Fatal(err)
	}
	f.conn.WriteToUDPAddrPort(enc, to)
}

// nodeAtDistance makes a signed record whose ID is at log distance d from
// id (d ≥ 254, so a few tries suffice).
func nodeAtDistance(t testing.TB, id enode.ID, d int, ip netip.Addr, port int) *enode.Node {
	for {
		key, _ := crypto.GenerateKey()
		if enode.LogDist(id, enode.PubkeyToIDV4(&key.PublicKey)) != d {
			continue
		}
		var r enr.Record
		if ip.Is4() {
			r.Set(enr.IPv4(ip))
		}
		r.Set(enr.UDP(port))
		if err := enode.SignV4(&r, key); err != nil {
			t.Fatal(err)
		}
		n, err := enode.New(enode.ValidSchemes, &r)
		if err != nil {
			t.Fatal(err)
		}
		return n
	}
}

// TestNodesVerification: records at a distance we did not ask for, with a
// low port, with a LAN address from a public peer, or repeated are dropped.
func TestNodesVerification(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		ours := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer ours.Close()
		fake := newFakePeer(t, nw, testnet.PublicAddr(2))
		fid := fake.node.ID()
		good1 := nodeAtDistance(t, fid, 256, netip.MustParseAddr("11.9.9.1"), 30303)
		good2 := nodeAtDistance(t, fid, 256, netip.MustParseAddr("11.9.8.1"), 30303)
		wrongDist := nodeAtDistance(t, fid, 255, netip.MustParseAddr("11.9.7.1"), 30303)
		lowPort := nodeAtDistance(t, fid, 256, netip.MustParseAddr("11.9.6.1"), 1000)
		lan := nodeAtDistance(t, fid, 256, netip.MustParseAddr("192.168.1.1"), 30303)

		var got []*enode.Node
		done := make(chan error, 1)
		go func() {
			var err error
			got, err = ours.Findnode(t.Context(), fake.node, []uint{256})
			done <- err
		}()
		src, from, p := fake.acceptRequest()
		req := p.(*v5wire.Findnode)
		fake.send(src, from, &v5wire.Nodes{ReqID: req.ReqID, RespCount: 2, Nodes: []*enr.Record{good1.Record(), wrongDist.Record(), lowPort.Record()}})
		fake.send(src, from, &v5wire.Nodes{ReqID: req.ReqID, RespCount: 2, Nodes: []*enr.Record{lan.Record(), good1.Record(), good2.Record()}})
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		if err := testnet.SameIDs(testnet.IDsOf(got), []enode.ID{good1.ID(), good2.ID()}); err != nil {
			t.Fatalf("accepted records: %v", err)
		}
		if l := ours.tab.Len(); l > 1 {
			t.Fatalf("table took %d nodes", l)
		}
	})
}

// TestNodesResponseLimits: a peer announcing 255 NODES packets is heard for
// 5 at most; a total of 0 ends the call after the first.
func TestNodesResponseLimits(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		ours := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer ours.Close()
		fake := newFakePeer(t, nw, testnet.PublicAddr(2))
		fid := fake.node.ID()
		for _, tc := range []struct {
			total     uint8
			send, max int
		}{{255, 8, totalNodesRespLimit}, {0, 3, 1}, {1, 3, 1}} {
			var got []*enode.Node
			done := make(chan error, 1)
			go func() {
				var err error
				got, err = ours.Findnode(t.Context(), fake.node, []uint{256})
				done <- err
			}()
			src, from, p := fake.acceptRequest()
			req := p.(*v5wire.Findnode)
			for i := range tc.send {
				n := nodeAtDistance(t, fid, 256, netip.AddrFrom4([4]byte{11, 8, byte(i), 1}), 30303)
				fake.send(src, from, &v5wire.Nodes{ReqID: req.ReqID, RespCount: tc.total, Nodes: []*enr.Record{n.Record()}})
			}
			if err := <-done; err != nil {
				t.Fatal(err)
			}
			if len(got) != tc.max {
				t.Errorf("total %d: %d records accepted, want %d", tc.total, len(got), tc.max)
			}
		}
	})
}

// TestFindnodeAnswerLimits: our answer holds at most 16 records in at most
// 5 packets, each within the packet size limit.
func TestFindnodeAnswerLimits(t *testing.T) {
	var nodes []*enode.Node
	self := enode.ID{}
	for i := range 40 {
		nodes = append(nodes, nodeAtDistance(t, self, 256, netip.AddrFrom4([4]byte{11, 7, byte(i), 1}), 30303))
	}
	resp := packNodes([]byte{1}, nodes[:findnodeResultLimit])
	if len(resp) > totalNodesRespLimit {
		t.Fatalf("%d packets", len(resp))
	}
	count := 0
	for _, r := range resp {
		count += len(r.Nodes)
		if int(r.RespCount) != len(resp) {
			t.Fatalf("RespCount %d of %d", r.RespCount, len(resp))
		}
		if _, err := v5wire.EncodeMessage(r); err != nil {
			t.Fatal(err)
		}
	}
	if count != findnodeResultLimit {
		t.Fatalf("%d records packed", count)
	}
}

// TestRandomPacketFlood: 100,000 random datagrams (half of them well-formed
// packets from unknown senders) are dropped or challenged without panics;
// the session state stays bounded and the node still works afterwards.
func TestRandomPacketFlood(t *testing.T) {
	n := 100_000
	if testing.Short() || raceEnabled {
		n = 10_000
	}
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		ours := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer ours.Close()
		conn := ours.conn.(*memnet.Conn)
		rng := rand.New(rand.NewPCG(1, 2))
		senderKey := testnet.NewKey(t)
		sender := v5wire.NewCodec(senderKey, func() *enode.Node {
			return enode.NewV4(&senderKey.PublicKey, net.IP{11, 1, 1, 1}, 0, 30303)
		}, mclock.System{}, 0)
		buf := make([]byte, 1400)
		for i := range n {
			from := netip.AddrPortFrom(netip.AddrFrom4([4]byte{12, byte(i >> 16), byte(i >> 8), byte(i)}), 30303)
			var pkt []byte
			if i%2 == 0 {
				pkt = buf[:rng.IntN(len(buf))]
				for j := range pkt {
					pkt[j] = byte(rng.Uint32())
				}
			} else {
				pkt, _, _ = sender.Encode(ours.Self().ID(), from.String(), &v5wire.Ping{ReqID: []byte{1}}, nil)
			}
			for !conn.Inject(from, append([]byte(nil), pkt...)) {
				synctest.Wait()
			}
		}
		synctest.Wait()
		var sessions, pending int
		done := make(chan struct{})
		ours.sendFunc(func() {
			sessions, pending = ours.codec.Sessions().Len(), ours.codec.Sessions().PendingHandshakes()
			close(done)
		})
		<-done
		if sessions != 0 || pending > 4096 {
			t.Fatalf("state grew: %d sessions, %d pending challenges", sessions, pending)
		}
		t.Logf("after %d packets: %d pending challenges, %d goroutines", n, pending, runtime.NumGoroutine())
		// The flood spent the budget that all unproven sources share
		// (discover.AdmitConfig.Unproven); a newcomer gets through once it
		// has refilled, a second later.
		time.Sleep(time.Second)
		other := startNode(t, nw, testnet.PublicAddr(3), Config{})
		defer other.Close()
		if err := other.Ping(t.Context(), ours.Self()); err != nil {
			t.Fatal("node unusable after flood:", err)
		}
	})
}

// TestTalkFlood: handlers that do not return hold at most
// maxActiveTalkRequests slots; further requests are dropped (and counted),
// not queued.
func TestTalkFlood(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		// Admission would stop the flood long before the talk limit: lift
		// it for the source, this test is about the handler slots.
		unlimited := discover.Rate{PerSecond: 1e6, Burst: 1e6}
		ours := startNode(t, nw, testnet.PublicAddr(1), Config{Admission: discover.AdmitConfig{PerIP: unlimited, Reserved: unlimited}})
		fake := newFakePeer(t, nw, testnet.PublicAddr(2))
		var running atomic.Int32
		release := make(chan struct{})
		ours.RegisterTalkHandler("slow", func(enode.ID, netip.AddrPort, []byte) []byte {
			running.Add(1)
			<-release
			return nil
		})
		// Establish a session: the fake pings us.
		done := make(chan error, 1)
		go func() { done <- ours.Ping(t.Context(), fake.node) }()
		src, from, p := fake.acceptRequest()
		fake.send(src, from, &v5wire.Pong{ReqID: p.RequestID(), ToIP: net.IP{11, 0, 1, 1}, ToPort: 30303})
		if err := <-done; err != nil {
			t.Fatal(err)
		}
		for i := range maxActiveTalkRequests + 500 {
			fake.send(src, from, &v5wire.TalkRequest{ReqID: []byte{byte(i), byte(i >> 8)}, Protocol: "slow"})
			if i%100 == 0 {
				synctest.Wait()
			}
		}
		synctest.Wait()
		if r := running.Load(); r != maxActiveTalkRequests {
			t.Fatalf("%d handlers running, want %d", r, maxActiveTalkRequests)
		}
		if d := ours.DroppedTalkRequests(); d != 500 {
			t.Errorf("%d requests counted as dropped, want 500", d)
		}
		close(release)
		time.Sleep(time.Second)
		ours.Close()
	})
}
