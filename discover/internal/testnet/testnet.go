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
package testnet

import (
	"crypto/ecdsa"
	"fmt"
	"net/netip"
	"slices"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

// PublicAddr returns the i-th test address: one per /24 in 11.0.0.0/8, which
// is neither LAN nor special, so the IP limits and relay checks apply.
func PublicAddr(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{11, byte(i >> 8), byte(i), 1}), 30303)
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
