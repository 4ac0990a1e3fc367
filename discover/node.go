package discover

import (
	"net/netip"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// tableNode is an entry of the table: a node plus the bookkeeping of
// revalidation. All fields are owned by Table.loop.
type tableNode struct {
	*enode.Node
	addedAt        mclock.AbsTime // when it entered the live list of its bucket
	livenessChecks uint           // successful revalidations (decays on failure)
	nextCheck      mclock.AbsTime // when revalidation pings it next
	checking       bool           // a revalidation ping is in flight
	findFails      int            // failed findnode calls in a row
	// lastContact is when the node last answered a revalidation ping or
	// contacted us with a proven endpoint (for Snapshot); contacted says
	// whether that happened at all.
	lastContact mclock.AbsTime
	contacted   bool
}

func (n *tableNode) ip() netip.Addr { return n.IPAddr() }

// unwrapNodes returns the enode.Nodes of entries.
func unwrapNodes(ns []*tableNode) []*enode.Node {
	out := make([]*enode.Node, len(ns))
	for i, n := range ns {
		out[i] = n.Node
	}
	return out
}
