package sim

import (
	"bytes"
	"context"
	"testing"
	"time"
)

// smallScenario is a scenario scaled down for the test suite: fewer nodes
// and shorter phases, keeping each phase long enough to settle.
func smallScenario(name string, nodes int, seed int64) Config {
	cfg := Scenarios[name].Build(nodes, seed)
	cfg.Lookups = 8
	switch name {
	case "bootstrap", "sybil":
		cfg.Duration = 3 * time.Minute
	case "churn":
		cfg.Duration = 12 * time.Minute
		cfg.Sample = 30 * time.Second
	case "partition":
		cfg.Partition = Partition{At: 3 * time.Minute, Heal: 6 * time.Minute}
		cfg.Duration = 10 * time.Minute
		cfg.Sample = 20 * time.Second
	case "restart":
		cfg.Restart.At = 3 * time.Minute
		cfg.Duration = 7 * time.Minute
		cfg.Sample = 20 * time.Second
	}
	return cfg
}

// TestScenarios runs a small version of every scenario and checks its
// outcome with the scenario's own check.
func TestScenarios(t *testing.T) {
	for _, name := range ScenarioNames() {
		t.Run(name, func(t *testing.T) {
			sc := Scenarios[name]
			res, err := Run(context.Background(), smallScenario(name, 120, 1), nil)
			if err != nil {
				t.Fatal(err)
			}
			f := res.Summary.Final
			t.Logf("final: online %d, ≥k peers %.3f, table %.1f, lookups found %.3f, honest peers %.3f, honest table %.3f, recovery %v",
				f.Online, f.PeersK, f.TableFill, f.LookupFound, f.HonestPeerShare, f.HonestTableShare, res.Summary.Recovery)
			if err := sc.Check(res); err != nil {
				t.Error(err)
			}
		})
	}
}

// TestSameSeedSameCSV checks that a run is a function of its Config: two
// runs with one seed write the same bytes, and another seed differs.
func TestSameSeedSameCSV(t *testing.T) {
	csv := func(seed int64) []byte {
		cfg := smallScenario("churn", 80, seed)
		cfg.Sybil = Sybil{Fraction: 0.1}
		cfg.Partition = Partition{At: cfg.Duration / 3, Heal: cfg.Duration / 2}
		res, err := Run(context.Background(), cfg, nil)
		if err != nil {
			t.Fatal(err)
		}
		var b bytes.Buffer
		if err := WriteCSV(&b, res.Samples); err != nil {
			t.Fatal(err)
		}
		return b.Bytes()
	}
	a, b, c := csv(7), csv(7), csv(8)
	if !bytes.Equal(a, b) {
		t.Fatalf("seed 7 gave two different CSVs:\n%s\n---\n%s", a, b)
	}
	if bytes.Equal(a, c) {
		t.Fatal("seeds 7 and 8 gave the same CSV")
	}
}
