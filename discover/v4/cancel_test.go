package v4

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
)

// cancelAfter is shorter than respTimeout, so that a call returning at
// cancelAfter was ended by its context, not by the reply timeout.
const cancelAfter = respTimeout / 5

// TestCancelWaits: every call that waits on the network returns
// ctx.Err() as soon as ctx ends, and withdraws its reply matchers.
func TestCancelWaits(t *testing.T) {
	calls := map[string]func(ctx context.Context, a, b *UDPv4) error{
		"Ping": func(ctx context.Context, a, b *UDPv4) error { return a.Ping(ctx, b.Self()) },
		"RequestENR": func(ctx context.Context, a, b *UDPv4) error {
			_, err := a.RequestENR(ctx, b.Self())
			return err
		},
		"findnode": func(ctx context.Context, a, b *UDPv4) error {
			addr, _ := b.Self().UDPEndpoint()
			_, err := a.findnode(ctx, b.Self().ID(), addr, [64]byte{})
			return err
		},
	}
	for name, call := range calls {
		t.Run(name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				nw := memnet.New()
				a := startNode(t, nw, testnet.PublicAddr(1), Config{})
				b := startNode(t, nw, testnet.PublicAddr(2), Config{})
				defer a.Close()
				b.Close() // silent: only the context can end the wait early

				ctx, cancel := context.WithTimeout(t.Context(), cancelAfter)
				defer cancel()
				start := time.Now()
				err := call(ctx, a, b)
				if !errors.Is(err, context.DeadlineExceeded) {
					t.Fatalf("err %v, want %v", err, context.DeadlineExceeded)
				}
				if d := time.Since(start); d != cancelAfter {
					t.Errorf("returned after %v, want %v", d, cancelAfter)
				}
				synctest.Wait()
				if n := a.npending.Load(); n != 0 {
					t.Errorf("%d reply matchers left after cancellation", n)
				}
			})
		})
	}
}

// TestCancelBeforeCall: a call with an ended context sends nothing.
func TestCancelBeforeCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(2), Config{})
		defer a.Close()
		defer b.Close()
		synctest.Wait()
		ctx, cancel := context.WithCancel(t.Context())
		cancel()
		sent := a.PacketsSent()
		if err := a.Ping(ctx, b.Self()); !errors.Is(err, context.Canceled) {
			t.Fatalf("Ping: err %v, want %v", err, context.Canceled)
		}
		if got := a.Lookup(ctx, b.Self()); len(got) != 0 {
			t.Fatalf("Lookup found %d nodes", len(got))
		}
		if got := a.Resolve(ctx, b.Self()); got != b.Self() {
			t.Fatal("Resolve did not return its input")
		}
		if d := a.PacketsSent() - sent; d != 0 {
			t.Fatalf("%d packets sent with an ended context", d)
		}
	})
}

// TestCancelLookup: a lookup whose context ends while it waits on silent
// nodes returns at once.
func TestCancelLookup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		nodes := startNetwork(t, nw, 5, nil)
		defer closeAll(nodes)
		synctest.Wait() // the others bonded with node 0 on start
		if n := nodes[0].tab.Len(); n == 0 {
			t.Fatal("node 0 has an empty table")
		}
		for _, n := range nodes[1:] {
			n.Close()
		}
		ctx, cancel := context.WithTimeout(t.Context(), cancelAfter)
		defer cancel()
		start := time.Now()
		nodes[0].Lookup(ctx, nodes[0].Self())
		if d := time.Since(start); d != cancelAfter {
			t.Errorf("lookup returned after %v, want %v", d, cancelAfter)
		}
	})
}
