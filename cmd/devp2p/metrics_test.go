package main

import (
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/devp2p-go/devp2p"
)

// TestNodeMetrics runs a node with --metrics.addr and --pprof, reaches it
// over RLPx and discv4 from other processes, and checks the scrape: the
// node's counters moved, and the Go and process collectors are there.
func TestNodeMetrics(t *testing.T) {
	node := start(t, "node", "--datadir", t.TempDir(), "--listen", "127.0.0.1:0", "--verbosity", "0",
		"--metrics.addr", "127.0.0.1:0", "--pprof")
	metricsURL := node.waitLine("metrics")
	pprofURL := node.waitLine("pprof")
	url := node.waitLine("enode")
	rec := node.waitLine("enr")
	mustRun(t, "rlpx", "ping", url)
	mustRun(t, "discv4", "ping", "--listen", "127.0.0.1:0", rec)

	fams := scrapeURL(t, metricsURL)
	for _, c := range []struct {
		name   string
		labels map[string]string
	}{
		{"devp2p_setup_verdicts_total", map[string]string{"direction": "inbound", "stage": "accept", "verdict": "allowed"}},
		{"devp2p_discovery_packets_total", map[string]string{"version": "v4", "direction": "inbound", "type": "ping"}},
		{"devp2p_discovery_packets_total", map[string]string{"version": "v4", "direction": "outbound", "type": "pong"}},
		{"devp2p_conn_bytes_total", map[string]string{"direction": "inbound"}},
		{"go_goroutines", nil},
		// The process collector: its start time is always set, while its
		// CPU seconds may still read 0 (clock ticks of 10 ms).
		{"process_start_time_seconds", nil},
	} {
		if v := sampleSum(fams, c.name, c.labels); v <= 0 {
			t.Errorf("%s%v = %v, want > 0", c.name, c.labels, v)
		}
	}
	for _, name := range []string{"devp2p_peers", "process_cpu_seconds_total"} {
		if _, ok := fams[name]; !ok {
			t.Errorf("no %s in the scrape", name)
		}
	}
	if code := httpStatus(t, pprofURL); code != http.StatusOK {
		t.Errorf("GET %s: status %d", pprofURL, code)
	}
	node.interrupt()

	// pprof is off unless asked for.
	node = start(t, "node", "--datadir", t.TempDir(), "--listen", "127.0.0.1:0", "--verbosity", "0", "--metrics.addr", "127.0.0.1:0")
	metricsURL = node.waitLine("metrics")
	if code := httpStatus(t, strings.TrimSuffix(metricsURL, "metrics")+"debug/pprof/"); code != http.StatusNotFound {
		t.Errorf("pprof without --pprof: status %d, want 404", code)
	}
	node.interrupt()
}

func TestNodeMetricsBadFlags(t *testing.T) {
	dir := t.TempDir()
	mustFail(t, "devp2p: --pprof true: needs --metrics.addr", "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--pprof")
	mustFail(t, `devp2p: --metrics.addr "6060": `, "node", "--datadir", dir, "--listen", "127.0.0.1:0", "--metrics.addr", "6060")
}

func scrapeURL(t *testing.T, url string) map[string]*dto.MetricFamily {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	fams, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse %s: %v", url, err)
	}
	return fams
}

func httpStatus(t *testing.T, url string) int {
	t.Helper()
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	io.Copy(io.Discard, resp.Body)
	resp.Body.Close()
	return resp.StatusCode
}

// sampleSum adds the values of the samples of family name that carry the
// given labels.
func sampleSum(fams map[string]*dto.MetricFamily, name string, labels map[string]string) float64 {
	var sum float64
	for _, m := range fams[name].GetMetric() {
		match := true
		for k, v := range labels {
			found := false
			for _, l := range m.GetLabel() {
				found = found || (l.GetName() == k && l.GetValue() == v)
			}
			match = match && found
		}
		if !match {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		}
	}
	return sum
}

// TestNodeMetricsConfigFile: MetricsAddr and Pprof work from --config, and
// a bad value there names the file and key.
func TestNodeMetricsConfigFile(t *testing.T) {
	dir := t.TempDir()
	cfgFile := filepath.Join(dir, "node.toml")
	os.WriteFile(cfgFile, []byte("ListenAddr = \"127.0.0.1:0\"\nMetricsAddr = \"127.0.0.1:0\"\nPprof = true\n"), 0o600)
	node := start(t, "node", "--config", cfgFile, "--datadir", dir, "--verbosity", "0")
	metricsURL := node.waitLine("metrics")
	pprofURL := node.waitLine("pprof")
	node.waitLine("enode") // the endpoint opens before the Server registers its metrics
	if _, ok := scrapeURL(t, metricsURL)["devp2p_peers"]; !ok {
		t.Error("no devp2p_peers in the scrape")
	}
	if code := httpStatus(t, pprofURL); code != http.StatusOK {
		t.Errorf("GET %s: status %d", pprofURL, code)
	}
	node.interrupt()

	bad := filepath.Join(dir, "bad.toml")
	os.WriteFile(bad, []byte("MetricsAddr = \"6060\"\n"), 0o600)
	mustFail(t, `devp2p: config `+bad+`: MetricsAddr "6060": `, "node", "--config", bad, "--datadir", dir, "--listen", "127.0.0.1:0")
	os.WriteFile(bad, []byte("Pprof = true\n"), 0o600)
	mustFail(t, `devp2p: config `+bad+`: Pprof = true needs MetricsAddr`, "node", "--config", bad, "--datadir", dir, "--listen", "127.0.0.1:0")
	os.WriteFile(bad, []byte("MetricsAdr = \"127.0.0.1:0\"\n"), 0o600)
	mustFail(t, `unknown field "MetricsAdr"`, "node", "--config", bad, "--datadir", dir, "--listen", "127.0.0.1:0")
}

// TestExampleConfigNodeKeys checks the command's part of
// docs/example-config.toml: every key of nodeFileKeys is there, and the
// commented examples parse to what they say.
func TestExampleConfigNodeKeys(t *testing.T) {
	data, err := os.ReadFile("../../docs/example-config.toml")
	if err != nil {
		t.Fatal(err)
	}
	_, section, found := strings.Cut(string(data), "\n# ---- The devp2p node command")
	if !found {
		t.Fatal("no devp2p node section in the sample")
	}
	typ := reflect.TypeFor[nodeFileKeys]()
	for f := range typ.Fields() {
		if !regexp.MustCompile(`(?m)^(# )?` + f.Name + ` = `).MatchString(section) {
			t.Errorf("%s is not in the sample's devp2p node section", f.Name)
		}
	}
	section = "#" + section // the rest of the heading line
	uncommented := regexp.MustCompile(`(?m)^# ([A-Z][A-Za-z0-9]*) = `).ReplaceAllString(section, "$1 = ")
	var keys nodeFileKeys
	if _, err := devp2p.ParseConfigTOMLExtra([]byte(uncommented), &keys); err != nil {
		t.Fatalf("uncommented section: %v", err)
	}
	if keys.IPC == nil || *keys.IPC { // the admin API's socket, off in the example
		t.Errorf("sample IPC %v", keys.IPC)
	}
	keys.IPC = nil
	if keys != (nodeFileKeys{MetricsAddr: "127.0.0.1:6060", Pprof: true,
		RPCAddr: "127.0.0.1:8545", RPCAllowRemote: true, RPCSecretFile: "/etc/devp2p/rpc-token"}) {
		t.Errorf("sample keys %+v", keys)
	}
}
