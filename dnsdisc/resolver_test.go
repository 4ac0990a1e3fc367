package dnsdisc

import (
	"context"
	"errors"
	"net"
	"testing"
	"time"
)

// deafConn is a UDP connection that ignores deadlines, so that the only
// way a read on it ends is Close.
type deafConn struct{ *net.UDPConn }

func (deafConn) SetDeadline(time.Time) error     { return nil }
func (deafConn) SetReadDeadline(time.Time) error { return nil }

// TestResolverCancel: a query to a DNS server that never answers ends when
// its context is cancelled. The connection ignores the resolver's own
// timeout, so only the cancellation can end it.
func TestResolverCancel(t *testing.T) {
	silent, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	dial := func(ctx context.Context, network, address string) (net.Conn, error) {
		c, err := dialNet(ctx, network, address)
		if err != nil {
			return nil, err
		}
		return deafConn{c.(*net.UDPConn)}, nil
	}
	r := &net.Resolver{PreferGo: true, Dial: cancelableDial(silent.LocalAddr().String(), dial)}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() {
		_, err := r.LookupTXT(ctx, "nodes.example.org")
		done <- err
	}()
	buf := make([]byte, 512)
	if _, _, err := silent.ReadFrom(buf); err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("query ended with %v, want context.Canceled", err)
		}
	case <-time.After(20 * time.Second): // a bound on a hang, not a timing
		t.Fatal("query still running after its context was cancelled")
	}
}

// TestNewResolver: NewResolver asks the given server.
func TestNewResolver(t *testing.T) {
	_, url, txt := signedTree(t, testKey(t), "nodes.example.org", 1, testNodes(t, 3), nil)
	srv := startDNSServer(t, txt)
	c := newTestClient(t, fastConfig(t, NewResolver(srv.UDPAddr())))
	if _, err := c.SyncTree(context.Background(), url); err != nil {
		t.Fatal(err)
	}
}
