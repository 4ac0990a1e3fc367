package v5

import (
	"context"
	"errors"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/enode"
)

// cancelAfter is shorter than respTimeout, so that a call returning at
// cancelAfter was ended by its context, not by the reply timeout.
const cancelAfter = respTimeout / 5

// TestCancelWaits: every call that waits on the network returns ctx.Err()
// as soon as ctx ends.
func TestCancelWaits(t *testing.T) {
	calls := map[string]func(ctx context.Context, a, b *UDPv5) error{
		"Ping": func(ctx context.Context, a, b *UDPv5) error { return a.Ping(ctx, b.Self()) },
		"RequestENR": func(ctx context.Context, a, b *UDPv5) error {
			_, err := a.RequestENR(ctx, b.Self())
			return err
		},
		"Findnode": func(ctx context.Context, a, b *UDPv5) error {
			_, err := a.Findnode(ctx, b.Self(), []uint{256})
			return err
		},
		"TalkRequest": func(ctx context.Context, a, b *UDPv5) error {
			_, err := a.TalkRequest(ctx, b.Self(), "echo", nil)
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
			})
		})
	}
}

// TestCancelStartsQueuedCall: a cancelled call gives its place to the next
// call queued for the same node at once, not when its reply timeout passes.
func TestCancelStartsQueuedCall(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		b := startNode(t, nw, testnet.PublicAddr(2), Config{})
		defer a.Close()
		b.Close()

		ctx, cancel := context.WithTimeout(t.Context(), cancelAfter)
		defer cancel()
		first := make(chan error, 1)
		go func() { first <- a.Ping(ctx, b.Self()) }()
		synctest.Wait() // the first call is active
		start := time.Now()
		second := a.Ping(t.Context(), b.Self()) // queued behind the first
		if !errors.Is(<-first, context.DeadlineExceeded) {
			t.Fatal("first call not cancelled")
		}
		if !errors.Is(second, errTimeout) {
			t.Fatalf("second call: err %v, want %v", second, errTimeout)
		}
		if d := time.Since(start); d != cancelAfter+respTimeout {
			t.Errorf("second call ended after %v, want %v (started when the first was cancelled)", d, cancelAfter+respTimeout)
		}
	})
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
			return a.Lookup(ctx, b.Self().ID())
		})
	})
}

// TestCancelLookup: a lookup whose context ends while it waits on silent
// nodes returns at once.
func TestCancelLookup(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		nodes := startNetwork(t, nw, 5)
		defer closeAll(nodes)
		synctest.Wait() // the others talked to node 0 on start
		if n := nodes[0].tab.Len(); n == 0 {
			t.Fatal("node 0 has an empty table")
		}
		closeAll(nodes[1:])
		testnet.CheckCancel(t, cancelAfter, false, func(ctx context.Context) error {
			nodes[0].Lookup(ctx, nodes[0].Self().ID())
			return nil
		})
	})
}
