package dial

import "github.com/devp2p-go/devp2p/enode"

// Candidates reach the scheduler from several sources: the iterator's
// sources (discv4, discv5, DNS lists, the application's), static nodes,
// remembered good peers and bootnodes. Stats counts dials and peers per
// source, so that an operator (and metrics) can see which source feeds the
// node and which one only costs dials.

// SourceLabeller is implemented by candidate iterators that mix several
// sources (enode.FairMix): NodeSource names the source of the node that
// Node returns. The scheduler reads it right after Next.
type SourceLabeller interface {
	NodeSource() string
}

// Source labels of the candidates that do not come from a labelled
// iterator source.
const (
	SourceStatic   = WhyStatic   // static nodes
	SourceWarm     = WhyWarm     // good peers remembered from a previous run
	SourceBootnode = WhyBootnode // the peerless fallback
	// SourceUnlabelled: a dynamic candidate whose iterator gave no label.
	SourceUnlabelled = WhyDynamic
)

// SourceStats is what one candidate source brought.
type SourceStats struct {
	Candidates int // nodes the iterator offered from this source, since start (dynamic sources only)
	Dials      int // dials started to its nodes, since start
	Peers      int // connected peers that were dialed from it
}

// candidate is a node from the iterator and the label of its source.
type candidate struct {
	node   *enode.Node
	source string
}

// sourceCounts holds the SourceStats by label. It is owned by loop(); the
// number of labels is the number of sources, which the code sets.
type sourceCounts map[string]*SourceStats

func (sc sourceCounts) get(label string) *SourceStats {
	st := sc[label]
	if st == nil {
		st = new(SourceStats)
		sc[label] = st
	}
	return st
}

// snapshot copies the counts for Stats.
func (sc sourceCounts) snapshot() map[string]SourceStats {
	if len(sc) == 0 {
		return nil
	}
	m := make(map[string]SourceStats, len(sc))
	for label, st := range sc {
		m[label] = *st
	}
	return m
}

// labelOf returns the source label of the iterator's current node.
func labelOf(it enode.Iterator) string {
	if l, ok := it.(SourceLabeller); ok {
		if label := l.NodeSource(); label != "" {
			return label
		}
	}
	return SourceUnlabelled
}
