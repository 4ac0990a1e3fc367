package sim

import (
	"bufio"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// WriteDiscoveryCSV writes the samples of a discovery run as CSV with a
// header row.
func WriteDiscoveryCSV(w io.Writer, samples []DiscoverySample) error {
	bw := bufio.NewWriter(w)
	bw.WriteString("time_s,wall_s,started,table_fill,table_min,table_nonempty,table_fill_k," +
		"lookups,lookup_found,lookup_all16,lookup_time_s,packets_per_lookup,bytes_per_lookup," +
		"packets_per_node_s,bytes_per_node_s\n")
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	for _, s := range samples {
		bw.WriteString(strings.Join([]string{
			strconv.FormatFloat(s.Time.Seconds(), 'f', 1, 64), strconv.FormatFloat(s.Wall.Seconds(), 'f', 1, 64), strconv.Itoa(s.Started),
			f(s.TableFill), strconv.Itoa(s.TableMin), f(s.TableNonEmpty), f(s.TableFillK),
			strconv.Itoa(s.Lookups), f(s.LookupFound), f(s.LookupAll), f(s.LookupTime.Seconds()),
			f(s.PacketsPerLookup), f(s.BytesPerLookup), f(s.PacketsPerNodeSec), f(s.BytesPerNodeSec),
		}, ","))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}

// DiscoveryReport builds the report of a discovery run.
func DiscoveryReport(res *DiscoveryResult) *Report {
	cfg := res.Config
	s := res.Samples
	xs := make([]float64, len(s))
	for i := range s {
		xs[i] = s[i].Time.Seconds()
	}
	col := func(f func(DiscoverySample) float64) []float64 {
		ys := make([]float64, len(s))
		for i := range s {
			ys[i] = f(s[i])
		}
		return ys
	}
	lk := func(f func(DiscoverySample) float64) []float64 { // NaN where no lookup ended
		return col(func(x DiscoverySample) float64 {
			if x.Lookups == 0 {
				return math.NaN()
			}
			return f(x)
		})
	}
	r := &Report{Title: fmt.Sprintf("devp2p sim discovery: %d discv4 nodes, seed %d", cfg.Nodes, cfg.Seed)}
	r.Figures = append(r.Figures,
		fmt.Sprintf("%v of simulated time in %v of wall time (%v of it starting engines); %d bootnodes, the other nodes joining over %v",
			cfg.Duration, res.Wall.Round(time.Second), res.Startup.Round(time.Millisecond), cfg.Bootnodes, cfg.Ramp),
		fmt.Sprintf("%d address blocks, %.0f%% of nodes behind NAT, %.1f%% datagram loss, link latency %v–%v",
			len(cfg.Subnets), 100*cfg.Unreachable, 100*cfg.Loss, cfg.LatencyMin, cfg.LatencyMax),
		engineSettings(cfg),
	)
	if len(s) > 0 {
		f := s[len(s)-1]
		r.Figures = append(r.Figures,
			fmt.Sprintf("at the end: %d nodes running, %.1f table entries on average (fewest %d), %.1f%% with entries, %.1f%% with ≥ %d",
				f.Started, f.TableFill, f.TableMin, 100*f.TableNonEmpty, 100*f.TableFillK, cfg.FillK))
		if last, ok := lastLookups(s); ok {
			r.Figures = append(r.Figures, fmt.Sprintf("lookups in the last period: %d found %.1f%% of the true 16 closest reachable nodes (all 16 in %.1f%%), in %v and %.0f datagrams (%.1f KiB) each",
				last.Lookups, 100*last.LookupFound, 100*last.LookupAll, last.LookupTime.Round(time.Millisecond), last.PacketsPerLookup, last.BytesPerLookup/1024))
		}
		r.Figures = append(r.Figures, fmt.Sprintf("traffic at the end: %.2f datagrams and %.0f bytes per node per second", f.PacketsPerNodeSec, f.BytesPerNodeSec))
	}
	if len(res.Sent) > 0 {
		r.Figures = append(r.Figures, "datagrams the engines sent: "+countList(res.Sent))
	}
	if len(res.Drops) > 0 {
		r.Figures = append(r.Figures, "datagrams the engines dropped: "+countList(res.Drops))
	}
	if res.ForcedSteps > 0 {
		r.Figures = append(r.Figures, fmt.Sprintf("the clock moved on %d times while engines were still busy (after MaxWait %v): timing figures are suspect", res.ForcedSteps, cfg.MaxWait))
	}
	r.Charts = []Chart{
		{Title: "Tables", YLabel: "share of running nodes", X: xs, YMax: 1, Series: []Series{
			{Name: "with entries", Y: col(func(x DiscoverySample) float64 { return x.TableNonEmpty })},
			{Name: fmt.Sprintf("with ≥ %d entries", cfg.FillK), Y: col(func(x DiscoverySample) float64 { return x.TableFillK })},
		}},
		{Title: "Table fill", YLabel: "live entries per node", X: xs, Series: []Series{
			{Name: "mean", Y: col(func(x DiscoverySample) float64 { return x.TableFill })},
			{Name: "fewest", Y: col(func(x DiscoverySample) float64 { return float64(x.TableMin) })},
		}},
		{Title: "Lookups: the true 16 closest found", YLabel: "share", X: xs, YMax: 1, Series: []Series{
			{Name: "mean share found", Y: lk(func(x DiscoverySample) float64 { return x.LookupFound })},
			{Name: "lookups finding all 16", Y: lk(func(x DiscoverySample) float64 { return x.LookupAll })},
		}},
		{Title: "Traffic per node", YLabel: "datagrams per second", X: xs, Series: []Series{
			{Name: "datagrams", Y: col(func(x DiscoverySample) float64 { return x.PacketsPerNodeSec })},
		}},
		{Title: "Cost of a lookup", YLabel: "datagrams through the asking node", X: xs, Series: []Series{
			{Name: "datagrams per lookup", Y: lk(func(x DiscoverySample) float64 { return x.PacketsPerLookup })},
		}},
	}
	return r
}

// engineSettings describes what the run changed of the engines' defaults.
func engineSettings(cfg DiscoveryConfig) string {
	db := "each engine with its own in-memory node database"
	if cfg.NoNodeDB {
		db = "engines without a node database"
	}
	check := "new table entries pinged within 10s (the default)"
	if cfg.NewNodeCheck > 0 {
		check = fmt.Sprintf("new table entries pinged within %v (default 10s)", cfg.NewNodeCheck)
	}
	return db + "; " + check
}

// countList formats counts by name, sorted by name.
func countList(m map[string]uint64) string {
	names := make([]string, 0, len(m))
	for name := range m {
		names = append(names, name)
	}
	slices.Sort(names)
	parts := make([]string, len(names))
	for i, name := range names {
		parts[i] = fmt.Sprintf("%s %d", name, m[name])
	}
	return strings.Join(parts, ", ")
}

// lastLookups returns the last sample in which lookups ended.
func lastLookups(s []DiscoverySample) (DiscoverySample, bool) {
	for i := len(s) - 1; i >= 0; i-- {
		if s[i].Lookups > 0 {
			return s[i], true
		}
	}
	return DiscoverySample{}, false
}
