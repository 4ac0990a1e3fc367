package main

import (
	"fmt"
	"io"

	"github.com/devp2p-go/devp2p/sim"
)

// charts computes the dashboard's panels; the time the churn node was
// down is shaded in each.
func (d *dashboard) charts() []sim.Chart {
	charts := make([]sim.Chart, len(panels))
	for i, p := range panels {
		charts[i] = p.chart(d.samples)
		if d.churned >= 0 {
			charts[i].Bands = [][2]float64{{d.down[0].Seconds(), d.down[1].Seconds()}}
		}
	}
	return charts
}

// writeSVG draws the dashboard: a heading that says what was measured, and
// the panels two to a row.
func (d *dashboard) writeSVG(w io.Writer) error {
	heading := []string{
		fmt.Sprintf("devp2p node %d of %d in-process nodes on 127.0.0.1, joining the others as the run starts: its Prometheus registry (Config.Metrics), sampled every %v for %v",
			d.opts.nodes-1, d.opts.nodes, d.opts.interval, d.opts.duration),
		fmt.Sprintf("Real data, not a mock-up: go run ./internal/tools/dashpic -nodes %d -duration %v, %s. Discovery v4 and v5, node 0 the bootnode, MaxPeers %d, an echo protocol.",
			d.opts.nodes, d.opts.duration, d.date.Format("2006-01-02 15:04 UTC"), d.opts.maxPeers),
	}
	if d.churned >= 0 {
		heading = append(heading, fmt.Sprintf("Grey band: node %d stopped (started again at the same address at its end). Rates over %v windows.", d.churned, rateWindow))
	} else {
		heading = append(heading, fmt.Sprintf("Rates over %v windows.", rateWindow))
	}
	return sim.WriteGridSVG(w, heading, 2, d.charts())
}
