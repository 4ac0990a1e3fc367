package sim

import (
	"bytes"
	"context"
	"net/netip"
	"strings"
	"testing"
	"time"
)

// TestReportOffline checks that a report loads nothing from elsewhere: no
// script, no link, no URL but the SVG namespace.
func TestReportOffline(t *testing.T) {
	cfg := Scenarios["partition"].Build(40, 1)
	cfg.Duration, cfg.Partition = 3*time.Minute, Partition{At: time.Minute, Heal: 2 * time.Minute}
	res, err := Run(context.Background(), cfg, nil)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := ModelReport("partition", res).WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	for _, bad := range []string{"<script", "<link", "src=", "@import"} {
		if strings.Contains(page, bad) {
			t.Errorf("report contains %q", bad)
		}
	}
	if n := strings.Count(page, "http"); n != strings.Count(page, `xmlns="http://www.w3.org/2000/svg"`) {
		t.Errorf("report has %d URLs besides the SVG namespace", n-strings.Count(page, "xmlns="))
	}
	if got := strings.Count(page, "<svg"); got != 5 {
		t.Errorf("report has %d charts, want 5", got)
	}
	if !strings.Contains(page, "partition from 1m0s to 2m0s") {
		t.Error("report does not name the partition")
	}
}

func TestProgressBar(t *testing.T) {
	var b bytes.Buffer
	now := time.Unix(0, 0)
	bar := newBar(&b, func() time.Time { return now })
	bar(time.Minute, 4*time.Minute)
	if !strings.Contains(b.String(), " 25%") || strings.HasSuffix(b.String(), "\n") {
		t.Errorf("bar at a quarter: %q", b.String())
	}
	now = now.Add(3 * time.Second)
	bar(4*time.Minute, 4*time.Minute)
	if !strings.Contains(b.String(), "100%") || !strings.HasSuffix(b.String(), "3s elapsed\n") {
		t.Errorf("bar at the end: %q", b.String())
	}
}

func TestConfigErrors(t *testing.T) {
	bad := []Config{
		{Nodes: 1},
		{Nodes: 10, Loss: 1},
		{Nodes: 10, Bootnodes: 11},
		{Nodes: 10, Sybil: Sybil{Fraction: 1}},
		{Nodes: 10, Partition: Partition{At: time.Minute, Heal: time.Second}},
		{Nodes: 10, Sample: -time.Second},
		{Nodes: 1000, Sybil: Sybil{Fraction: 0.9, Subnets: 1}},                      // 9000 Sybils in one /24
		{Nodes: 600, Subnets: []netip.Prefix{netip.MustParsePrefix("20.0.0.0/24")}}, // no room
	}
	for i, cfg := range bad {
		if _, err := Run(context.Background(), cfg, nil); err == nil {
			t.Errorf("config %d: no error", i)
		}
	}
}
