package sim

import (
	"context"
	"errors"
	"net/netip"
	"runtime"
	"strings"
	"testing"
	"time"
)

// TestDiscoveryBootstrap starts 48 real discv4 engines and checks that
// every table fills and that lookups find the true closest nodes. New
// entries are pinged within a minute instead of 10 s, which halves the
// datagrams (and the signatures) of the 20 s run.
func TestDiscoveryBootstrap(t *testing.T) {
	before := runtime.NumGoroutine()
	cfg := DiscoveryConfig{Nodes: 48, Seed: 1, Ramp: 4 * time.Second, Duration: 20 * time.Second, Lookups: 16, NewNodeCheck: time.Minute}
	res, err := RunDiscovery(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Samples {
		t.Logf("t=%v running %d, table mean %.1f min %d, lookups %d found %.3f all16 %.2f in %v with %.0f datagrams, %.2f datagrams/node/s",
			s.Time, s.Started, s.TableFill, s.TableMin, s.Lookups, s.LookupFound, s.LookupAll, s.LookupTime, s.PacketsPerLookup, s.PacketsPerNodeSec)
	}
	t.Logf("wall %v, drops %v, forced steps %d", res.Wall, res.Drops, res.ForcedSteps)
	if len(res.Samples) != 2 {
		t.Fatalf("%d samples, want 2", len(res.Samples))
	}
	f := res.Final()
	if f.Started != cfg.Nodes {
		t.Errorf("%d nodes running, want %d", f.Started, cfg.Nodes)
	}
	if f.TableMin < 16 {
		t.Errorf("a node has %d table entries, want ≥ 16 everywhere", f.TableMin)
	}
	// The lookups started at 10 s end in the 20 s sample.
	if f.Lookups < cfg.Lookups*3/4 || f.LookupFound < 0.9 {
		t.Errorf("%d lookups found %.1f%% of the true closest, want ≥ %d lookups and ≥ 90%%", f.Lookups, 100*f.LookupFound, cfg.Lookups*3/4)
	}
	checkGoroutines(t, before)
}

func TestDiscoveryBadConfig(t *testing.T) {
	for _, tc := range []struct {
		cfg  DiscoveryConfig
		want string
	}{
		{DiscoveryConfig{}, "Nodes must be in 2.."},
		{DiscoveryConfig{Nodes: 1}, "Nodes must be in 2.."},
		{DiscoveryConfig{Nodes: MaxDiscoveryNodes + 1}, "Nodes must be in 2.."},
		{DiscoveryConfig{Nodes: 10, Bootnodes: 11}, "Bootnodes must be in 1..10"},
		{DiscoveryConfig{Nodes: 10, Bootnodes: -1}, "Bootnodes must be in 1..10"},
		{DiscoveryConfig{Nodes: 10, Duration: -time.Second}, "must not be negative"},
		{DiscoveryConfig{Nodes: 10, Ramp: -time.Second}, "must not be negative"},
		{DiscoveryConfig{Nodes: 10, Sample: -time.Second}, "Sample must be positive"},
		{DiscoveryConfig{Nodes: 10, Duration: time.Hour, Sample: time.Millisecond}, "more than 100000 samples"},
		{DiscoveryConfig{Nodes: 10, Step: -1}, "need Step > 0"},
		{DiscoveryConfig{Nodes: 10, LatencyMin: time.Second, LatencyMax: time.Millisecond}, "LatencyMin ≤ LatencyMax"},
		{DiscoveryConfig{Nodes: 10, Loss: 1}, "Loss must be in [0, 1)"},
		{DiscoveryConfig{Nodes: 10, Unreachable: 1.5}, "Unreachable must be in [0, 1]"},
		{DiscoveryConfig{Nodes: 10, Lookups: -1}, "Lookups ≥ 0"},
		{DiscoveryConfig{Nodes: 10, NewNodeCheck: -1}, "NewNodeCheck must not be negative"},
		{DiscoveryConfig{Nodes: 10, FillK: -1}, "FillK ≥ 1"},
		{DiscoveryConfig{Nodes: 10, Subnets: []netip.Prefix{}}, "Subnets is empty"},
		{DiscoveryConfig{Nodes: 10, Subnets: []netip.Prefix{netip.MustParsePrefix("2001:db8::/32")}}, "need an IPv4 block"},
		{DiscoveryConfig{Nodes: 10, Subnets: []netip.Prefix{netip.MustParsePrefix("20.0.0.0/31")}}, "need an IPv4 block"},
		{DiscoveryConfig{Nodes: 10, Subnets: []netip.Prefix{{}}}, "need an IPv4 block"},
		{DiscoveryConfig{Nodes: 10, Subnets: []netip.Prefix{netip.MustParsePrefix("10.0.0.0/8")}}, "not public"},
		{DiscoveryConfig{Nodes: 10, Subnets: []netip.Prefix{netip.MustParsePrefix("192.0.2.0/24")}}, "not public"},
		{DiscoveryConfig{Nodes: 10, Subnets: []netip.Prefix{netip.MustParsePrefix("224.0.0.0/8")}}, "not public"},
		{DiscoveryConfig{Nodes: 10, Subnets: []netip.Prefix{netip.MustParsePrefix("20.0.0.0/29")}}, "too few for 10 nodes"},
	} {
		_, err := RunDiscovery(context.Background(), tc.cfg, nil)
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%+v: error %v, want one containing %q", tc.cfg, err, tc.want)
		}
	}
}

// TestDiscoveryCancel checks that a cancelled context ends the run with
// the context's error and stops every engine.
func TestDiscoveryCancel(t *testing.T) {
	before := runtime.NumGoroutine()
	ctx, cancel := context.WithCancel(context.Background())
	calls := 0
	cfg := DiscoveryConfig{Nodes: 8, Seed: 2, Bootnodes: 1, Duration: time.Hour, Sample: time.Second, Lookups: 2}
	_, err := RunDiscovery(ctx, cfg, func(done, total time.Duration) {
		if calls++; calls == 2 {
			cancel()
		}
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("error %v, want context.Canceled", err)
	}
	checkGoroutines(t, before)
}

// TestTrueClosest checks the reference set that lookups are measured
// against: the k closest reachable nodes other than the asker.
func TestTrueClosest(t *testing.T) {
	var nodes []*discNode
	for i := range 40 {
		n := &discNode{reachable: i%4 != 0}
		n.id[0], n.id[31] = byte(i), byte(i)
		nodes = append(nodes, n)
	}
	var target [32]byte // closest by first byte: 0, 1, 2, ...
	got := trueClosest(nodes, nodes[1], target, 5)
	// Skipped: 0, 4, 8 (unreachable) and 1 (the asker).
	for _, i := range []int{2, 3, 5, 6, 7} {
		if !got[nodes[i].id] {
			t.Errorf("node %d missing from %v", i, got)
		}
	}
	if len(got) != 5 {
		t.Errorf("%d nodes, want 5", len(got))
	}
}
