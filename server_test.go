package devp2p

import (
	"errors"
	"net"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/rlpx"
)

func TestServerStartStop(t *testing.T) {
	srv := &Server{Config: Config{
		PrivateKey: newKey(t), MaxPeers: 5, NoDial: true,
		ListenAddr: "127.0.0.1:0", Logger: testLogger(t),
	}}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); !errors.Is(err, errServerRunning) {
		t.Fatalf("second Start: %v, want %v", err, errServerRunning)
	}
	addr, ok := srv.ListenAddr().(*net.TCPAddr)
	if !ok || addr.Port == 0 {
		t.Fatalf("listen address not reported: %v", srv.ListenAddr())
	}
	if got := srv.Self().TCP(); got != addr.Port {
		t.Errorf("record TCP port %d, listening on %d", got, addr.Port)
	}
	srv.Stop()
	srv.Stop() // no-op
	if err := srv.Start(); !errors.Is(err, errServerDone) {
		t.Fatalf("Start after Stop: %v, want %v", err, errServerDone)
	}
	checkNoGoroutines(t)
}

func TestServerStartErrors(t *testing.T) {
	tests := []struct {
		name string
		cfg  Config
		want error
	}{
		{"no key", Config{MaxPeers: 1}, ErrNoPrivateKey},
		{"no peers", Config{PrivateKey: newKey(t)}, ErrNoMaxPeers},
	}
	for _, tt := range tests {
		srv := &Server{Config: tt.cfg}
		if err := srv.Start(); !errors.Is(err, tt.want) {
			t.Errorf("%s: Start error %v, want %v", tt.name, err, tt.want)
		}
	}
	// A listen failure releases what Start acquired.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	srv := &Server{Config: Config{PrivateKey: newKey(t), MaxPeers: 1, ListenAddr: l.Addr().String(), Logger: testLogger(t)}}
	if err := srv.Start(); err == nil {
		t.Fatal("Start on a used port succeeded")
	}
	checkNoGoroutines(t)
}

// TestServerSetupChecks drives every refusal of the setup path with a raw
// peer and checks the DiscReason it receives.
func TestServerSetupChecks(t *testing.T) {
	t.Run("self", func(t *testing.T) {
		srv := newTestServer(t, nil)
		rp := dialRaw(t, srv, srv.cfg.PrivateKey)
		rp.expectDisc(DiscSelf)
		if err := <-rp.setup; !errors.Is(err, DiscSelf) {
			t.Fatalf("setup error %v", err)
		}
		rp.setup <- nil
	})
	t.Run("already connected", func(t *testing.T) {
		srv := newTestServer(t, nil)
		key := newKey(t)
		dialRaw(t, srv, key).connect()
		rp2 := dialRaw(t, srv, key)
		rp2.expectDisc(DiscAlreadyConnected)
	})
	t.Run("useless", func(t *testing.T) {
		srv := newTestServer(t, nil)
		rp := dialRaw(t, srv, nil)
		rp.handshake(rp.hello(Cap{"other", 1}, Cap{"test", 2}))
		rp.expectDisc(DiscUselessPeer)
	})
	t.Run("hello identity", func(t *testing.T) {
		srv := newTestServer(t, nil)
		rp := dialRaw(t, srv, nil)
		h := rp.hello(Cap{"test", 1})
		h.ID = pubkeyID(&newKey(t).PublicKey)
		rp.handshake(h)
		rp.expectDisc(DiscUnexpectedIdentity)
	})
	t.Run("invalid identity", func(t *testing.T) {
		srv := newTestServer(t, nil)
		rp := dialRaw(t, srv, nil)
		h := rp.hello(Cap{"test", 1})
		h.ID = h.ID[:63]
		enc, _ := h.encode()
		go rp.conn.Write(handshakeMsg, enc)
		rp.expectDisc(DiscInvalidIdentity)
	})
	t.Run("too many inbound", func(t *testing.T) {
		// MaxPeers 3, DialRatio 3: one dialed slot, two inbound.
		srv := newTestServer(t, func(c *Config) { c.MaxPeers = 3; c.NoDial = false })
		dialRaw(t, srv, nil).connect()
		dialRaw(t, srv, nil).connect()
		rp := dialRaw(t, srv, nil)
		rp.expectDisc(DiscTooManyPeers)
		// A trusted node gets in anyway.
		trustedKey := newKey(t)
		tp := &rawPeer{key: trustedKey}
		srv.AddTrustedPeer(tp.node())
		dialRaw(t, srv, trustedKey).connect()
		if n := srv.PeerCount(); n != 3 {
			t.Fatalf("PeerCount %d, want 3", n)
		}
	})
	t.Run("remote disconnects before hello", func(t *testing.T) {
		srv := newTestServer(t, nil)
		rp := dialRaw(t, srv, nil)
		go rp.conn.Write(handshakeMsg+discMsg, encodeDisconnect(DiscTooManyPeers))
		if code, _, _, err := rp.conn.Read(); err != nil || code != handshakeMsg {
			t.Fatalf("expected the server's hello, got code %d, err %v", code, err)
		}
		if err := <-rp.setup; !errors.Is(err, DiscTooManyPeers) {
			t.Fatalf("setup error %v, want the remote's reason", err)
		}
		rp.setup <- nil
	})
}

