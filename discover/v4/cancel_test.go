package v4

import (
	"context"
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/enode"
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
			_, err := a.findnode(ctx, b.Self().ID(), addr, [64]byte{}, nil)
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
				testnet.CheckCancel(t, cancelAfter, true, func(ctx context.Context) error { return call(ctx, a, b) })
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
		testnet.CheckEndedContext(t, a, b.Self(), func(ctx context.Context) []*enode.Node {
			return a.Lookup(ctx, b.Self())
		})
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
		closeAll(nodes[1:])
		testnet.CheckCancel(t, cancelAfter, false, func(ctx context.Context) error {
			nodes[0].Lookup(ctx, nodes[0].Self())
			return nil
		})
	})
}
