package v5

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"net/netip"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/netutil"
)

var (
	errWrongDistance = errors.New("record at a distance we did not ask for")
	errDuplicate     = errors.New("duplicate record in response")
	errLowPort       = errors.New("record has a low UDP port")
	errWrongID       = errors.New("record ID does not match")
)

// checkRelay reports whether a node at sender may tell us about n's address.
func checkRelay(sender netip.Addr, n *enode.Node) error {
	return netutil.CheckRelayAddr(sender, n.IPAddr())
}

// Ping sends a PING to n and waits for the PONG, at most until ctx ends.
func (t *UDPv5) Ping(ctx context.Context, n *enode.Node) error {
	_, err := t.ping(ctx, n)
	return err
}

func (t *UDPv5) ping(ctx context.Context, n *enode.Node) (uint64, error) {
	resp, err := t.call(ctx, n, &v5wire.Ping{ENRSeq: t.localNode.Seq()}, v5wire.PongMsg)
	if err != nil {
		return 0, err
	}
	return resp[0].(*v5wire.Pong).ENRSeq, nil
}

// RequestENR asks n for its current record (FINDNODE at distance 0),
// waiting at most until ctx ends.
func (t *UDPv5) RequestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	nodes, err := t.Findnode(ctx, n, []uint{0})
	if err != nil {
		return nil, err
	}
	if len(nodes) != 1 {
		return nil, fmt.Errorf("%d records in response to distance 0", len(nodes))
	}
	return nodes[0], nil
}

// Resolve returns the newest record of n we can get: from the table or the
// node itself. It returns n when it finds nothing newer, also when ctx ends
// first.
func (t *UDPv5) Resolve(ctx context.Context, n *enode.Node) *enode.Node {
	if tn := t.tab.Node(n.ID()); tn != nil && tn.Seq() > n.Seq() {
		n = tn
	}
	if rn, err := t.RequestENR(ctx, n); err == nil && rn.Seq() > n.Seq() {
		return rn
	}
	return n
}

// Findnode asks n for the nodes at the given log distances from it and
// returns the records that pass verification, waiting at most until ctx
// ends.
func (t *UDPv5) Findnode(ctx context.Context, n *enode.Node, distances []uint) ([]*enode.Node, error) {
	resp, err := t.call(ctx, n, &v5wire.Findnode{Distances: distances}, v5wire.NodesMsg)
	var (
		nodes []*enode.Node
		seen  = make(map[enode.ID]bool)
	)
	for _, p := range resp {
		for _, r := range p.(*v5wire.Nodes).Nodes {
			rn, verr := t.verifyResponseNode(n, r, distances, seen)
			if verr != nil {
				t.cfg.Logger.Debug("invalid record in NODES", "id", n.ID(), "err", verr)
				continue
			}
			nodes = append(nodes, rn)
		}
	}
	if len(nodes) > findnodeResultLimit {
		nodes = nodes[:findnodeResultLimit]
	}
	return nodes, err
}

// verifyResponseNode checks a record received from src: valid signature,
// at an asked distance, relayable address, no low port, no duplicate.
func (t *UDPv5) verifyResponseNode(src *enode.Node, rec *enr.Record, distances []uint, seen map[enode.ID]bool) (*enode.Node, error) {
	if rec == nil {
		return nil, errors.New("nil record")
	}
	n, err := enode.New(t.cfg.ValidSchemes, rec)
	if err != nil {
		return nil, err
	}
	// A dual-stack record is kept with the address our socket reaches.
	if n = n.ForFamilies(t.families); n == nil {
		return nil, errNoUDPEndpoint
	}
	// No TCP port needed: discv5 nodes need not run RLPx.
	if _, ok := n.UDPEndpoint(); !ok {
		return nil, errNoUDPEndpoint
	}
	if err := checkRelay(src.IPAddr(), n); err != nil {
		return nil, err
	}
	if n.UDP() <= minRelayPort {
		return nil, errLowPort
	}
	d := uint(enode.LogDist(src.ID(), n.ID()))
	asked := false
	for _, ad := range distances {
		if ad == d {
			asked = true
			break
		}
	}
	if !asked {
		return nil, errWrongDistance
	}
	if seen[n.ID()] {
		return nil, errDuplicate
	}
	seen[n.ID()] = true
	return n, nil
}

// TalkRequest sends a TALKREQ for protocol to n and returns the response,
// waiting at most until ctx ends.
func (t *UDPv5) TalkRequest(ctx context.Context, n *enode.Node, protocol string, req []byte) ([]byte, error) {
	resp, err := t.call(ctx, n, &v5wire.TalkRequest{Protocol: protocol, Message: req}, v5wire.TalkRespMsg)
	if err != nil {
		return nil, err
	}
	return resp[0].(*v5wire.TalkResponse).Message, nil
}

