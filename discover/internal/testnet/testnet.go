// Package testnet holds the helpers that the tests of the discovery engines
// (discover/v4, discover/v5) share: addresses and keys for in-memory test
// networks and checks of lookup results. It is for tests only.
//
// Example:
//
//	conn, _ := nw.Listen(testnet.PublicAddr(1))
//	key := testnet.NewKey(t)
//	...
//	want := testnet.TrueClosest(nodes, src.Self().ID(), target, 16)
//	if err := testnet.SameIDs(testnet.IDsOf(got), want); err != nil {
//		t.Error(err)
//	}
//	testnet.CheckCancel(t, 100*time.Millisecond, true, func(ctx context.Context) error {
//		return node.Ping(ctx, silent)
//	})
package testnet

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

// PublicAddr returns the i-th test address: one per /16 (for i < 2500) in
// 20.0.0.0–29.255.255.255, which is neither LAN nor special, so the relay
// checks apply, and no two test nodes share a subnet the IP limits count.
func PublicAddr(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{byte(20 + i/250), byte(i % 250), 0, 1}), 30303)
}

// NewKey returns a new secp256k1 key.
func NewKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return key
}

// Node is an engine of a test network.
type Node interface{ Self() *enode.Node }

// TrueClosest returns the IDs of the k nodes of all (except self) closest to
// target, closest first: what a perfect lookup from self finds.
func TrueClosest[N Node](all []N, self, target enode.ID, k int) []enode.ID {
	var ids []enode.ID
	for _, n := range all {
		if id := n.Self().ID(); id != self {
			ids = append(ids, id)
		}
	}
	slices.SortFunc(ids, func(a, b enode.ID) int { return enode.DistCmp(target, a, b) })
	return ids[:min(k, len(ids))]
}

// IDsOf returns the IDs of ns.
func IDsOf(ns []*enode.Node) []enode.ID {
	out := make([]enode.ID, len(ns))
	for i, n := range ns {
		out[i] = n.ID()
	}
	return out
}

// SameIDs reports the first difference between a and b.
func SameIDs(a, b []enode.ID) error {
	if len(a) != len(b) {
		return fmt.Errorf("length %d != %d", len(a), len(b))
	}
	for i := range a {
		if a[i] != b[i] {
			return fmt.Errorf("index %d: %x != %x", i, a[i][:4], b[i][:4])
		}
	}
	return nil
}

// CheckCancel runs call with a context that ends after d and checks that
// call returns then, not later, with the context's error (unless
// wantErr is false: calls that return what they have, such as lookups).
// The test must run in a synctest bubble, so that the time taken is exact.
func CheckCancel(t testing.TB, d time.Duration, wantErr bool, call func(ctx context.Context) error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	start := time.Now()
	err := call(ctx)
	if took := time.Since(start); took != d {
		t.Errorf("returned after %v, want %v (when the context ended)", took, d)
	}
	if wantErr && !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("err %v, want %v", err, context.DeadlineExceeded)
	}
}

// Engine is what CheckEndedContext needs of a discovery engine.
type Engine interface {
	Ping(ctx context.Context, n *enode.Node) error
	Resolve(ctx context.Context, n *enode.Node) *enode.Node
	PacketsSent() int64
}

// CheckEndedContext checks that e's calls with an ended context fail (Ping),
// find nothing (lookup, the engine's lookup for n) or return their input
// (Resolve) without sending a packet.
func CheckEndedContext(t testing.TB, e Engine, n *enode.Node, lookup func(ctx context.Context) []*enode.Node) {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	sent := e.PacketsSent()
	if err := e.Ping(ctx, n); !errors.Is(err, context.Canceled) {
		t.Errorf("Ping: err %v, want %v", err, context.Canceled)
	}
	if got := lookup(ctx); len(got) != 0 {
		t.Errorf("lookup found %d nodes", len(got))
	}
	if got := e.Resolve(ctx, n); got != n {
		t.Error("Resolve did not return its input")
	}
	if d := e.PacketsSent() - sent; d != 0 {
		t.Errorf("%d packets sent with an ended context", d)
	}
}
