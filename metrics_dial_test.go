package devp2p

import (
	"errors"
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/internal/dial"
)

// TestDialMetricsSources: dials count under the label of their candidate's
// source as the scheduler reports it; the application's own sources fold
// into "other", so the label set stays fixed.
func TestDialMetricsSources(t *testing.T) {
	m := &serverMetrics{dials: newDialMetrics()}
	var nodes []*enode.Node
	for range 4 {
		key := newKey(t)
		nodes = append(nodes, enode.NewV4(&key.PublicKey, nil, 0, 0))
	}
	trace := m.dialTrace()
	dials := []struct {
		n      *enode.Node
		why    string
		source string
	}{
		{nodes[0], dial.WhyDynamic, SourceDiscv4},
		{nodes[1], dial.WhyDynamic, SourceDiscv4},
		{nodes[2], dial.WhyDynamic, SourceDiscv5},
		{nodes[3], dial.WhyDynamic, SourceDNS},
		{nodes[3], dial.WhyDynamic, SourceCustom},
		{nodes[3], dial.WhyDynamic, SourceProtocolPrefix + "eth"},
		{nodes[3], dial.WhyStatic, SourceStatic},
		{nodes[3], dial.WhyWarm, SourceWarm},
		{nodes[3], dial.WhyBootnode, SourceBootnode},
	}
	for _, d := range dials {
		trace(dial.Event{Kind: dial.EventDial, ID: d.n.ID(), Node: d.n, Reason: d.why, Source: d.source})
	}
	trace(dial.Event{Kind: dial.EventDialDone, ID: nodes[0].ID(), Node: nodes[0], Class: dial.Unreachable, Err: errors.New("refused"), Source: SourceDiscv4})
	trace(dial.Event{Kind: dial.EventDialDone, ID: nodes[2].ID(), Node: nodes[2], Class: dial.NoFailure, Source: SourceDiscv5})
	trace(dial.Event{Kind: dial.EventSkip, ID: nodes[1].ID(), Node: nodes[1], Reason: dial.SkipRecent})

	dm := m.dials
	want := map[string]float64{SourceDiscv4: 2, SourceDiscv5: 1, SourceDNS: 1, labelOther: 2, SourceStatic: 1, SourceWarm: 1, SourceBootnode: 1}
	for src, w := range want {
		if got := testutil.ToFloat64(dm.attempts.WithLabelValues(src)); got != w {
			t.Errorf("attempts{source=%q} = %v, want %v", src, got, w)
		}
	}
	if got := testutil.CollectAndCount(dm.attempts); got != len(want) {
		t.Errorf("attempts has %d series, want %d", got, len(want))
	}
	if got := testutil.ToFloat64(dm.outcomes.WithLabelValues(SourceDiscv4, "unreachable")); got != 1 {
		t.Errorf("outcomes{discv4, unreachable} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(dm.outcomes.WithLabelValues(SourceDiscv5, "none")); got != 1 {
		t.Errorf("outcomes{discv5, none} = %v, want 1", got)
	}
	if got := testutil.ToFloat64(dm.skips.WithLabelValues(dial.SkipRecent)); got != 1 {
		t.Errorf("skips{recent} = %v, want 1", got)
	}
}
