package testnet

import (
	"testing"

	"github.com/devp2p-go/devp2p/enode"
)

type fakeNode struct{ n *enode.Node }

func (f fakeNode) Self() *enode.Node { return f.n }

func TestTrueClosest(t *testing.T) {
	var nodes []fakeNode
	for i := range 20 {
		key := NewKey(t)
		addr := PublicAddr(i)
		nodes = append(nodes, fakeNode{enode.NewV4(&key.PublicKey, addr.Addr().AsSlice(), 0, int(addr.Port()))})
	}
	self, target := nodes[0].n.ID(), nodes[5].n.ID()
	got := TrueClosest(nodes, self, target, 4)
	if len(got) != 4 || got[0] != target {
		t.Fatalf("got %d IDs, first %x; want 4, first the target", len(got), got[0][:4])
	}
	for i := 1; i < len(got); i++ {
		if enode.DistCmp(target, got[i-1], got[i]) > 0 {
			t.Fatalf("not sorted at %d", i)
		}
	}
	for _, id := range got {
		if id == self {
			t.Fatal("self in result")
		}
	}
	if err := SameIDs(got, got[:3]); err == nil {
		t.Error("SameIDs: lengths differ, no error")
	}
	if err := SameIDs(got[:2], []enode.ID{got[0], got[2]}); err == nil {
		t.Error("SameIDs: element differs, no error")
	}
	if ids := IDsOf([]*enode.Node{nodes[5].n}); SameIDs(ids, got[:1]) != nil {
		t.Error("IDsOf/SameIDs: target's ID differs")
	}
	if a, b := PublicAddr(1), PublicAddr(2); a.Addr() == b.Addr() || !a.Addr().IsGlobalUnicast() {
		t.Errorf("addresses %v %v", a, b)
	}
}
