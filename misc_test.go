package devp2p

import (
	"encoding/json"
	"errors"
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
)

func TestMsgPipeAndExpectMsg(t *testing.T) {
	a, b := MsgPipe()
	go func() {
		SendItems(a, 3, "x", uint(7))
		Send(a, 4, []byte{1, 2})
	}()
	if err := ExpectMsg(b, 3, []any{"x", uint(7)}); err != nil {
		t.Fatal(err)
	}
	if err := ExpectMsg(b, 5, nil); err == nil {
		t.Fatal("wrong code accepted")
	}
	a.Close()
	if _, err := b.ReadMsg(); !errors.Is(err, ErrPipeClosed) {
		t.Fatalf("read after close: %v", err)
	}
	if err := Send(b, 1, uint(1)); !errors.Is(err, ErrPipeClosed) {
		t.Fatalf("write after close: %v", err)
	}
}

func TestMsgDecodeSizeLimit(t *testing.T) {
	// The payload claims a 1000-byte string but the message is 5 bytes.
	msg := Msg{Code: 0, Size: 5, Payload: bytesReader([]byte{0xb9, 0x03, 0xe8, 1, 2})}
	var s []byte
	if err := msg.Decode(&s); err == nil {
		t.Fatal("oversized content decoded")
	}
}

func bytesReader(b []byte) *bytesR { return &bytesR{b: b} }

type bytesR struct{ b []byte }

func (r *bytesR) Read(p []byte) (int, error) {
	if len(r.b) == 0 {
		return 0, errors.New("EOF")
	}
	n := copy(p, r.b)
	r.b = r.b[n:]
	return n, nil
}

func TestEventsSlowSubscriber(t *testing.T) {
	var f eventFeed[*PeerEvent]
	slow := make(chan *PeerEvent, 2)
	sub := f.subscribe(slow)
	for range 5 {
		f.send(&PeerEvent{Type: PeerEventTypeAdd})
	}
	if len(slow) != 2 || sub.Dropped() != 3 {
		t.Fatalf("buffered %d, dropped %d; want 2, 3", len(slow), sub.Dropped())
	}
	sub.Unsubscribe()
	sub.Unsubscribe()
	f.send(&PeerEvent{})
	if f.active() || len(slow) != 2 {
		t.Fatal("event delivered after Unsubscribe")
	}
}

func TestMsgEvents(t *testing.T) {
	srv := newTestServer(t, func(c *Config) { c.EnableMsgEvents = true })
	events := make(chan *PeerEvent, 20)
	srv.SubscribeEvents(events)
	rp := dialRaw(t, srv, nil)
	rp.connect()
	rp.send(baseProtocolLength, []string{"ev"})
	rp.readMsg()
	recv := waitEvent(t, events, PeerEventTypeMsgRecv)
	send := waitEvent(t, events, PeerEventTypeMsgSend)
	if recv.Protocol != "test" || *recv.MsgCode != 0 || *recv.MsgSize == 0 {
		t.Errorf("recv event %+v", recv)
	}
	if send.Protocol != "test" || *send.MsgCode != 1 {
		t.Errorf("send event %+v", send)
	}
	if tr := srv.Traffic(); tr.MessagesIn == 0 || tr.MessagesOut == 0 || tr.BytesIn == 0 {
		t.Errorf("server traffic %+v", tr)
	}
}

func TestIPThrottle(t *testing.T) {
	clock := new(mclock.Simulated)
	th := newIPThrottle(clock, inboundThrottleTime)
	a, b := netip.MustParseAddr("1.2.3.4"), netip.MustParseAddr("5.6.7.8")
	if !th.allow(netutil.HostKey(a)) || th.allow(netutil.HostKey(a)) || !th.allow(netutil.HostKey(b)) {
		t.Fatal("second attempt within the window allowed")
	}
	clock.Run(inboundThrottleTime)
	if !th.allow(netutil.HostKey(a)) {
		t.Fatal("not allowed after the window")
	}
	if len(th.until) != 1 {
		t.Fatalf("expired entries kept: %d", len(th.until))
	}
	srv := &Server{cfg: Config{NetRestrict: netutil.MustParseNetlist("10.0.0.0/8")}}
	if err := srv.checkInbound(th, a, false); !errors.Is(err, errNotAllowedNet) {
		t.Fatalf("NetRestrict: %v", err)
	}
	srv.cfg.NetRestrict = nil
	lan := netip.MustParseAddr("192.168.1.1")
	if srv.checkInbound(th, lan, true) != nil || srv.checkInbound(th, lan, true) != nil {
		t.Fatal("exempt LAN source throttled")
	}
	if srv.checkInbound(th, lan, false) != nil || !errors.Is(srv.checkInbound(th, lan, false), errThrottled) {
		t.Fatal("throttle not applied to a LAN source that is not exempt")
	}
	if srv.checkInbound(th, b, false) != nil || !errors.Is(srv.checkInbound(th, b, false), errThrottled) {
		t.Fatal("throttle not applied")
	}
	// One IPv6 /64 is one host: a new address in it does not reset the window.
	v6a, v6b := netip.MustParseAddr("2a01:4f8:1:2::1"), netip.MustParseAddr("2a01:4f8:1:2:ffff::9")
	if srv.checkInbound(th, v6a, false) != nil || !errors.Is(srv.checkInbound(th, v6b, false), errThrottled) {
		t.Fatal("second address of one /64 not throttled")
	}
}

