package devp2p

import (
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/rlp"
	"github.com/devp2p-go/devp2p/rlpx"
)

// testWait bounds every wait in tests; hitting it is a failure, not a delay
// the test relies on.
const testWait = 20 * time.Second

func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// testLogger writes to t.Log at Debug, so failures show every setup step.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(strings.TrimRight(string(b), "\n"))
	return len(b), nil
}

// echoProto is a test protocol: it answers code 0 messages with code 1
// carrying the same content, and reports everything it receives on recv.
func echoProto(name string, version uint, recv chan<- Msg) Protocol {
	return Protocol{
		Name: name, Version: version, Length: 4,
		Run: func(p *Peer, rw MsgReadWriter) error {
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				if msg.Code == 0 {
					var v []string
					if err := msg.Decode(&v); err != nil {
						return err
					}
					if err := Send(rw, 1, v); err != nil {
						return err
					}
					continue
				}
				if recv != nil {
					data, _ := io.ReadAll(msg.Payload)
					msg.Payload = nil
					msg.Size = uint32(len(data))
					select {
					case recv <- Msg{Code: msg.Code, Size: msg.Size, Payload: strings.NewReader(string(data))}:
					case <-time.After(testWait):
						return errors.New("recv not drained")
					}
				} else {
					msg.Discard()
				}
			}
		},
	}
}

type testServerOpt func(*Server)

