package dial

import (
	"context"
	"errors"
	"maps"
	"net"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// Stats.Sources tells the sources apart: the labelled sources of a
// FairMix, an unlabelled one, static nodes and warm peers, each with its
// candidates, dials and connected peers.
func TestStatsSources(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var (
			v4, dns, other = newChanIter(), newChanIter(), newChanIter()
			a1             = testNode(1)
			d1, d2, d3     = testNode(2), testNode(3), testNode(4)
			u1             = testNode(5)
			static, warm   = testNode(6), testNode(7)
		)
		mix := enode.NewFairMix(100 * time.Millisecond)
		mix.AddNamedSource("discv4", v4)
		mix.AddNamedSource("dns", dns)
		mix.AddSource(other)
		h := newHarnessIter(t, Config{MaxDialPeers: 10, DB: &fakeMemory{good: []*enode.Node{warm}}}, mix)
		h.setDial(func(ctx context.Context, n *enode.Node) (net.Conn, error) {
			if n.ID() == d3.ID() {
				return nil, errRefused
			}
			a, b := net.Pipe()
			b.Close()
			return a, nil
		})
		h.sched.AddStatic(static)
		for _, f := range []struct {
			it *chanIter
			n  *enode.Node
		}{{v4, a1}, {dns, d1}, {dns, d2}, {dns, d3}, {other, u1}, {dns, d2}} {
			f.it.ch <- f.n
			// The mix waits up to its timeout for the source whose turn
			// it is before it takes this node: let that pass (bubble time).
			time.Sleep(time.Second)
			h.settle()
		}
		want := map[string]SourceStats{
			"discv4":         {Candidates: 1, Dials: 1, Peers: 1},
			"dns":            {Candidates: 4, Dials: 3, Peers: 2}, // d3 failed, the second d2 was connected
			SourceUnlabelled: {Candidates: 1, Dials: 1, Peers: 1},
			SourceStatic:     {Dials: 1, Peers: 1},
			SourceWarm:       {Dials: 1, Peers: 1},
		}
		if got := h.sched.Stats().Sources; !maps.Equal(got, want) {
			t.Fatalf("sources:\n got %v\nwant %v", got, want)
		}
		// A peer that leaves leaves its source's count; an inbound peer
		// counts for no source.
		h.removePeer(d1, errors.New("gone"))
		h.sched.PeerAdded(testNode(8), Inbound)
		h.settle()
		want["dns"] = SourceStats{Candidates: 4, Dials: 3, Peers: 1}
		if got := h.sched.Stats().Sources; !maps.Equal(got, want) {
			t.Fatalf("after a drop:\n got %v\nwant %v", got, want)
		}
	})
}
