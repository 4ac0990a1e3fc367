package devp2p

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/rlp"
)

func TestPeerCodeOffsets(t *testing.T) {
	srv := newTestServer(t, func(c *Config) {
		c.Protocols = []Protocol{echoProto("test", 1, nil), echoProto("aaa", 1, nil), echoProto("aaa", 2, nil)}
	})
	rp := dialRaw(t, srv, nil)
	// Remote lists test/1 and aaa/1 and aaa/2: aaa/2 wins, codes 16–19;
	// test/1 follows in name order, codes 20–23.
	rp.handshake(rp.hello(Cap{"test", 1}, Cap{"aaa", 1}, Cap{"aaa", 2}, Cap{"zzz", 9}))
	for _, tc := range []struct{ send, want uint64 }{{20, 21}, {16, 17}} {
		if err := rp.send(tc.send, []string{"hi"}); err != nil {
			t.Fatal(err)
		}
		code, data := rp.readMsg()
		if code != tc.want {
			t.Fatalf("sent %d, got reply code %d, want %d", tc.send, code, tc.want)
		}
		var v []string
		if err := rlp.DecodeBytes(data, &v); err != nil || len(v) != 1 || v[0] != "hi" {
			t.Fatalf("reply %x: %v", data, err)
		}
	}
	// Just past the last range: breach of protocol.
	rp.send(24, []string{})
	rp.expectDisc(DiscProtocolError)
}

func TestPeerUnknownCode(t *testing.T) {
	srv := newTestServer(t, nil)
	events := make(chan *PeerEvent, 10)
	srv.SubscribeEvents(events)
	rp := dialRaw(t, srv, nil)
	rp.connect()
	rp.send(0x7ff, []uint{1})
	rp.expectDisc(DiscProtocolError)
	ev := waitEvent(t, events, PeerEventTypeDrop)
	if !strings.Contains(ev.Error, "invalid message code") {
		t.Fatalf("drop error %q", ev.Error)
	}
}

func TestPeerPingPong(t *testing.T) {
	srv := newTestServer(t, nil)
	clock := srv.cfg.Clock.(*mclock.Simulated)
	serverTimers := clock.ActiveTimers()
	rp := dialRaw(t, srv, nil)
	rp.connect()
	rp.send(pingMsg, []any{})
	rp.fd.SetReadDeadline(time.Now().Add(testWait))
	code, _, _, err := rp.conn.Read()
	if err != nil || code != pongMsg {
		t.Fatalf("got code %d, err %v; want pong", code, err)
	}
	// The server pings every 15 s of its clock.
	waitForPingTimer(clock, serverTimers)
	clock.Run(pingInterval)
	code, _, _, err = rp.conn.Read()
	if err != nil || code != pingMsg {
		t.Fatalf("got code %d, err %v; want ping", code, err)
	}
}

func TestPeerReadTimeout(t *testing.T) {
	srv := newTestServer(t, nil)
	clock := srv.cfg.Clock.(*mclock.Simulated)
	serverTimers := clock.ActiveTimers()
	rp := dialRaw(t, srv, nil)
	rp.connect()
	pings := make(chan uint64, 10)
	go func() {
		for {
			code, _, _, err := rp.conn.Read()
			if err != nil {
				close(pings)
				return
			}
			pings <- code
		}
	}()
	waitForPingTimer(clock, serverTimers)
	clock.Run(pingInterval)
	if c := <-pings; c != pingMsg {
		t.Fatalf("got %d, want ping", c)
	}
	// We never answer: after 30 s of silence the server gives up.
	waitForPingTimer(clock, serverTimers)
	clock.Run(pingInterval)
	c, ok := <-pings
	if !ok || c != discMsg {
		t.Fatalf("got %d (open %v), want disconnect", c, ok)
	}
}

func TestPeerPingFlood(t *testing.T) {
	srv := newTestServer(t, nil)
	rp := dialRaw(t, srv, nil)
	rp.connect()
	got := make(chan DiscReason, 1)
	go func() {
		for {
			code, data, _, err := rp.conn.Read()
			if err != nil {
				close(got)
				return
			}
			if code == discMsg {
				got <- decodeDisconnect(data)
			}
		}
	}()
	for i := 0; i < maxPingsPerInterval*4; i++ {
		if err := rp.send(pingMsg, []any{}); err != nil {
			break // dropped
		}
	}
	if r := <-got; r != DiscProtocolError {
		t.Fatalf("ping flooder got %v, want %v", r, DiscProtocolError)
	}
}

func TestPeerRemoteDisconnect(t *testing.T) {
	srv := newTestServer(t, nil)
	events := make(chan *PeerEvent, 10)
	srv.SubscribeEvents(events)
	rp := dialRaw(t, srv, nil)
	rp.connect()
	waitEvent(t, events, PeerEventTypeAdd)
	rp.send(discMsg, []uint{uint(DiscUselessPeer)})
	ev := waitEvent(t, events, PeerEventTypeDrop)
	if ev.Error != DiscUselessPeer.Error() {
		t.Fatalf("drop error %q, want %q", ev.Error, DiscUselessPeer.Error())
	}
}

