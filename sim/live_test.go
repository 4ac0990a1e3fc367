package sim

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// liveTestNodes is the size of the CI versions of the live scenarios: big
// enough for the Server's limits to matter, small enough for all of them
// to run in well under a minute under -race.
const liveTestNodes = 16

// TestLiveScenarios runs a small version of each live scenario on whole
// servers and asserts its outcome with the scenario's Check.
func TestLiveScenarios(t *testing.T) {
	for _, name := range LiveScenarioNames() {
		t.Run(name, func(t *testing.T) {
			before := runtime.NumGoroutine()
			sc := LiveScenarios[name]
			res, err := RunLive(context.Background(), sc.Build(liveTestNodes, 1), nil)
			if err != nil {
				t.Fatal(err)
			}
			logLive(t, res)
			if err := sc.Check(res); err != nil {
				t.Error(err)
			}
			checkGoroutines(t, before)
		})
	}
}

func logLive(t *testing.T, res *LiveResult) {
	t.Helper()
	for _, s := range res.Samples {
		t.Logf("t=%v online %d ≥k %.2f peers %.1f table %.1f honest %.2f/%.2f connected %.2f cut %v pkts/node/s %.2f",
			s.Time, s.Online, s.PeersK, s.MeanPeers, s.TableFill, s.HonestPeerShare, s.HonestTableShare, s.Connected, s.Partitioned, s.PacketsPerNodeSec)
	}
	sum := res.Summary
	t.Logf("formed at %v, disrupted until %v, recovered after %v; lowest honest shares %.2f/%.2f; wall %v, %d steps (%d cut short)",
		sum.Formed, sum.Disrupted, sum.Recovery, sum.MinHonestPeerShare, sum.MinHonestTableShare, res.Wall, res.Steps, res.CutShort)
}

// checkGoroutines waits, yielding instead of sleeping, for the goroutines
// the run started to be gone: RunLive returns once every server stopped,
// and what they told to stop exits soon after.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	for range 1_000_000 {
		if runtime.NumGoroutine() <= before {
			return
		}
		runtime.Gosched()
	}
	buf := make([]byte, 1<<20)
	t.Errorf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
}

// TestLiveRestartCold is the restart scenario's control: servers that come
// back with empty databases while the bootnodes stay down find nobody, so
// what brings them back in the scenario is their node database.
func TestLiveRestartCold(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := LiveScenarios["restart"].Build(liveTestNodes/2, 1) // a control: small is enough
	cfg.Restart.Cold = true
	cfg.Duration = 80 * time.Second
	res, err := RunLive(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	logLive(t, res)
	if res.Summary.Formed < 0 {
		t.Error("the network did not form before the restart")
	}
	if f := res.Summary.Final; res.Summary.Recovery >= 0 || f.MeanPeers != 0 {
		t.Errorf("cold restart without bootnodes recovered after %v with %.1f peers on average; want no peers", res.Summary.Recovery, f.MeanPeers)
	}
	checkGoroutines(t, before)
}
