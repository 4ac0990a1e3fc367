package devp2p

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/rlpx"
)

func TestProbe(t *testing.T) {
	srv := newTestServer(t, func(c *Config) {
		c.ListenAddr = "127.0.0.1:0"
		c.Clock = mclock.System{}
		c.Name = "probe-target"
	})
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	info, err := Probe(ctx, newKey(t), srv.Self())
	if err != nil {
		t.Fatal(err)
	}
	if info.Name != "probe-target" || info.Version != baseProtocolVersion || info.ID != srv.Self().ID() {
		t.Errorf("wrong hello info %+v", info)
	}
	if len(info.Caps) != 1 || info.Caps[0] != (Cap{Name: "test", Version: 1}) {
		t.Errorf("wrong caps %v", info.Caps)
	}
}

// TestProbeDisconnect checks that a Disconnect sent instead of Hello comes
// back as the DiscReason.
func TestProbeDisconnect(t *testing.T) {
	key := newKey(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	done := make(chan error, 1)
	go func() {
		fd, err := l.Accept()
		if err != nil {
			done <- err
			return
		}
		defer fd.Close()
		c := rlpx.NewConn(fd, nil)
		if _, err := c.Handshake(key); err != nil {
			done <- err
			return
		}
		_, err = c.Write(discMsg, encodeDisconnect(DiscTooManyPeers))
		// Wait for the prober to hang up before closing, so no reset
		// eats the Disconnect.
		c.Read()
		done <- err
	}()
	port := l.Addr().(*net.TCPAddr).Port
	n := enode.NewV4(&key.PublicKey, net.IP{127, 0, 0, 1}, port, 0)
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	_, err = Probe(ctx, newKey(t), n)
	if !errors.Is(err, DiscTooManyPeers) {
		t.Errorf("got error %v, want %v", err, DiscTooManyPeers)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// TestProbeCancel checks that a silent listener does not hold Probe past
// its context.
func TestProbeCancel(t *testing.T) {
	key := newKey(t)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accepted := make(chan net.Conn, 1)
	go func() {
		fd, err := l.Accept()
		if err == nil {
			accepted <- fd
		}
	}()
	port := l.Addr().(*net.TCPAddr).Port
	n := enode.NewV4(&key.PublicKey, net.IP{127, 0, 0, 1}, port, 0)
	ctx, cancel := context.WithCancel(context.Background())
	res := make(chan error, 1)
	go func() {
		_, err := Probe(ctx, newKey(t), n)
		res <- err
	}()
	fd := <-accepted
	defer fd.Close()
	cancel()
	if err := <-res; !errors.Is(err, context.Canceled) {
		t.Errorf("got error %v, want context.Canceled", err)
	}
}
