package devp2p

import (
	"bytes"
	"encoding/binary"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

// snappyClaim returns a snappy block whose header claims n decoded bytes
// but whose body is not valid snappy: decoding it fails, so a limit error
// for it proves the limit was checked before decoding.
func snappyClaim(n int) []byte {
	block := binary.AppendUvarint(nil, uint64(n))
	return append(block, bytes.Repeat([]byte{0xff}, n/20)...)
}

// sendRaw sends data as msg-data without compressing it, whatever the
// session uses: the server reads it as a snappy block.
func (rp *rawPeer) sendRaw(code uint64, data []byte) error {
	rp.conn.SetSnappy(false)
	defer rp.conn.SetSnappy(true)
	_, err := rp.conn.Write(code, data)
	return err
}

// TestInboundLimits sends one message of each kind the server must refuse
// before decoding, and checks the Disconnect reason, the drop error and that
// nothing was reserved or decoded for it.
func TestInboundLimits(t *testing.T) {
	const protoMax = 64 << 10
	tests := []struct {
		name string
		code uint64
		size int // claimed decoded size
		want string
	}{
		{"ping over 2 KiB", pingMsg, baseMaxMessageSize + 1, "message too large"},
		{"pong over 2 KiB", pongMsg, 1 << 20, "message too large"},
		{"disconnect over 2 KiB", discMsg, 3000, "message too large"},
		{"hello again over 2 KiB", handshakeMsg, 16<<20 - 1, "message too large"},
		{"reserved 0x04", 0x04, 1, "reserved base protocol message code"},
		{"reserved 0x0f", 0x0f, 1, "reserved base protocol message code"},
		{"reserved bomb", 0x09, 16<<20 - 1, "reserved base protocol message code"},
		{"protocol over its MaxMessageSize", baseProtocolLength + 2, protoMax + 1, "message too large"},
		{"code of no protocol", baseProtocolLength + 4, 16<<20 - 1, "invalid message code"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			srv := newTestServer(t, func(c *Config) {
				c.Protocols[0].MaxMessageSize = protoMax
			})
			events := make(chan *PeerEvent, 10)
			sub := srv.SubscribeEvents(events)
			defer sub.Unsubscribe()
			rp := dialRaw(t, srv, nil)
			rp.connect()
			go rp.sendRaw(tc.code, snappyClaim(tc.size))
			rp.expectDisc(DiscProtocolError)
			ev := waitEvent(t, events, PeerEventTypeDrop)
			if !strings.Contains(ev.Error, tc.want) {
				t.Fatalf("drop error %q, want %q", ev.Error, tc.want)
			}
			if used, peak := srv.inbound.stats(); used != 0 || peak != 0 {
				t.Fatalf("budget used %d, peak %d: the message was admitted", used, peak)
			}
		})
	}
}

// TestInboundSmallMessagesPass checks the limits' edges: a base message of
// exactly 2 KiB and a protocol message of exactly MaxMessageSize are
// accepted, and each message's reservation goes back once read.
func TestInboundSmallMessagesPass(t *testing.T) {
	const protoMax = 64 << 10
	recv := make(chan Msg, 1)
	srv := newTestServer(t, func(c *Config) {
		c.Protocols = []Protocol{echoProto("test", 1, recv)}
		c.Protocols[0].MaxMessageSize = protoMax
	})
	rp := dialRaw(t, srv, nil)
	rp.connect()
	go func() {
		rp.conn.Write(pongMsg, make([]byte, baseMaxMessageSize))
		rp.conn.Write(baseProtocolLength+2, make([]byte, protoMax))
	}()
	select {
	case msg := <-recv:
		if msg.Code != 2 || msg.Size != protoMax {
			t.Fatalf("got code %d size %d", msg.Code, msg.Size)
		}
	case <-time.After(testWait):
		t.Fatal("message of MaxMessageSize not delivered")
	}
	used, peak := srv.inbound.stats()
	if used != 0 || peak < protoMax {
		t.Fatalf("budget used %d (want 0 once read), peak %d (want ≥ %d)", used, peak, protoMax)
	}
}