// Lookup finds the discover.BucketSize nodes closest to target that answer.
// When ctx ends first, it returns the nodes that answered so far.
func (t *UDPv5) Lookup(ctx context.Context, target enode.ID) []*enode.Node {
	return t.newLookup(ctx, target).Run()
}

// LookupRandom runs a lookup for a random target, as Lookup.
func (t *UDPv5) LookupRandom(ctx context.Context) []*enode.Node {
	return t.newRandomLookup(ctx).Run()
}

// RandomNodes returns an iterator that runs lookups for random targets and
// yields the nodes they find. It feeds the dialer. Its Close (or the
// engine's) ends the lookup in progress.
func (t *UDPv5) RandomNodes() enode.Iterator {
	return t.tab.NewLookupIterator(t.newRandomLookup)
}

// lookupDistances returns the log distances a lookup for target asks dest
// for, ordered by how close to target the nodes at each distance are. The
// responder fills its answer distance by distance in the order asked and
// stops at findnodeResultLimit records (discv5-wire.md "FINDNODE"; this
// package and go-ethereum do so), so the records left out are the farthest
// and the answer is dest's nodes closest to target, the FINDNODE of Kademlia.
//
// With td = logdist(target, dest), the nodes at distance d from dest are
//   - for d == td: all closer to target than dest (logdist < td);
//   - for d < td: at logdist td from target, like dest: closer than dest if
//     bit d-1 of target⊕dest is set (the higher d, the closer), farther if
//     it is clear (the lower d, the closer);
//   - for d > td: at logdist d from target.
//
// Asking only td, td+1 and td-1 in that order lets the farther nodes at td+1
// crowd the closer ones at td-1 and below out of a full answer; lookups then
// missed some of the true closest nodes (one in ten in a 200-node network).
func lookupDistances(target, dest enode.ID) []uint {
	td := enode.LogDist(target, dest)
	dists := make([]uint, 0, 1+lookupLowerDistances+lookupUpperDistances)
	dists = append(dists, uint(td))
	lowest := max(1, td-lookupLowerDistances)
	for d := td - 1; d >= lowest; d-- {
		if idBit(target, dest, d-1) {
			dists = append(dists, uint(d))
		}
	}
	for d := lowest; d < td; d++ {
		if !idBit(target, dest, d-1) {
			dists = append(dists, uint(d))
		}
	}
	for d := td + 1; d <= min(256, td+lookupUpperDistances); d++ {
		dists = append(dists, uint(d))
	}
	return dists
}

// idBit reports whether bit i (0 = least significant) of a⊕b is set.
func idBit(a, b enode.ID, i int) bool {
	j := len(a) - 1 - i/8
	return (a[j]^b[j])&(1<<(i%8)) != 0
}

func (t *UDPv5) newLookup(ctx context.Context, target enode.ID) *discover.Lookup {
	return t.tab.NewLookup(ctx, target, func(ctx context.Context, n *enode.Node) ([]*enode.Node, error) {
		return t.lookupQuery(ctx, target, n)
	})
}

// lookupQuery asks n for its nodes closest to target. An answer cut short
// (a NODES packet of several lost) still counts: n is alive, and the records
// that came are as good as the whole answer's.
func (t *UDPv5) lookupQuery(ctx context.Context, target enode.ID, n *enode.Node) ([]*enode.Node, error) {
	nodes, err := t.Findnode(ctx, n, lookupDistances(target, n.ID()))
	if errors.Is(err, errTimeout) && len(nodes) > 0 {
		t.cfg.Logger.Debug("partial NODES answer in lookup", "id", n.ID(), "records", len(nodes))
		err = nil
	}
	return nodes, err
}

func (t *UDPv5) newRandomLookup(ctx context.Context) *discover.Lookup {
	var target enode.ID
	rand.Read(target[:])
	return t.newLookup(ctx, target)
}

// tableTransport is the engine as the table sees it.
type tableTransport struct{ t *UDPv5 }

func (tt tableTransport) Self() *enode.Node { return tt.t.Self() }
func (tt tableTransport) Ping(ctx context.Context, n *enode.Node) (uint64, error) {
	return tt.t.ping(ctx, n)
}
func (tt tableTransport) RequestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	return tt.t.RequestENR(ctx, n)
}
func (tt tableTransport) NewSelfLookup(ctx context.Context) *discover.Lookup {
	return tt.t.newLookup(ctx, tt.t.Self().ID())
}
func (tt tableTransport) NewRandomLookup(ctx context.Context) *discover.Lookup {
	return tt.t.newRandomLookup(ctx)
}
