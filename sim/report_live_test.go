package sim

import (
	"bytes"
	"strings"
	"testing"
	"time"
)

// TestLiveReportAndCSV builds the report and CSV of a made-up Sybil run
// under a partition: the figures and charts of each scenario part appear,
// and the CSV has one row per sample with the new columns.
func TestLiveReportAndCSV(t *testing.T) {
	cfg := LiveConfig{Nodes: 10, Seed: 3, Duration: 30 * time.Second,
		Sybil:     Sybil{Fraction: 0.5, Subnets: 2},
		Partition: LivePartition{At: 10 * time.Second, Heal: 20 * time.Second, Share: 0.25},
	}.withDefaults()
	samples := []LiveSample{
		{Time: 10 * time.Second, Online: 10, PeersK: 1, Connected: 1, HonestPeerShare: 0.7, HonestTableShare: 0.6},
		{Time: 20 * time.Second, Online: 10, PeersK: 0.7, Connected: 0.75, Partitioned: true, HonestPeerShare: 0.6, HonestTableShare: 0.55},
		{Time: 30 * time.Second, Online: 10, PeersK: 1, Connected: 1, HonestPeerShare: 0.75, HonestTableShare: 0.65},
	}
	res := &LiveResult{Config: cfg, Samples: samples, Summary: summarizeLive(cfg, samples)}
	if s := res.Summary; s.Formed != 10*time.Second || s.Disrupted != 20*time.Second || s.Recovery != 10*time.Second {
		t.Errorf("summary: formed %v, disrupted %v, recovery %v; want 10s, 20s, 10s", s.Formed, s.Disrupted, s.Recovery)
	}
	r := LiveReport("sybil", res)
	var page bytes.Buffer
	if err := r.WriteHTML(&page); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"devp2p sim live sybil: 10 servers, seed 3",
		"partition healed at 20s (shaded); the network formed again 10s later",
		"Sybils: 10 identities (50%) from 2 /24 blocks",
		"Honest share under attack", "in the largest connected piece",
	} {
		if !strings.Contains(page.String(), want) {
			t.Errorf("report lacks %q", want)
		}
	}
	var csv bytes.Buffer
	if err := WriteLiveCSV(&csv, samples); err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(csv.String()), "\n")
	if len(lines) != 4 {
		t.Fatalf("CSV has %d lines, want 4:\n%s", len(lines), csv.String())
	}
	if want := "20.0,10,0.7000,0.0000,0.0000,0.0000,0.0000,0.0000,0.6000,0.5500,0.7500,1"; lines[2] != want {
		t.Errorf("CSV row\n%s\nwant\n%s", lines[2], want)
	}
}

// TestLiveConfigErrors checks that bad live configs get clear errors
// before any server starts.
func TestLiveConfigErrors(t *testing.T) {
	for _, c := range []LiveConfig{
		{Nodes: 1},
		{Nodes: 10, Bootnodes: 11},
		{Nodes: 10, Churn: LiveChurn{LeavePerHour: -1}},
		{Nodes: 10, Partition: LivePartition{At: time.Minute, Heal: time.Minute}},
		{Nodes: 10, Partition: LivePartition{At: time.Minute, Heal: 2 * time.Minute, Share: 1}},
		{Nodes: 10, Sybil: Sybil{Fraction: 1}},
		{Nodes: 1000, Sybil: Sybil{Fraction: 0.9, Subnets: 1}}, // 9000 Sybils in one /24
		{Nodes: 10, Restart: LiveRestart{At: time.Minute, Fraction: 2}},
	} {
		if err := c.withDefaults().validate(); err == nil {
			t.Errorf("%+v: no error", c)
		}
	}
}
