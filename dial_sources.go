package devp2p

import (
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/internal/dial"
)

// Source labels of dial candidates, as DialStats.Sources reports them. The
// dialer mixes its candidate sources fairly (enode.FairMix) and labels each
// one, so that a status line or a metric can tell which source feeds the
// node and which only costs dials.
const (
	SourceDiscv4 = "discv4" // discv4 random lookups
	SourceDiscv5 = "discv5" // discv5 random lookups
	SourceDNS    = "dns"    // EIP-1459 node lists (Config.DNSDiscovery)
	SourceCustom = "custom" // Config.DialCandidates
	// SourceProtocolPrefix is followed by the protocol's name for the
	// candidates of Protocol.DialCandidates, e.g. "protocol:eth".
	SourceProtocolPrefix = "protocol:"
	SourceStatic         = dial.SourceStatic   // static nodes (Config.StaticNodes, AddPeer)
	SourceWarm           = dial.SourceWarm     // good peers of the previous run (node database)
	SourceBootnode       = dial.SourceBootnode // bootnodes dialed while the node has no peer
)

// DialSourceStats is what one candidate source brought.
type DialSourceStats struct {
	// Candidates is the number of nodes the source offered since Start
	// (0 for static nodes, warm peers and bootnodes, which are not
	// offered but dialed as needed).
	Candidates int
	// Dials is the number of dials started to its nodes since Start.
	Dials int
	// Peers is the number of connected peers dialed from it.
	Peers int
}

// dialSource is a labelled candidate source for the dialer's mix.
type dialSource struct {
	label string
	it    enode.Iterator
}

// candidateSources returns the labelled sources given by the application:
// Config.DialCandidates and the protocols' DialCandidates.
func (c *Config) candidateSources() []dialSource {
	var srcs []dialSource
	for _, it := range c.DialCandidates {
		srcs = append(srcs, dialSource{SourceCustom, it})
	}
	for _, p := range c.Protocols {
		if p.DialCandidates != nil {
			srcs = append(srcs, dialSource{SourceProtocolPrefix + p.Name, p.DialCandidates})
		}
	}
	return srcs
}

func sourceStats(in map[string]dial.SourceStats) map[string]DialSourceStats {
	if in == nil {
		return nil
	}
	out := make(map[string]DialSourceStats, len(in))
	for label, st := range in {
		out[label] = DialSourceStats{Candidates: st.Candidates, Dials: st.Dials, Peers: st.Peers}
	}
	return out
}
