package devp2p

import (
	"encoding/json"
	"os"
	"regexp"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
)

const dashboardFile = "docs/grafana/devp2p.json"

// TestDashboardMetrics checks docs/grafana/devp2p.json: it is a dashboard
// Grafana can import (panels with ids, positions and queries), and every
// metric its queries name is one the server (or the command's Go and
// process collectors) exports.
func TestDashboardMetrics(t *testing.T) {
	data, err := os.ReadFile(dashboardFile)
	if err != nil {
		t.Fatal(err)
	}
	var dash struct {
		Title         string `json:"title"`
		UID           string `json:"uid"`
		SchemaVersion int    `json:"schemaVersion"`
		Panels        []struct {
			ID      int    `json:"id"`
			Type    string `json:"type"`
			Title   string `json:"title"`
			GridPos *struct {
				H, W, X, Y int
			} `json:"gridPos"`
			Targets []struct {
				Expr  string `json:"expr"`
				RefID string `json:"refId"`
			} `json:"targets"`
		} `json:"panels"`
	}
	if err := json.Unmarshal(data, &dash); err != nil {
		t.Fatalf("%s: %v", dashboardFile, err)
	}
	if dash.Title == "" || dash.UID == "" || dash.SchemaVersion == 0 || len(dash.Panels) == 0 {
		t.Fatalf("%s lacks title, uid, schemaVersion or panels", dashboardFile)
	}

	known := exportedMetricNames(t)
	ids := make(map[int]bool)
	queried := make(map[string]bool)
	for _, p := range dash.Panels {
		if ids[p.ID] || p.GridPos == nil || p.GridPos.W <= 0 || p.GridPos.X+p.GridPos.W > 24 {
			t.Errorf("panel %q: duplicate id %d or bad gridPos %+v", p.Title, p.ID, p.GridPos)
		}
		ids[p.ID] = true
		if p.Type != "row" && len(p.Targets) == 0 {
			t.Errorf("panel %q has no query", p.Title)
		}
		for _, tg := range p.Targets {
			names := metricNameRE.FindAllString(tg.Expr, -1)
			if len(names) == 0 || tg.RefID == "" {
				t.Errorf("panel %q: query %q names no metric or has no refId", p.Title, tg.Expr)
			}
			for _, name := range names {
				queried[name] = true
				if !known[name] {
					t.Errorf("panel %q queries %s, which nothing exports", p.Title, name)
				}
			}
		}
	}
	// The dashboard covers the main groups.
	for _, prefix := range []string{"devp2p_peers", "devp2p_setup_verdicts", "devp2p_dial_", "devp2p_messages", "devp2p_discovery_packets", "devp2p_nat_"} {
		found := false
		for name := range queried {
			found = found || strings.HasPrefix(name, prefix)
		}
		if !found {
			t.Errorf("no panel queries %s*", prefix)
		}
	}
}

var metricNameRE = regexp.MustCompile(`\b(devp2p|go|process)_[a-z0-9_]+\b`)

// exportedMetricNames returns the names a server with metrics exports, as
// their descriptors say (so vectors without series yet count too), with
// the _bucket, _sum and _count series of histograms, plus the names of the
// Go and process collectors.
func exportedMetricNames(t *testing.T) map[string]bool {
	t.Helper()
	cfg := Config{Metrics: prometheus.NewRegistry(), Protocols: []Protocol{echoProto("test", 1, nil)}}
	m := newServerMetrics(new(Server), &cfg)
	cs := append(m.collectors, collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	nameRE := regexp.MustCompile(`fqName: "([^"]+)"`)
	names := make(map[string]bool)
	for _, c := range cs {
		descs := make(chan *prometheus.Desc, 64)
		go func() { c.Describe(descs); close(descs) }()
		_, histogram := c.(*prometheus.HistogramVec)
		for d := range descs {
			match := nameRE.FindStringSubmatch(d.String())
			if match == nil {
				t.Fatalf("cannot read the name of %v", d)
			}
			names[match[1]] = true
			if histogram {
				for _, suffix := range []string{"_bucket", "_sum", "_count"} {
					names[match[1]+suffix] = true
				}
			}
		}
	}
	return names
}
