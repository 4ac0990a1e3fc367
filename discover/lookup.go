package discover

import (
	"context"
	"slices"

	"github.com/devp2p-go/devp2p/enode"
)

// QueryFunc asks node n for the nodes it knows closest to the lookup target.
// It returns an error when n does not answer.
type QueryFunc func(ctx context.Context, n *enode.Node) ([]*enode.Node, error)

// maxLookupCandidates bounds the nodes a lookup keeps in mind: the k closest
// it will ask plus a reserve for the ones that turn out silent.
const maxLookupCandidates = 3 * BucketSize

// Lookup is one iterative Kademlia lookup (discv4.md "Recursive Lookup"): it
// asks Alpha nodes at a time, each node once, for nodes closer to the target,
// drops the silent ones, and ends when the BucketSize closest nodes it knows
// have all answered.
type Lookup struct {
	tab    *Table
	ctx    context.Context
	target enode.ID
	query  QueryFunc

	queried int // nodes asked, for statistics
}

// NewLookup creates a lookup for target that asks nodes through query.
func (t *Table) NewLookup(ctx context.Context, target enode.ID, query QueryFunc) *Lookup {
	return &Lookup{tab: t, ctx: ctx, target: target, query: query}
}

// Target returns the ID the lookup is looking for.
func (l *Lookup) Target() enode.ID { return l.target }

// Queried returns how many nodes the lookup asked.
func (l *Lookup) Queried() int { return l.queried }

// Run performs the lookup and returns up to BucketSize nodes closest to the
// target that answered, closest first. If the table is empty it first waits
// for a refresh.
func (l *Lookup) Run() []*enode.Node { return l.run(true) }

type lookupCand struct {
	n        *enode.Node
	asking   bool
	answered bool
}

type lookupReply struct {
	c     *lookupCand
	nodes []*enode.Node
	err   error
}

func (l *Lookup) run(waitRefresh bool) []*enode.Node {
	if f := l.tab.cfg.LookupDone; f != nil {
		start := l.tab.cfg.Clock.Now()
		defer func() { f(l.queried, l.tab.cfg.Clock.Now().Sub(start)) }()
	}
	seeds := l.tab.Closest(l.target, BucketSize, false)
	if len(seeds) == 0 && waitRefresh {
		if l.tab.waitRefresh(l.ctx) != nil {
			return nil
		}
		seeds = l.tab.Closest(l.target, BucketSize, false)
	}
	var (
		self    = l.tab.selfID
		seen    = map[enode.ID]bool{self: true}
		cands   []*lookupCand // not (yet) failed, closest first
		replies = make(chan lookupReply, Alpha)
		running int
	)
	insert := func(n *enode.Node) {
		if seen[n.ID()] {
			return
		}
		seen[n.ID()] = true
		i, _ := slices.BinarySearchFunc(cands, n, func(c *lookupCand, n *enode.Node) int {
			return enode.DistCmp(l.target, c.n.ID(), n.ID())
		})
		if i >= maxLookupCandidates {
			return
		}
		cands = slices.Insert(cands, i, &lookupCand{n: n})
		// Forget far candidates nobody is asking.
		for len(cands) > maxLookupCandidates && !cands[len(cands)-1].asking {
			cands = cands[:len(cands)-1]
		}
	}
	for _, n := range seeds {
		insert(n)
	}
	// next returns an unasked candidate among the k closest.
	next := func() *lookupCand {
		for _, c := range cands[:min(BucketSize, len(cands))] {
			if !c.asking && !c.answered {
				return c
			}
		}
		return nil
	}
	for {
		for running < Alpha && l.ctx.Err() == nil {
			c := next()
			if c == nil {
				break
			}
			c.asking = true
			running++
			l.queried++
			go func() {
				nodes, err := l.query(l.ctx, c.n)
				replies <- lookupReply{c, nodes, err}
			}()
		}
		if running == 0 {
			break
		}
		r := <-replies
		running--
		r.c.asking = false
		if r.err != nil {
			cands = slices.DeleteFunc(cands, func(c *lookupCand) bool { return c == r.c })
			if l.ctx.Err() == nil {
				l.tab.trackFindnode(r.c.n, true)
			}
			continue
		}
		r.c.answered = true
		l.tab.trackFindnode(r.c.n, false)
		// A response counts for at most k nodes (docs/SECURITY.md).
		for _, n := range r.nodes[:min(BucketSize, len(r.nodes))] {
			if n == nil || seen[n.ID()] {
				continue
			}
			l.tab.AddFoundNode(n)
			insert(n)
		}
	}
	var out []*enode.Node
	for _, c := range cands {
		if c.answered && len(out) < BucketSize {
			out = append(out, c.n)
		}
	}
	return out
}