func TestListenNetRestrict(t *testing.T) {
	srv := newTestServer(t, func(c *Config) {
		c.ListenAddr = "127.0.0.1:0"
		c.NetRestrict = netutil.MustParseNetlist("10.0.0.0/8")
	})
	fd, err := net.Dial("tcp", srv.ListenAddr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer fd.Close()
	fd.SetReadDeadline(time.Now().Add(testWait))
	if _, err := fd.Read(make([]byte, 1)); err == nil {
		t.Fatal("connection from outside NetRestrict was served")
	}
}

// TestConcurrentLimits connects many peers at once: the run loop's checks
// keep inbound peers at the limit while trusted peers still get in.
func TestConcurrentLimits(t *testing.T) {
	srv := newTestServer(t, func(c *Config) { c.MaxPeers = 6; c.NoDial = false }) // 2 dialed, 4 inbound
	const n, trusted = 20, 3
	keys := make([]*rawPeer, n)
	for i := range keys {
		keys[i] = &rawPeer{key: newKey(t)}
		if i < trusted {
			srv.AddTrustedPeer(keys[i].node())
		}
	}
	var wg sync.WaitGroup
	var mu sync.Mutex
	accepted, refused := 0, 0
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			rp := startRaw(t, srv, keys[i].key)
			if _, err := rp.conn.Handshake(rp.key); err != nil {
				t.Error(err)
				return
			}
			// Read our way through: Hello (then we are in) or Disconnect.
			enc, _ := rp.hello(Cap{"test", 1}).encode()
			go rp.conn.Write(handshakeMsg, enc)
			code, data, _, err := rp.conn.Read()
			if err == nil && code == handshakeMsg {
				code, data, err = 0, nil, <-rp.setup
				rp.setup <- err
			}
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil && code == discMsg && decodeDisconnect(data) == DiscTooManyPeers,
				errors.Is(err, DiscTooManyPeers):
				refused++
			case err == nil && code == 0:
				accepted++
			default:
				t.Errorf("peer %d: code %d err %v", i, code, err)
			}
		}()
	}
	wg.Wait()
	// Trusted peers always get in. Everyone counts against the limits
	// (trusted ones too, as in go-ethereum), so how many others got in
	// depends on arrival order, but never more than the limits allow.
	untrusted, trustedIn := 0, 0
	for _, p := range srv.Peers() {
		if p.Trusted() {
			trustedIn++
		} else {
			untrusted++
		}
	}
	max := srv.cfg.maxInboundConns()
	if trustedIn != trusted || untrusted > max || srv.PeerCount() > srv.cfg.MaxPeers+trusted ||
		accepted != srv.PeerCount() || accepted+refused != n {
		t.Fatalf("trusted %d, untrusted %d (max %d), peers %d, accepted %d, refused %d",
			trustedIn, untrusted, max, srv.PeerCount(), accepted, refused)
	}
}

func TestNodeInfoJSON(t *testing.T) {
	srv := newTestServer(t, func(c *Config) {
		c.Name = "info-test"
		c.Protocols = []Protocol{{Name: "test", Version: 1, Length: 4, Run: echoProto("test", 1, nil).Run,
			NodeInfo: func() any { return map[string]int{"network": 1} }}}
	})
	rp := dialRaw(t, srv, nil)
	rp.connect()
	srv.AddTrustedPeer(rp.node())
	b, _ := json.Marshal(srv.NodeInfo())
	var ni map[string]any
	json.Unmarshal(b, &ni)
	for _, k := range []string{"id", "name", "enode", "enr", "ip", "ports", "listenAddr", "protocols"} {
		if _, ok := ni[k]; !ok {
			t.Errorf("nodeInfo lacks %q: %s", k, b)
		}
	}
	if ni["name"] != "info-test" || ni["protocols"].(map[string]any)["test"] == nil {
		t.Errorf("nodeInfo %s", b)
	}
	infos := srv.PeersInfo()
	if len(infos) != 1 {
		t.Fatalf("%d peers", len(infos))
	}
	b, _ = json.Marshal(infos[0])
	var pi map[string]any
	json.Unmarshal(b, &pi)
	net := pi["network"].(map[string]any)
	if pi["name"] != "raw" || pi["caps"].([]any)[0] != "test/1" || net["inbound"] != true ||
		net["trusted"] != true || pi["protocols"].(map[string]any)["test"] != "unknown" {
		t.Errorf("peerInfo %s", b)
	}
}