func TestPeerProtocolEnds(t *testing.T) {
	tests := []struct {
		name string
		ret  error
		want DiscReason
	}{
		{"returns nil", nil, DiscQuitting},
		{"returns error", errors.New("boom"), DiscSubprotocolError},
		{"returns reason", DiscUselessPeer, DiscUselessPeer},
		{"decode error", Msg{Code: 0, Size: 1, Payload: strings.NewReader("\xc5")}.Decode(new([]uint)), DiscProtocolError},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := newTestServer(t, func(c *Config) {
				c.Protocols = []Protocol{{Name: "test", Version: 1, Length: 1, Run: func(*Peer, MsgReadWriter) error { return tt.ret }}}
			})
			rp := dialRaw(t, srv, nil)
			rp.connect()
			rp.expectDisc(tt.want)
		})
	}
}

func TestPeerDisconnectRequested(t *testing.T) {
	srv := newTestServer(t, nil)
	rp := dialRaw(t, srv, nil)
	rp.connect()
	peers := srv.Peers()
	if len(peers) != 1 {
		t.Fatalf("%d peers", len(peers))
	}
	peers[0].Disconnect(DiscRequested)
	rp.expectDisc(DiscRequested)
}

// TestPeerNeverReads: a peer that stops reading is dropped once a write
// times out, and the server keeps working.
func TestPeerNeverReads(t *testing.T) {
	to := defaultTimeouts
	to.write = 200 * time.Millisecond
	to.disc = 50 * time.Millisecond
	srv := newTestServer(t, func(c *Config) {
		c.Protocols = []Protocol{{Name: "test", Version: 1, Length: 1, Run: func(p *Peer, rw MsgReadWriter) error {
			big := make([]byte, 64*1024)
			for {
				if err := Send(rw, 0, big); err != nil {
					return err
				}
			}
		}}}
	}, withTimeouts(to))
	events := make(chan *PeerEvent, 10)
	srv.SubscribeEvents(events)
	rp := dialRaw(t, srv, nil)
	rp.connect()
	ev := waitEvent(t, events, PeerEventTypeDrop)
	if !strings.Contains(ev.Error, "timeout") {
		t.Fatalf("drop error %q, want a write timeout", ev.Error)
	}
	dialRaw(t, srv, nil).connect() // still serving
}

func TestPeerNoSnappyWithV4(t *testing.T) {
	srv := newTestServer(t, nil)
	rp := dialRaw(t, srv, nil)
	h := rp.hello(Cap{"test", 1})
	h.Version = 4
	rp.handshake(h)
	<-rp.setup
	rp.setup <- nil
	rp.send(baseProtocolLength, []string{"plain"})
	code, data := rp.readMsg()
	if code != baseProtocolLength+1 || !strings.Contains(string(data), "plain") {
		t.Fatalf("got %d %x", code, data)
	}
}

// TestPeerDisconnectWhileDelivering: Disconnect ends a session whose reader
// waits for a protocol that stopped reading, and the remote is told why.
func TestPeerDisconnectWhileDelivering(t *testing.T) {
	stop := make(chan struct{})
	srv := newTestServer(t, func(c *Config) {
		c.Protocols = []Protocol{{Name: "test", Version: 1, Length: 1, Run: func(p *Peer, rw MsgReadWriter) error {
			<-stop // never reads
			return nil
		}}}
	})
	defer close(stop)
	rp := dialRaw(t, srv, nil)
	rp.connect()
	if err := rp.send(baseProtocolLength, []string{"unread"}); err != nil {
		t.Fatal(err)
	}
	srv.Peers()[0].Disconnect(DiscRequested)
	rp.expectDisc(DiscRequested)
}

// TestPeerPingsWithoutReading: a remote that sends pings and reads nothing
// meanwhile does not stall our reader (pongs are written by another
// goroutine; over an unbuffered pipe a reader answering itself would block
// on the first pong). The pongs arrive once the remote reads.
func TestPeerPingsWithoutReading(t *testing.T) {
	srv := newTestServer(t, nil)
	rp := dialRaw(t, srv, nil)
	rp.connect()
	const n = 5
	rp.fd.SetWriteDeadline(time.Now().Add(testWait))
	for range n {
		if err := rp.send(pingMsg, []any{}); err != nil {
			t.Fatalf("ping: %v", err)
		}
	}
	rp.fd.SetReadDeadline(time.Now().Add(testWait))
	for i := range n {
		code, _, _, err := rp.conn.Read()
		if err != nil || code != pongMsg {
			t.Fatalf("pong %d: code %d, %v", i, code, err)
		}
	}
}

// waitForPingTimer waits until the peer's ping timer is scheduled. The
// server's own timers (such as the node database's expirer) exist from Start
// on; serverTimers is their count, taken before the peer connected, so the
// peer's timer is the one more.
func waitForPingTimer(clock *mclock.Simulated, serverTimers int) {
	clock.WaitForTimers(serverTimers + 1)
}
