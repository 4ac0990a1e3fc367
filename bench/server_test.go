package bench

import (
	"bytes"
	"crypto/ecdsa"
	"fmt"
	"io"
	"log/slog"
	"net"
	"runtime"
	"testing"
	"time"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	glog "github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/p2p"
	genode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/rlp"
	"github.com/devp2p-go/devp2p/rlpx"
)

// BenchmarkServer compares our Server with go-ethereum's p2p.Server:
//
//	setup:    dial to peer-added between two servers on loopback
//	msgs:     100-byte messages through a protocol, end to end
//	peers200: heap bytes and goroutines per connected peer, 200 peers
func BenchmarkServer(b *testing.B) {
	b.Run("setup/ours", benchSetupOurs)
	b.Run("setup/geth", benchSetupGeth)
	b.Run("msgs/ours", benchMsgsOurs)
	b.Run("msgs/geth", benchMsgsGeth)
	b.Run("peers200/ours", func(b *testing.B) { benchPeers(b, startOurs) })
	b.Run("peers200/geth", func(b *testing.B) { benchPeers(b, startGeth) })
}

const benchWait = 30 * time.Second

// sink is a protocol that reads and discards everything, reporting each
// message count on got and handing its writer to rws.
type sink struct {
	got chan struct{}
	rws chan any
}

func newSink() *sink { return &sink{got: make(chan struct{}, 1<<16), rws: make(chan any, 16)} }

func ourKey(b *testing.B) *ecdsa.PrivateKey {
	k, err := crypto.GenerateKey()
	if err != nil {
		b.Fatal(err)
	}
	return k
}

func newOurs(b *testing.B, s *sink, listen bool) *devp2p.Server {
	cfg := devp2p.Config{
		PrivateKey: ourKey(b), MaxPeers: 500, NoDial: true,
		Logger: slog.New(slog.DiscardHandler),
		Protocols: []devp2p.Protocol{{Name: "bench", Version: 1, Length: 2, Run: func(p *devp2p.Peer, rw devp2p.MsgReadWriter) error {
			if s != nil {
				s.rws <- rw
			}
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				msg.Discard()
				if s != nil {
					s.got <- struct{}{}
				}
			}
		}}},
	}
	if listen {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	srv := &devp2p.Server{Config: cfg}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Stop)
	return srv
}

func newGeth(b *testing.B, s *sink, listen bool) *p2p.Server {
	key, _ := gcrypto.GenerateKey()
	cfg := p2p.Config{
		PrivateKey: key, MaxPeers: 500, NoDiscovery: true, NoDial: true,
		Logger: glog.NewLogger(glog.DiscardHandler()),
		Protocols: []p2p.Protocol{{Name: "bench", Version: 1, Length: 2, Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
			if s != nil {
				s.rws <- rw
			}
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				msg.Discard()
				if s != nil {
					s.got <- struct{}{}
				}
			}
		}}},
	}
	if listen {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	srv := &p2p.Server{Config: cfg}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Stop)
	return srv
}

func waitOurDrop(b *testing.B, ch <-chan *devp2p.PeerEvent) {
	timeout := time.After(benchWait)
	for {
		select {
		case ev := <-ch:
			if ev.Type == devp2p.PeerEventTypeDrop {
				return
			}
		case <-timeout:
			b.Fatal("no drop")
		}
	}
}

func waitGethDrop(b *testing.B, ch <-chan *p2p.PeerEvent) {
	timeout := time.After(benchWait)
	for {
		select {
		case ev := <-ch:
			if ev.Type == p2p.PeerEventTypeDrop {
				return
			}
		case <-timeout:
			b.Fatal("no drop")
		}
	}
}

func benchSetupOurs(b *testing.B) {
	a, c := newOurs(b, nil, false), newOurs(b, nil, true)
	dest := c.Self()
	evA, evC := make(chan *devp2p.PeerEvent, 100), make(chan *devp2p.PeerEvent, 100)
	a.SubscribeEvents(evA)
	c.SubscribeEvents(evC)
	b.ReportAllocs()
	var busy time.Duration
	for b.Loop() {
		t0 := time.Now()
		fd, err := net.Dial("tcp", c.ListenAddr().String())
		if err != nil {
			b.Fatal(err)
		}
		if err := a.SetupConn(fd, dest); err != nil {
			b.Fatal(err)
		}
		busy += time.Since(t0)
		a.Peers()[0].Disconnect(devp2p.DiscRequested)
		waitOurDrop(b, evA)
		waitOurDrop(b, evC)
	}
	b.ReportMetric(float64(b.N)/busy.Seconds(), "setups/s")
}

