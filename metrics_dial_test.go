package devp2p

import (
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/devp2p-go/devp2p/dnsdisc"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/internal/dial"
)

// TestDialMetricsSources: a dynamic dial counts under the candidate source
// that produced its node, static, warm and bootnode dials under their own
// names, and a node no tagged source produced under "other".
func TestDialMetricsSources(t *testing.T) {
	m := &serverMetrics{dials: newDialMetrics()}
	var nodes []*enode.Node
	for range 4 {
		key := newKey(t)
		nodes = append(nodes, enode.NewV4(&key.PublicKey, nil, 0, 0))
	}
	drain := func(it enode.Iterator) {
		for it.Next() {
		}
		it.Close()
	}
	drain(m.tagSource(enode.IterNodes(nodes[:2]), sourceDiscv4))
	drain(m.tagSource(enode.IterNodes(nodes[2:3]), sourceDiscv5))

	trace := m.dialTrace()
	dials := []struct {
		n   *enode.Node
		why string
		src string
	}{
		{nodes[0], dial.WhyDynamic, sourceDiscv4},
		{nodes[1], dial.WhyDynamic, sourceDiscv4},
		{nodes[2], dial.WhyDynamic, sourceDiscv5},
		{nodes[3], dial.WhyDynamic, labelOther},
	}
	for _, d := range dials {
		trace(dial.Event{Kind: dial.EventDial, ID: d.n.ID(), Node: d.n, Reason: d.why})
	}
	trace(dial.Event{Kind: dial.EventDialDone, ID: nodes[0].ID(), Node: nodes[0], Class: dial.Unreachable, Err: errors.New("refused")})
	trace(dial.Event{Kind: dial.EventDialDone, ID: nodes[2].ID(), Node: nodes[2], Class: dial.NoFailure})
	for _, why := range []string{dial.WhyStatic, dial.WhyWarm, dial.WhyBootnode} {
		trace(dial.Event{Kind: dial.EventDial, ID: nodes[3].ID(), Node: nodes[3], Reason: why})
	}
	trace(dial.Event{Kind: dial.EventSkip, ID: nodes[1].ID(), Node: nodes[1], Reason: dial.SkipRecent})

	dm := m.dials
	for src, want := range map[string]float64{sourceDiscv4: 2, sourceDiscv5: 1, labelOther: 1, sourceStatic: 1, sourceWarm: 1, sourceBootnode: 1, sourceDNS: 0} {
		if got := testutil.ToFloat64(dm.attempts.WithLabelValues(src)); got != want {
			t.Errorf("attempts{source=%q} = %v, want %v", src, got, want)
		}
	}
	if got := testutil.ToFloat64(dm.outcomes.WithLabelValues(sourceDiscv4, "unreachable")); got != 1 {
		t.Errorf("outcomes{discv4, unreachable} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(dm.outcomes.WithLabelValues(sourceDiscv5, "none")); got != 1 {
		t.Errorf("outcomes{discv5, none} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(dm.skips.WithLabelValues(dial.SkipRecent)); got != 1 {
		t.Errorf("skips{recent} = %v, want 1", got)
	}
}

// TestCandidateSource: an iterator of package dnsdisc is the "dns" source.
func TestCandidateSource(t *testing.T) {
	c, err := dnsdisc.NewClient(dnsdisc.Config{})
	if err != nil {
		t.Fatal(err)
	}
	it, err := c.NewIterator()
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	if got := candidateSource(it); got != sourceDNS {
		t.Errorf("dnsdisc iterator: source %q, want %q", got, sourceDNS)
	}
	if got := candidateSource(enode.IterNodes(nil)); got != labelOther {
		t.Errorf("other iterator: source %q, want %q", got, labelOther)
	}
}
