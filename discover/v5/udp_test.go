package v5

import (
	"bytes"
	"context"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/enode"
)

func TestPingHandshake(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(2), Config{})
		defer a.Close()
		defer b.Close()
		if err := a.Ping(t.Context(), b.Self()); err != nil {
			t.Fatal("first ping:", err)
		}
		if err := b.Ping(t.Context(), a.Self()); err != nil {
			t.Fatal("ping back:", err)
		}
		// b knows a now (handshake record), a's session is reused. Let the
		// replies that b's ping set off (a's pong, b's table work) finish
		// first, so the count below holds only the new ping.
		synctest.Wait()
		sent := a.PacketsSent()
		if err := a.Ping(t.Context(), b.Self()); err != nil {
			t.Fatal(err)
		}
		if d := a.PacketsSent() - sent; d != 1 {
			t.Errorf("ping with session sent %d packets, want 1", d)
		}
	})
}

func TestRehandshakeAfterSessionLoss(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(2), Config{})
		defer a.Close()
		defer b.Close()
		if err := a.Ping(t.Context(), b.Self()); err != nil {
			t.Fatal(err)
		}
		// b forgets the session: a's next message is undecryptable there,
		// b challenges, a answers with a new handshake.
		dropSessions(b)
		if err := a.Ping(t.Context(), b.Self()); err != nil {
			t.Fatal("after remote session loss:", err)
		}
		// a forgets: a sends a random packet and gets challenged.
		dropSessions(a)
		if err := a.Ping(t.Context(), b.Self()); err != nil {
			t.Fatal("after local session loss:", err)
		}
	})
}

// TestHandshakeLoss: when the handshake packet or the reply to it is lost,
// the call sends its request once more instead of timing out; a remote that
// stays silent after its challenge is asked again only once.
func TestHandshakeLoss(t *testing.T) {
	for _, tc := range []struct {
		name     string
		drop     func(fromA bool, n int64) bool // n counts the packets of that side, from 1
		wantErr  bool
		wantSent int64 // packets a sends for the ping
	}{
		// a: random packet, handshake (lost), request again (b cannot
		// decrypt it and challenges), fresh handshake.
		{"handshake lost", func(fromA bool, n int64) bool { return fromA && n == 2 }, false, 4},
		// a: random packet, handshake, one more request, then the error.
		{"remote silent", func(fromA bool, n int64) bool { return fromA && n >= 2 }, true, 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				nw := memnet.New()
				a := startNode(t, nw, testnet.PublicAddr(1), Config{})
				b := startNode(t, nw, testnet.PublicAddr(2), Config{})
				defer a.Close()
				defer b.Close()
				aAddr := testnet.PublicAddr(1)
				var fromA, fromB atomic.Int64
				nw.SetFilter(func(from, to netip.AddrPort, _ []byte) bool {
					if from == aAddr {
						return !tc.drop(true, fromA.Add(1))
					}
					return !tc.drop(false, fromB.Add(1))
				})
				err := a.Ping(t.Context(), b.Self())
				if (err != nil) != tc.wantErr {
					t.Fatalf("ping: err %v, want error %v", err, tc.wantErr)
				}
				if sent := a.PacketsSent(); sent != tc.wantSent {
					t.Errorf("a sent %d packets, want %d", sent, tc.wantSent)
				}
			})
		})
	}
	// The remote here is a fake peer, not a second engine: an engine that
	// completed the handshake adds the caller to its table and may ping it or
	// ask it for nodes (revalidation, refresh) while the call waits to resend,
	// and the caller's answers would count among its packets.
	t.Run("reply lost", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			nw := memnet.New()
			ours := startNode(t, nw, testnet.PublicAddr(1), Config{})
			defer ours.Close()
			fake := newFakePeer(t, nw, testnet.PublicAddr(2))
			done := make(chan error, 1)
			go func() { done <- ours.Ping(context.Background(), fake.node) }()

			// Random packet, WHOAREYOU, the ping in a handshake: its PONG is
			// lost.
			if _, _, p := fake.acceptRequest(); p.Kind() != v5wire.PingMsg {
				t.Fatalf("handshake carries %T, want the ping", p)
			}
			// The request again, through the session the handshake set up.
			src, from, p := fake.read()
			ping, ok := p.(*v5wire.Ping)
			if !ok {
				t.Fatalf("resent request decoded as %T, want the ping", p)
			}
			fake.send(src, from, &v5wire.Pong{ReqID: ping.ReqID, ToIP: net.IP{11, 0, 1, 1}, ToPort: 30303})
			if err := <-done; err != nil {
				t.Fatal("ping:", err)
			}
			if sent := ours.PacketsSent(); sent != 3 {
				t.Errorf("sent %d packets, want 3", sent)
			}
		})
	})
}