// TestInboundBudgetReleasedWithoutReading checks that a message whose
// payload Run never reads gives its budget back when Run reads the next
// message, and when the session ends.
func TestInboundBudgetReleasedWithoutReading(t *testing.T) {
	got := make(chan Msg)
	next, quit := make(chan struct{}), make(chan struct{})
	srv := newTestServer(t, func(c *Config) {
		c.Protocols = []Protocol{{
			Name: "test", Version: 1, Length: 4,
			Run: func(p *Peer, rw MsgReadWriter) error {
				for {
					msg, err := rw.ReadMsg()
					if err != nil {
						return err
					}
					select {
					case got <- msg: // the payload stays unread
					case <-quit:
						return nil
					}
					select {
					case _, ok := <-next:
						if !ok {
							return nil
						}
					case <-quit:
						return nil
					}
				}
			},
		}}
	})
	t.Cleanup(func() { close(quit) }) // before Stop, if the test fails
	rp := dialRaw(t, srv, nil)
	rp.connect()
	go rp.readUntilDisc() // take the Disconnect at the end
	wantUsed := func(want int64) {
		t.Helper()
		if used, _ := srv.inbound.stats(); used != want {
			t.Fatalf("budget used %d, want %d", used, want)
		}
	}
	go rp.conn.Write(baseProtocolLength, make([]byte, 1000))
	<-got
	wantUsed(1000)
	go rp.conn.Write(baseProtocolLength, make([]byte, 3000))
	next <- struct{}{}
	<-got // ReadMsg gave the first message's bytes back
	wantUsed(3000)
	close(next) // Run returns: the session ends
	srv.Stop()
	wantUsed(0)
}

// TestByteBudgetOrder checks the shared budget: waiters are served in
// arrival order, a large waiter is not passed by small ones, and a
// cancelled waiter leaves the line.
func TestByteBudgetOrder(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		b := newByteBudget(100)
		never := make(chan struct{})
		if err := b.acquire(60, never); err != nil {
			t.Fatal(err)
		}
		big, small := make(chan error, 1), make(chan error, 1)
		go func() { big <- b.acquire(80, never) }()
		synctest.Wait()
		go func() { small <- b.acquire(10, never) }()
		synctest.Wait()
		// 10 would fit now, but 80 came first.
		select {
		case <-small:
			t.Fatal("small reservation passed the large one")
		default:
		}
		b.release(60)
		if err := <-big; err != nil {
			t.Fatal(err)
		}
		if err := <-small; err != nil {
			t.Fatal(err)
		}
		if used, peak := b.stats(); used != 90 || peak != 90 {
			t.Fatalf("used %d peak %d, want 90 90", used, peak)
		}
		cancel := make(chan struct{})
		cancelled := make(chan error, 1)
		go func() { cancelled <- b.acquire(50, cancel) }()
		synctest.Wait()
		if len(b.waiters) != 1 {
			t.Fatalf("%d waiters, want 1", len(b.waiters))
		}
		close(cancel)
		if err := <-cancelled; err != errBudgetCancelled {
			t.Fatalf("cancelled acquire: %v", err)
		}
		b.release(90)
		if used, _ := b.stats(); used != 0 || len(b.waiters) != 0 {
			t.Fatalf("used %d, %d waiters after all released", used, len(b.waiters))
		}
	})
}

// TestByteRate checks the per-peer rate: a burst, then refill with time.
func TestByteRate(t *testing.T) {
	r := newByteRate(100, 300, 0)
	if !r.take(300, 0) || r.take(1, 0) {
		t.Fatal("burst of 300 not exactly available")
	}
	if !r.take(100, mclock1s) || r.take(1, mclock1s) {
		t.Fatal("one second did not refill exactly 100")
	}
	if !r.take(300, 10*mclock1s) {
		t.Fatal("refill not capped at the burst")
	}
}

const mclock1s = mclock.AbsTime(time.Second)
