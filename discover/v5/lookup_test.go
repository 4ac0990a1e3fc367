package v5

import (
	"context"
	"crypto/rand"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

func TestLookupDistancesExample(t *testing.T) {
	var target, dest enode.ID
	// target⊕dest = 1011b: logdist 4; at distances 2 and 1 the nodes are
	// closer to target than dest (bits 1 and 0 set), at 3 farther.
	dest[31] = 0b1011
	got := lookupDistances(target, dest)
	want := []uint{4, 2, 1, 3, 5, 6, 7}
	if !slices.Equal(got, want) {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got := lookupDistances(target, target); !slices.Equal(got, []uint{0, 1, 2, 3}) {
		t.Fatalf("dest = target: got %v", got)
	}
}

// TestLookupDistancesOrder checks the property lookups rely on: every node at
// an earlier distance of the list is closer to the target than every node at
// a later one, so a responder that cuts its answer short leaves out the
// farthest nodes.
func TestLookupDistancesOrder(t *testing.T) {
	for _, td := range []int{1, 2, 5, 11, 12, 200, 250, 255, 256} {
		for range 20 {
			var target enode.ID
			rand.Read(target[:])
			dest := enode.RandomID(target, td)
			dists := lookupDistances(target, dest)
			if dists[0] != uint(td) {
				t.Fatalf("td %d: first distance %d", td, dists[0])
			}
			if len(dists) > maxFindnodeDistances {
				t.Fatalf("td %d: %d distances, responders read %d", td, len(dists), maxFindnodeDistances)
			}
			sorted := slices.Sorted(slices.Values(dists))
			if len(slices.Compact(sorted)) != len(dists) {
				t.Fatalf("td %d: duplicate distance in %v", td, dists)
			}
			var prevFarthest enode.ID
			for i, d := range dists {
				nearest, farthest := enode.RandomID(dest, int(d)), enode.RandomID(dest, int(d))
				for range 30 {
					n := enode.RandomID(dest, int(d))
					if enode.DistCmp(target, n, nearest) < 0 {
						nearest = n
					}
					if enode.DistCmp(target, n, farthest) > 0 {
						farthest = n
					}
				}
				if i > 0 && enode.DistCmp(target, nearest, prevFarthest) < 0 {
					t.Fatalf("td %d, list %v: a node at distance %d is closer to the target than one at %d", td, dists, d, dists[i-1])
				}
				prevFarthest = farthest
			}
		}
	}
}

// TestLookupQueryPartialAnswer: when one of two NODES packets is lost, the
// lookup still uses the records of the other and counts the node as alive.
func TestLookupQueryPartialAnswer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		ours := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer ours.Close()
		fake := newFakePeer(t, nw, testnet.PublicAddr(2))
		var target enode.ID // fake's nodes at distance 256 are closer to it than fake
		target[0] = ^fake.node.ID()[0] & 0x80
		n := nodeAtDistance(t, fake.node.ID(), 256, netip.MustParseAddr("11.9.9.1"), 30303)

		var got []*enode.Node
		done := make(chan error, 1)
		go func() {
			var err error
			got, err = ours.lookupQuery(context.Background(), target, fake.node)
			done <- err
		}()
		src, from, p := fake.acceptRequest()
		req := p.(*v5wire.Findnode)
		if !slices.Contains(req.Distances, 256) {
			t.Fatalf("request for %v", req.Distances)
		}
		// The first of two packets arrives, the second never does.
		fake.send(src, from, &v5wire.Nodes{ReqID: req.ReqID, RespCount: 2, Nodes: []*enr.Record{n.Record()}})
		if err := <-done; err != nil {
			t.Fatal("partial answer is an error:", err)
		}
		if err := testnet.SameIDs(testnet.IDsOf(got), []enode.ID{n.ID()}); err != nil {
			t.Fatal(err)
		}
	})
}
