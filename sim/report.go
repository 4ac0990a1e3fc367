package sim

import (
	"fmt"
	"html"
	"io"
	"math"
	"strings"
	"time"
)

// Report is a self-contained HTML page: a title, lines of figures and
// charts drawn as inline SVG. It loads nothing from the network.
type Report struct {
	Title   string
	Figures []string
	Charts  []Chart
}

// WriteHTML writes the report.
func (r *Report) WriteHTML(w io.Writer) error {
	var b strings.Builder
	fmt.Fprintf(&b, "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>%s</title>\n", html.EscapeString(r.Title))
	b.WriteString("<style>body{font-family:sans-serif;max-width:700px;margin:2em auto;color:#222}li{margin:.2em 0}svg{margin:1em 0;border:1px solid #eee}</style>\n</head><body>\n")
	fmt.Fprintf(&b, "<h1>%s</h1>\n<ul>\n", html.EscapeString(r.Title))
	for _, f := range r.Figures {
		fmt.Fprintf(&b, "<li>%s</li>\n", html.EscapeString(f))
	}
	b.WriteString("</ul>\n")
	for i := range r.Charts {
		r.Charts[i].svg(&b)
	}
	b.WriteString("</body></html>\n")
	_, err := io.WriteString(w, b.String())
	return err
}

// ModelReport builds the report of a model run.
func ModelReport(name string, res *Result) *Report {
	cfg := res.Config
	s := res.Samples
	xs := make([]float64, len(s))
	col := func(f func(Sample) float64) []float64 {
		ys := make([]float64, len(s))
		for i := range s {
			ys[i] = f(s[i])
		}
		return ys
	}
	lk := func(f func(Sample) float64) []float64 { // NaN where no lookup ended
		return col(func(x Sample) float64 {
			if x.Lookups == 0 {
				return math.NaN()
			}
			return f(x)
		})
	}
	for i := range s {
		xs[i] = s[i].Time.Seconds()
	}
	var bands [][2]float64
	if p := cfg.Partition; p.At > 0 {
		bands = append(bands, [2]float64{p.At.Seconds(), p.Heal.Seconds()})
	}
	r := &Report{Title: fmt.Sprintf("devp2p sim %s: %d nodes, seed %d", name, cfg.Nodes, cfg.Seed)}
	f := res.Summary.Final
	r.Figures = append(r.Figures,
		fmt.Sprintf("%v of simulated time, a sample every %v; %d bootnodes, %.0f%% of nodes behind NAT, %.0f%% datagram loss, MaxPeers %d",
			cfg.Duration, cfg.Sample, cfg.Bootnodes, 100*cfg.Unreachable, 100*cfg.Loss, cfg.MaxPeers),
		fmt.Sprintf("at the end: %d honest nodes online, %.1f%% with ≥ %d peers (%.1f peers on average), %.1f table entries on average",
			f.Online, 100*f.PeersK, cfg.PeersK, f.MeanPeers, f.TableFill),
		fmt.Sprintf("lookups found %.1f%% of the true 16 closest (all 16 in %.1f%% of them), with %.1f datagrams and %.1f KiB each",
			100*f.LookupFound, 100*f.LookupAll16, f.PacketsPerLookup, f.BytesPerLookup/1024),
		fmt.Sprintf("traffic: %.2f datagrams and %.0f bytes per node per second", f.PacketsPerNodeSec, f.BytesPerNodeSec),
	)
	if at := res.Summary.PeersKAt; at >= 0 {
		r.Figures = append(r.Figures, fmt.Sprintf("every online node had ≥ %d peers at %v", cfg.PeersK, at))
	}
	if cfg.Sybil.Fraction > 0 {
		r.Figures = append(r.Figures, fmt.Sprintf("Sybils: %.0f%% of identities from %d /24 blocks; honest share of peers %.1f%%, of table entries %.1f%%",
			100*cfg.Sybil.Fraction, cfg.Sybil.Subnets, 100*f.HonestPeerShare, 100*f.HonestTableShare))
	}
	if cfg.Partition.At > 0 {
		rec := "did not recover within the run"
		if res.Summary.Recovery >= 0 {
			rec = fmt.Sprintf("lookups recovered %v after the heal", res.Summary.Recovery)
		}
		r.Figures = append(r.Figures, fmt.Sprintf("partition from %v to %v (shaded); %s", cfg.Partition.At, cfg.Partition.Heal, rec))
	}
	r.Charts = []Chart{
		{Title: "Peers", YLabel: "share of nodes", X: xs, YMax: 1, Bands: bands, Series: []Series{
			{Name: fmt.Sprintf("≥ %d peers", cfg.PeersK), Y: col(func(x Sample) float64 { return x.PeersK })},
		}},
		{Title: "Lookups: the true 16 closest found", YLabel: "share", X: xs, YMax: 1, Bands: bands, Series: []Series{
			{Name: "mean share found", Y: lk(func(x Sample) float64 { return x.LookupFound })},
			{Name: "lookups finding all 16", Y: lk(func(x Sample) float64 { return x.LookupAll16 })},
		}},
		{Title: "Table fill", YLabel: "live entries per node", X: xs, Bands: bands, Series: []Series{
			{Name: "mean entries", Y: col(func(x Sample) float64 { return x.TableFill })},
			{Name: "mean peers", Y: col(func(x Sample) float64 { return x.MeanPeers })},
		}},
		{Title: "Traffic per node", YLabel: "per second", X: xs, Bands: bands, Series: []Series{
			{Name: "datagrams", Y: col(func(x Sample) float64 { return x.PacketsPerNodeSec })},
		}},
		{Title: "Cost of a lookup", YLabel: "datagrams", X: xs, Bands: bands, Series: []Series{
			{Name: "datagrams per lookup", Y: lk(func(x Sample) float64 { return x.PacketsPerLookup })},
		}},
	}
	if cfg.Sybil.Fraction > 0 {
		r.Charts = append(r.Charts, Chart{Title: "Honest share under attack", YLabel: "share", X: xs, YMax: 1, Series: []Series{
			{Name: "of peers", Y: col(func(x Sample) float64 { return x.HonestPeerShare })},
			{Name: "of table entries", Y: col(func(x Sample) float64 { return x.HonestTableShare })},
		}})
	}
	return r
}