// newTestServer starts a server that does not listen or dial, with the
// simulated clock. Tests connect to it with SetupConn over net.Pipe.
func newTestServer(t testing.TB, mod func(*Config), opts ...testServerOpt) *Server {
	t.Helper()
	cfg := Config{
		PrivateKey: newKey(t),
		MaxPeers:   10,
		NoDial:     true,
		Logger:     testLogger(t),
		Clock:      new(mclock.Simulated),
		Protocols:  []Protocol{echoProto("test", 1, nil)},
	}
	if mod != nil {
		mod(&cfg)
	}
	srv := &Server{Config: cfg}
	for _, o := range opts {
		o(srv)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	// Cleanups run last-in first-out: the leak check runs after Stop and
	// after the raw peers' cleanups registered later.
	t.Cleanup(func() { checkNoGoroutines(t) })
	t.Cleanup(srv.Stop)
	return srv
}

func withTimeouts(to transportTimeouts) testServerOpt {
	return func(s *Server) { s.timeouts = to }
}

// rawPeer is a remote node driven by the test at message level: it runs
// RLPx itself and sends whatever Hello and messages the test wants. It
// connects over a pipe through SetupConn (startRaw, dialRaw) or over TCP to
// a listening server (dialTCPRaw, whose peers have no t and no setup: they
// report errors, lastErr among them, instead of failing the test).
type rawPeer struct {
	t       testing.TB
	key     *ecdsa.PrivateKey
	fd      net.Conn
	conn    *rlpx.Conn
	setup   chan error // SetupConn's result on the server side
	lastErr error      // the read error that ended readUntilDisc or session
}

// dialRaw connects a raw peer to srv as an inbound connection and runs the
// RLPx handshake.
func dialRaw(t testing.TB, srv *Server, key *ecdsa.PrivateKey) *rawPeer {
	t.Helper()
	rp := startRaw(t, srv, key)
	if _, err := rp.conn.Handshake(rp.key); err != nil {
		t.Fatalf("rlpx handshake: %v", err)
	}
	return rp
}

func startRaw(t testing.TB, srv *Server, key *ecdsa.PrivateKey) *rawPeer {
	t.Helper()
	if key == nil {
		key = newKey(t)
	}
	c1, c2 := net.Pipe()
	rp := &rawPeer{t: t, key: key, fd: c2, setup: make(chan error, 1)}
	rp.conn = rlpx.NewConn(c2, &srv.cfg.PrivateKey.PublicKey)
	go func() { rp.setup <- srv.SetupConn(c1, nil) }()
	t.Cleanup(func() { rp.fd.Close(); <-rp.setup })
	return rp
}

func (rp *rawPeer) node() *enode.Node {
	return enode.NewV4(&rp.key.PublicKey, net.IP{127, 0, 0, 1}, 30303, 0)
}

// id returns the raw peer's node ID.
func (rp *rawPeer) id() enode.ID { return enode.PubkeyToIDV4(&rp.key.PublicKey) }

func (rp *rawPeer) hello(caps ...Cap) *protoHandshake { return rawHello(rp.key, "raw", caps...) }

func rawHello(key *ecdsa.PrivateKey, name string, caps ...Cap) *protoHandshake {
	return &protoHandshake{Version: baseProtocolVersion, Name: name, Caps: caps, ID: pubkeyID(&key.PublicKey)}
}

// writeHello sends h without waiting for the server's.
func (rp *rawPeer) writeHello(h *protoHandshake) error {
	enc, err := h.encode()
	if err != nil {
		return err
	}
	_, err = rp.conn.Write(handshakeMsg, enc)
	return err
}

// handshake exchanges Hello and turns on snappy like a real peer would.
func (rp *rawPeer) handshake(h *protoHandshake) *protoHandshake {
	rp.t.Helper()
	werr := make(chan error, 1)
	go func() { werr <- rp.writeHello(h) }()
	code, data, _, err := rp.conn.Read()
	if err != nil {
		rp.t.Fatalf("read hello: %v", err)
	}
	if err := <-werr; err != nil {
		rp.t.Fatalf("write hello: %v", err)
	}
	if code != handshakeMsg {
		rp.t.Fatalf("got code %d (%x), want hello", code, data)
	}
	their, err := decodeHello(data)
	if err != nil {
		rp.t.Fatal(err)
	}
	rp.conn.SetSnappy(their.Version >= 5 && h.Version >= 5)
	return their
}

// connect runs both handshakes with the default test capability.
func (rp *rawPeer) connect() {
	rp.t.Helper()
	rp.handshake(rp.hello(Cap{"test", 1}))
	if err := <-rp.setup; err != nil {
		rp.t.Fatalf("server refused raw peer: %v", err)
	}
	rp.setup <- nil // keep the cleanup's receive from blocking
}

func (rp *rawPeer) send(code uint64, val any) error {
	b, err := rlp.EncodeToBytes(val)
	if err != nil {
		return err
	}
	_, err = rp.conn.Write(code, b)
	return err
}

// expectDisc reads until a Disconnect arrives and checks its reason; other
// messages (pings) are answered or skipped.
func (rp *rawPeer) expectDisc(want DiscReason) {
	rp.t.Helper()
	rp.fd.SetReadDeadline(time.Now().Add(testWait))
	for {
		code, data, _, err := rp.conn.Read()
		if err != nil {
			rp.t.Fatalf("waiting for disconnect %v: %v", want, err)
		}
		if code == discMsg {
			if got := decodeDisconnect(data); got != want {
				rp.t.Fatalf("got disconnect %q, want %q", got, want)
			}
			return
		}
	}
}

// readMsg reads the next message that is not a ping or pong.
func (rp *rawPeer) readMsg() (uint64, []byte) {
	rp.t.Helper()
	rp.fd.SetReadDeadline(time.Now().Add(testWait))
	for {
		code, data, _, err := rp.conn.Read()
		if err != nil {
			rp.t.Fatalf("read: %v", err)
		}
		if code == pingMsg || code == pongMsg {
			continue
		}
		return code, append([]byte(nil), data...)
	}
}

// waitEvent returns the next event of type typ.
func waitEvent(t testing.TB, ch <-chan *PeerEvent, typ PeerEventType) *PeerEvent {
	t.Helper()
	timeout := time.After(testWait)
	for {
		select {
		case ev := <-ch:
			if ev.Type == typ {
				return ev
			}
		case <-timeout:
			t.Fatalf("timeout waiting for %s event", typ)
		}
	}
}

// checkNoGoroutines fails if any goroutine is still running code of this
// package (other than the test itself) after everything was stopped.
func checkNoGoroutines(t testing.TB) {
	t.Helper()
	var leaked string
	for range 1000 {
		leaked = ourGoroutines()
		if leaked == "" {
			return
		}
		runtime.Gosched() // a goroutine past its last wg.Done may still be exiting
	}
	t.Fatalf("leaked goroutines:\n%s", leaked)
}

func ourGoroutines() string {
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Dir(file) + "/"
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	var out []string
	for i, g := range strings.Split(string(buf), "\n\n") {
		if i == 0 {
			continue // the calling goroutine
		}
		for _, line := range strings.Split(g, "\n") {
			line = strings.TrimSpace(line)
			if strings.HasPrefix(line, dir) && !strings.Contains(line, "_test.go") &&
				!strings.Contains(strings.TrimPrefix(line, dir), "/") {
				out = append(out, g)
				break
			}
		}
	}
	return strings.Join(out, "\n\n")
}

func mustNode(t testing.TB, srv *Server) *enode.Node {
	t.Helper()
	n := srv.Self()
	if n == nil {
		t.Fatal("server has no node")
	}
	return n
}

var _ = fmt.Sprint