func benchSetupGeth(b *testing.B) {
	a, c := newGeth(b, nil, false), newGeth(b, nil, true)
	dest := c.Self()
	evA, evC := make(chan *p2p.PeerEvent, 100), make(chan *p2p.PeerEvent, 100)
	sa, sc := a.SubscribeEvents(evA), c.SubscribeEvents(evC)
	defer sa.Unsubscribe()
	defer sc.Unsubscribe()
	b.ReportAllocs()
	var busy time.Duration
	for b.Loop() {
		t0 := time.Now()
		fd, err := net.Dial("tcp", c.ListenAddr)
		if err != nil {
			b.Fatal(err)
		}
		if err := a.SetupConn(fd, 2 /* staticDialedConn */, dest); err != nil {
			b.Fatal(err)
		}
		busy += time.Since(t0)
		a.Peers()[0].Disconnect(p2p.DiscRequested)
		waitGethDrop(b, evA)
		waitGethDrop(b, evC)
	}
	b.ReportMetric(float64(b.N)/busy.Seconds(), "setups/s")
}

var benchPayload = bytes.Repeat([]byte{0xab}, 100)

func benchMsgsOurs(b *testing.B) {
	sa, sc := newSink(), newSink()
	a, c := newOurs(b, sa, false), newOurs(b, sc, true)
	fd, err := net.Dial("tcp", c.ListenAddr().String())
	if err != nil {
		b.Fatal(err)
	}
	if err := a.SetupConn(fd, c.Self()); err != nil {
		b.Fatal(err)
	}
	rw := (<-sa.rws).(devp2p.MsgReadWriter)
	runMsgs(b, sc, func() error { return devp2p.Send(rw, 0, benchPayload) })
}

func benchMsgsGeth(b *testing.B) {
	sa, sc := newSink(), newSink()
	a, c := newGeth(b, sa, false), newGeth(b, sc, true)
	fd, err := net.Dial("tcp", c.ListenAddr)
	if err != nil {
		b.Fatal(err)
	}
	if err := a.SetupConn(fd, 2, c.Self()); err != nil {
		b.Fatal(err)
	}
	rw := (<-sa.rws).(p2p.MsgReadWriter)
	runMsgs(b, sc, func() error { return p2p.Send(rw, 0, benchPayload) })
}

// runMsgs sends b.N messages and waits until the receiver has them all.
func runMsgs(b *testing.B, recv *sink, send func() error) {
	b.ReportAllocs()
	done := make(chan struct{})
	b.ResetTimer()
	start := time.Now()
	go func() {
		for range b.N {
			<-recv.got
		}
		close(done)
	}()
	for range b.N {
		if err := send(); err != nil {
			b.Fatal(err)
		}
	}
	select {
	case <-done:
	case <-time.After(benchWait):
		b.Fatal("receiver did not get all messages")
	}
	b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "msgs/s")
}

// server under test for peers200: its address and public key.
type target struct {
	addr string
	pub  *ecdsa.PublicKey
}

func startOurs(b *testing.B) target {
	s := newOurs(b, nil, true)
	return target{s.ListenAddr().String(), s.Self().Pubkey()}
}

func startGeth(b *testing.B) target {
	s := newGeth(b, nil, true)
	n := enode.MustParse(s.Self().URLv4())
	return target{s.ListenAddr, n.Pubkey()}
}

// rawClient is the same minimal RLPx client for both servers, so the
// client side costs the same in both measurements.
func rawClient(b *testing.B, t target) net.Conn {
	key := ourKey(b)
	fd, err := net.Dial("tcp", t.addr)
	if err != nil {
		b.Fatal(err)
	}
	c := rlpx.NewConn(fd, t.pub)
	if _, err := c.Handshake(key); err != nil {
		b.Fatal(err)
	}
	hello, _ := rlp.EncodeToBytes([]any{uint64(5), "bench", []any{[]any{"bench", uint64(1)}}, uint64(0), crypto.FromECDSAPub(&key.PublicKey)[1:]})
	if _, err := c.Write(0, hello); err != nil {
		b.Fatal(err)
	}
	if code, _, _, err := c.Read(); err != nil || code != 0 {
		b.Fatalf("hello: code %d err %v", code, err)
	}
	return fd
}

func heapInUse() uint64 {
	var m runtime.MemStats
	for range 3 {
		runtime.GC()
	}
	runtime.ReadMemStats(&m)
	return m.HeapAlloc
}

// benchPeers connects 200 raw clients to a server and reports heap bytes and
// goroutines per peer (clients included; they are the same for both).
func benchPeers(b *testing.B, start func(*testing.B) target) {
	const peers = 200
	// One measurement is enough (and 200 handshakes per iteration are
	// slow); b.N is ignored.
	for range 1 {
		t := start(b)
		heap0, g0 := heapInUse(), runtime.NumGoroutine()
		conns := make([]net.Conn, 0, peers)
		for range peers {
			conns = append(conns, rawClient(b, t))
		}
		// Wait for the server side to have started every session.
		deadline := time.Now().Add(benchWait)
		for runtime.NumGoroutine()-g0 < 2*peers && time.Now().Before(deadline) {
			runtime.Gosched()
		}
		heap1, g1 := heapInUse(), runtime.NumGoroutine()
		b.ReportMetric(float64(heap1-heap0)/peers, "heapB/peer")
		b.ReportMetric(float64(g1-g0)/peers, "goroutines/peer")
		for _, c := range conns {
			c.Close()
		}
	}
}

var (
	_ = io.EOF
	_ = fmt.Sprint
	_ = genode.ID{}
)