func TestServerStopDisconnectsPeers(t *testing.T) {
	srv := newTestServer(t, nil)
	rp := dialRaw(t, srv, nil)
	rp.connect()
	done := make(chan struct{})
	go func() { srv.Stop(); close(done) }()
	rp.expectDisc(DiscQuitting)
	rp.fd.Close()
	<-done
	checkNoGoroutines(t)
}

func TestServerClockIsCopied(t *testing.T) {
	cfg := Config{PrivateKey: newKey(t), MaxPeers: 1, NoDial: true, Logger: testLogger(t)}
	srv := &Server{Config: cfg}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	defer srv.Stop()
	srv.Config.MaxPeers = 100
	if srv.cfg.MaxPeers != 1 {
		t.Fatal("running server follows changes to Config")
	}
	if _, ok := srv.clock.(mclock.System); !ok {
		t.Fatalf("default clock %T", srv.clock)
	}
}

// TestServerDialIdentity: a dialed peer must be the node we dialed. RLPx
// encrypts auth to the destination's key, so another node cannot even
// answer; setup fails and nothing is added.
func TestServerDialIdentity(t *testing.T) {
	srv := newTestServer(t, nil)
	wrong := &rawPeer{key: newKey(t)}
	impostor := newKey(t)
	c1, c2 := net.Pipe()
	defer c2.Close()
	go func() {
		rlpxConn := rlpx.NewConn(c2, nil)
		rlpxConn.Handshake(impostor) // fails: auth is not for this key
		c2.Close()
	}()
	if err := srv.SetupConn(c1, wrong.node()); err == nil {
		t.Fatal("setup with the wrong node succeeded")
	}
	if srv.PeerCount() != 0 {
		t.Fatal("peer added")
	}
}

// TestServerPendingSlots: with MaxPendingPeers connections stuck in the
// handshake, the next one from the same subnet is refused with a verdict
// (not left waiting in the backlog), and one is served once a slot frees up.
func TestServerPendingSlots(t *testing.T) {
	srv := newTestServer(t, func(c *Config) {
		c.MaxPendingPeers = 2
		c.ListenAddr = "127.0.0.1:0"
	})
	verdicts := subscribeVerdicts(t, srv)
	addr := srv.ListenAddr().String()
	nextAccept := func() *Verdict {
		t.Helper()
		for {
			select {
			case v := <-verdicts:
				if v.Stage == StageAccept {
					return v
				}
			case <-time.After(testWait):
				t.Fatal("no accept verdict")
			}
		}
	}
	idle := make([]net.Conn, 2)
	for i := range idle {
		fd, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		defer fd.Close()
		idle[i] = fd
		if v := nextAccept(); !v.Allowed {
			t.Fatalf("idle connection %d refused: %v", i, v.Err)
		}
	}
	third, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer third.Close()
	if v := nextAccept(); v.Allowed || !errors.Is(v.Err, errPendingFull) || v.Reason != DiscTooManyPeers {
		t.Fatalf("third connection: verdict %+v, want refused with %v", v, errPendingFull)
	}
	idle[0].Close() // frees a slot once its setup ends
	if v := waitRefusal(t, verdicts); v.Stage != StageSecured {
		t.Fatalf("closed idle connection: verdict %+v, want a failed RLPx handshake", v)
	}
	r, err := dialTCPRaw(srv.ListenAddr(), &srv.cfg.PrivateKey.PublicKey, newKey(t))
	if err != nil {
		t.Fatalf("connection after a slot freed up: %v", err)
	}
	r.fd.Close()
}
