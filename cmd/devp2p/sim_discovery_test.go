package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimDiscoveryCommand bootstraps a small network of real discv4
// engines and checks the files the command writes.
func TestSimDiscoveryCommand(t *testing.T) {
	out := t.TempDir()
	stdout := mustRun(t, "sim", "discovery", "--nodes", "30", "--seed", "2", "--duration", "20s", "--lookups", "4", "--out", out)
	for _, want := range []string{"devp2p sim discovery: 30 discv4 nodes, seed 2", "at the end: 30 nodes running", "lookups in the last period"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	csv, err := os.ReadFile(filepath.Join(out, "discovery.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 1+2 { // header and one row per 10 s
		t.Errorf("CSV has %d lines, want 3:\n%s", len(lines), csv)
	}
	if !strings.HasPrefix(lines[0], "time_s,wall_s,started,table_fill,") {
		t.Errorf("CSV header %q", lines[0])
	}
	html, err := os.ReadFile(filepath.Join(out, "discovery.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "<svg") || strings.Contains(string(html), "<script") {
		t.Error("report is not plain HTML with inline SVG")
	}
	if _, err := os.Stat(filepath.Join(out, "discovery-3.svg")); err != nil {
		t.Error(err)
	}
}

func TestSimDiscoveryCommandErrors(t *testing.T) {
	for _, tc := range []struct {
		want string
		args []string
	}{
		{"--nodes 1: want 2 to", []string{"--nodes", "1"}},
		{"--bootnodes 5: want 1 to --nodes", []string{"--nodes", "4", "--bootnodes", "5"}},
		{"--duration -1m0s: must not be negative", []string{"--duration", "-1m"}},
		{"--ramp -1s: must not be negative", []string{"--ramp", "-1s"}},
		{"--unreachable 2: want 0 to 1", []string{"--unreachable", "2"}},
		{"--loss 1: want 0 to below 1", []string{"--loss", "1"}},
		{"--lookups -1: must not be negative", []string{"--lookups", "-1"}},
		{"--new-node-check -1s: must not be negative", []string{"--new-node-check", "-1s"}},
		{"unexpected argument \"extra\"", []string{"extra"}},
	} {
		args := append([]string{"sim", "discovery", "--out", t.TempDir()}, tc.args...)
		mustFailWith(t, 1, tc.want, args...)
	}
}