// LiveReport builds the report of a live run of the named scenario.
func LiveReport(name string, res *LiveResult) *Report {
	cfg := res.Config
	s := res.Samples
	xs := make([]float64, len(s))
	col := func(f func(LiveSample) float64) []float64 {
		ys := make([]float64, len(s))
		for i := range s {
			ys[i] = f(s[i])
		}
		return ys
	}
	for i := range s {
		xs[i] = s[i].Time.Seconds()
	}
	var bands [][2]float64
	if p := cfg.Partition; p.At > 0 {
		bands = append(bands, [2]float64{p.At.Seconds(), p.Heal.Seconds()})
	}
	if r := cfg.Restart; r.At > 0 {
		bands = append(bands, [2]float64{r.At.Seconds(), (r.At + r.Down).Seconds()})
	}
	r := &Report{Title: fmt.Sprintf("devp2p sim live %s: %d servers, seed %d", name, cfg.Nodes, cfg.Seed)}
	r.Figures = append(r.Figures, fmt.Sprintf("%v of simulated time in %v of wall time (%d clock steps); MaxPeers %d (dial target %d), %d bootnodes, %.0f%% behind NAT",
		cfg.Duration, res.Wall.Round(time.Second), res.Steps, cfg.MaxPeers, cfg.MaxPeers/3, cfg.Bootnodes, 100*cfg.Unreachable))
	sum := res.Summary
	if len(s) > 0 {
		f := sum.Final
		r.Figures = append(r.Figures, fmt.Sprintf("at the end: %d servers, %.1f%% with ≥ %d peers, %.1f%% at their dial target, %.1f%% in one connected piece, %.1f peers and %.1f table entries on average",
			f.Online, 100*f.PeersK, cfg.PeersK, 100*f.TargetReached, 100*f.Connected, f.MeanPeers, f.TableFill))
	}
	formedAt := "never formed"
	if sum.Formed >= 0 {
		formedAt = fmt.Sprintf("formed at %v", sum.Formed)
	}
	r.Figures = append(r.Figures, fmt.Sprintf("the network (≥ %.0f%% of servers with ≥ %d peers, all in one piece) %s",
		100*FormedPeersK, cfg.PeersK, formedAt))
	if c := cfg.Churn; c.LeavePerHour > 0 || c.JoinPerHour > 0 {
		r.Figures = append(r.Figures, fmt.Sprintf("churn from %v: %.1f leaves and %.1f joins per server per hour", c.From, c.LeavePerHour, c.JoinPerHour))
	}
	if sum.Disrupted >= 0 {
		what := "partition healed"
		if cfg.Partition.At == 0 {
			what = "stopped servers restarted"
			if cfg.Restart.Cold {
				what += " with empty databases"
			} else {
				what += " from their node databases"
			}
			if cfg.Restart.BootnodesDown {
				what += ", bootnodes down"
			}
		}
		rec := "did not form again within the run"
		if sum.Recovery >= 0 {
			rec = fmt.Sprintf("formed again %v later (the cold start took %v)", sum.Recovery, sum.Formed)
		}
		r.Figures = append(r.Figures, fmt.Sprintf("%s at %v (shaded); the network %s", what, sum.Disrupted, rec))
	}
	if cfg.Sybil.Fraction > 0 {
		r.Figures = append(r.Figures, fmt.Sprintf("Sybils: %d identities (%.0f%%) from %d /24 blocks; honest share of peers %.1f%% at the end (lowest %.1f%%), of table entries %.1f%% (lowest %.1f%%)",
			sybilCount(cfg), 100*cfg.Sybil.Fraction, cfg.Sybil.Subnets, 100*sum.Final.HonestPeerShare, 100*sum.MinHonestPeerShare,
			100*sum.Final.HonestTableShare, 100*sum.MinHonestTableShare))
	}
	r.Charts = []Chart{
		{Title: "Peers", YLabel: "share of servers", X: xs, YMax: 1, Bands: bands, Series: []Series{
			{Name: fmt.Sprintf("≥ %d peers", cfg.PeersK), Y: col(func(x LiveSample) float64 { return x.PeersK })},
			{Name: "dial target reached", Y: col(func(x LiveSample) float64 { return x.TargetReached })},
			{Name: "in the largest connected piece", Y: col(func(x LiveSample) float64 { return x.Connected })},
		}},
		{Title: "Table fill and peers", YLabel: "per server", X: xs, Bands: bands, Series: []Series{
			{Name: "table entries", Y: col(func(x LiveSample) float64 { return x.TableFill })},
			{Name: "peers", Y: col(func(x LiveSample) float64 { return x.MeanPeers })},
		}},
		{Title: "Discovery traffic per server", YLabel: "datagrams per second", X: xs, Bands: bands, Series: []Series{
			{Name: "datagrams", Y: col(func(x LiveSample) float64 { return x.PacketsPerNodeSec })},
		}},
	}
	if cfg.Churn.LeavePerHour > 0 || cfg.Churn.JoinPerHour > 0 || cfg.Restart.At > 0 {
		r.Charts = append(r.Charts, Chart{Title: "Servers running", YLabel: "honest servers", X: xs, Bands: bands, Series: []Series{
			{Name: "online", Y: col(func(x LiveSample) float64 { return float64(x.Online) })},
		}})
	}
	if cfg.Sybil.Fraction > 0 {
		r.Charts = append(r.Charts, Chart{Title: "Honest share under attack", YLabel: "share", X: xs, YMax: 1, Series: []Series{
			{Name: "of peers", Y: col(func(x LiveSample) float64 { return x.HonestPeerShare })},
			{Name: "of table entries", Y: col(func(x LiveSample) float64 { return x.HonestTableShare })},
		}})
	}
	return r
}