// TestHandshakeLossRepeatedChallenge: after a lost handshake the remote
// answers the resent request by repeating the challenge it still waits on
// (go-ethereum does), with the nonce of the first packet; the call answers
// it with a new handshake.
func TestHandshakeLossRepeatedChallenge(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		ours := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer ours.Close()
		fake := newFakePeer(t, nw, testnet.PublicAddr(2))
		done := make(chan error, 1)
		go func() { done <- ours.Ping(t.Context(), fake.node) }()

		src, from, p := fake.read()
		first, ok := p.(*v5wire.Unknown)
		if !ok {
			t.Fatalf("first packet %T, want a random packet", p)
		}
		fake.send(src, from, &v5wire.Whoareyou{Nonce: first.Nonce})
		// The handshake is lost: read it off the socket without decoding.
		buf := make([]byte, 1500)
		if _, _, err := fake.conn.ReadFromUDPAddrPort(buf); err != nil {
			t.Fatal(err)
		}
		// The resent request cannot be decrypted; repeat the challenge.
		if _, _, p := fake.read(); p.Kind() != v5wire.UnknownPacket {
			t.Fatalf("resent request decoded as %T", p)
		}
		fake.send(src, from, &v5wire.Whoareyou{Nonce: first.Nonce})
		answer := make(chan []byte, 1)
		go func() {
			n, _, err := fake.conn.ReadFromUDPAddrPort(buf)
			if err == nil {
				answer <- buf[:n]
			}
		}()
		var ping *v5wire.Ping
		select {
		case b := <-answer:
			_, _, p, err := fake.codec.Decode(b, from.String())
			if ping, ok = p.(*v5wire.Ping); !ok {
				t.Fatalf("got %T (%v), want the ping in a handshake", p, err)
			}
		case err := <-done:
			fake.conn.Close()
			t.Fatal("repeated challenge not answered; ping ended with", err)
		}
		fake.send(src, from, &v5wire.Pong{ReqID: ping.ReqID, ToIP: net.IP{11, 0, 1, 1}, ToPort: 30303})
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}

// dropSessions clears the node's session cache (on its dispatch goroutine).
func dropSessions(u *UDPv5) {
	done := make(chan struct{})
	u.sendFunc(func() {
		u.codec.Sessions().Clear()
		close(done)
	})
	<-done
}

func TestTalkRequest(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(2), Config{})
		defer a.Close()
		defer b.Close()
		b.RegisterTalkHandler("echo", func(id enode.ID, addr netip.AddrPort, req []byte) []byte {
			if id != a.Self().ID() {
				t.Errorf("handler sees id %v", id)
			}
			return append([]byte("re:"), req...)
		})
		resp, err := a.TalkRequest(t.Context(), b.Self(), "echo", []byte("hello"))
		if err != nil || !bytes.Equal(resp, []byte("re:hello")) {
			t.Fatalf("got %q, %v", resp, err)
		}
		resp, err = a.TalkRequest(t.Context(), b.Self(), "unknown", []byte("x"))
		if err != nil || len(resp) != 0 {
			t.Fatalf("unknown protocol: got %q, %v", resp, err)
		}
	})
}

func TestNetwork(t *testing.T) {
	netSize := 200
	if raceEnabled || testing.Short() {
		netSize = 50
	}
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		nodes := startNetwork(t, nw, netSize)
		defer closeAll(nodes)
		time.Sleep(2 * time.Minute)
		synctest.Wait()
		for i, n := range nodes {
			if l := n.tab.Len(); l < 16 {
				t.Errorf("node %d: table holds %d nodes, want ≥ 16", i, l)
			}
		}
		sent, _, dropped := nw.Stats()
		t.Logf("after 2 min: %d packets sent, %d dropped", sent, dropped)
		for i := range 5 {
			var target enode.ID
			copy(target[:], nodes[(i*53+7)%len(nodes)].Self().ID().Bytes())
			target[31] ^= 0xff
			src := nodes[(i*37)%len(nodes)]
			want := testnet.TrueClosest(nodes, src.Self().ID(), target, 16)
			// One lookup finds them, without a retry: the distances it
			// asks for make every answer the node's closest to the target
			// (lookupDistances).
			if err := testnet.SameIDs(testnet.IDsOf(src.Lookup(t.Context(), target)), want); err != nil {
				t.Errorf("lookup %d: %v", i, err)
			}
		}
	})
}
