package main

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/devp2p-go/devp2p/sim"
	dto "github.com/prometheus/client_model/go"
)

// rateWindow is the window of the rates, like rate(x[10s]) in PromQL.
const rateWindow = 10 * time.Second

// panel is one chart of the dashboard: a metric summed by labels, as a
// value (gauges) or a per-second rate (counters).
type panel struct {
	metric string
	by     []string
	rate   bool
	ylabel string
	order  []string // series drawn first, in this order, so colours stay put
}

// panels mirror the main panels of docs/grafana/devp2p.json.
var panels = []panel{
	{metric: "devp2p_peers", by: []string{"direction"}, ylabel: "peers", order: []string{"inbound", "outbound"}},
	{metric: "devp2p_dial_attempts_total", by: []string{"source"}, rate: true, ylabel: "dials/s", order: []string{"bootnode", "discv4", "discv5"}},
	{metric: "devp2p_setup_verdicts_total", by: []string{"stage", "verdict"}, rate: true, ylabel: "verdicts/s",
		order: []string{"accept allowed", "secured allowed", "hello allowed"}},
	{metric: "devp2p_conn_bytes_total", by: []string{"direction"}, rate: true, ylabel: "bytes/s", order: []string{"inbound", "outbound"}},
	{metric: "devp2p_discovery_packets_total", by: []string{"version"}, rate: true, ylabel: "packets/s", order: []string{"v4", "v5"}},
	{metric: "devp2p_discovery_table_nodes", by: []string{"version"}, ylabel: "nodes", order: []string{"v4", "v5"}},
}

// query is the PromQL the panel draws, its title.
func (p panel) query() string {
	by := strings.Join(p.by, ", ")
	if p.rate {
		return fmt.Sprintf("sum by (%s) (rate(%s[%ds]))", by, p.metric, int(rateWindow/time.Second))
	}
	return fmt.Sprintf("sum by (%s) (%s)", by, p.metric)
}

// chart computes the panel's series from the samples. A series absent from
// a sample counts as 0 there (the metric's labels appear on first use).
func (p panel) chart(samples []sample) sim.Chart {
	sums := make([]map[string]float64, len(samples))
	seen := map[string]bool{}
	for i, s := range samples {
		sums[i] = p.sumBy(s.fams[p.metric])
		for name := range sums[i] {
			seen[name] = true
		}
	}
	c := sim.Chart{Title: p.query(), YLabel: p.ylabel, XLabel: "time", X: make([]float64, len(samples))}
	for i, s := range samples {
		c.X[i] = s.at.Seconds()
	}
	for _, name := range p.seriesOrder(seen) {
		y := make([]float64, len(samples))
		for i := range samples {
			y[i] = sums[i][name]
		}
		if p.rate {
			y = rates(c.X, y)
		}
		c.Series = append(c.Series, sim.Series{Name: name, Y: y})
	}
	return c
}

// sumBy sums the family's metrics by the panel's labels; the series name is
// their values joined by spaces.
func (p panel) sumBy(f *dto.MetricFamily) map[string]float64 {
	out := map[string]float64{}
	for _, m := range f.GetMetric() {
		vals := make([]string, len(p.by))
		for i, l := range p.by {
			for _, lp := range m.GetLabel() {
				if lp.GetName() == l {
					vals[i] = lp.GetValue()
				}
			}
		}
		name := strings.Join(vals, " ")
		switch {
		case m.Counter != nil:
			out[name] += m.Counter.GetValue()
		case m.Gauge != nil:
			out[name] += m.Gauge.GetValue()
		}
	}
	return out
}

// seriesOrder puts the panel's known series first, then the others by name.
func (p panel) seriesOrder(seen map[string]bool) []string {
	var names []string
	for _, name := range p.order {
		if seen[name] {
			names = append(names, name)
			delete(seen, name)
		}
	}
	rest := make([]string, 0, len(seen))
	for name := range seen {
		rest = append(rest, name)
	}
	slices.SortFunc(rest, cmp.Compare)
	return append(names, rest...)
}

// rates turns counter values into per-second rates over rateWindow: at
// each sample, the increase since the oldest sample within the window,
// divided by the time between them. The first sample has no rate (NaN,
// which the chart leaves out).
func rates(x, v []float64) []float64 {
	out := make([]float64, len(v))
	from := 0
	for i := range v {
		for x[i]-x[from] > rateWindow.Seconds() {
			from++
		}
		if dt := x[i] - x[from]; dt > 0 {
			out[i] = (v[i] - v[from]) / dt
		} else {
			out[i] = math.NaN()
		}
	}
	return out
}
