package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSimCommand runs a small scenario and checks the files it writes: the
// CSV with a row per sample, the HTML report and the charts as SVG.
func TestSimCommand(t *testing.T) {
	out := t.TempDir()
	stdout := mustRun(t, "sim", "bootstrap", "--nodes", "60", "--seed", "3", "--duration", "1m", "--out", out)
	if !strings.Contains(stdout, "devp2p sim bootstrap: 60 nodes, seed 3") {
		t.Errorf("summary lacks the title:\n%s", stdout)
	}
	csv, err := os.ReadFile(filepath.Join(out, "bootstrap.csv"))
	if err != nil {
		t.Fatal(err)
	}
	if rows := strings.Count(string(csv), "\n"); rows != 1+6 { // header and one row per 10 s
		t.Errorf("CSV has %d lines, want 7:\n%s", rows, csv)
	}
	html, err := os.ReadFile(filepath.Join(out, "bootstrap.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "<svg") || strings.Contains(string(html), "<script") {
		t.Error("report is not plain HTML with inline SVG")
	}
	if _, err := os.Stat(filepath.Join(out, "bootstrap-1.svg")); err != nil {
		t.Error(err)
	}
}

func TestSimCommandErrors(t *testing.T) {
	mustFailWith(t, 1, "unknown scenario", "sim", "nosuch", "--out", t.TempDir())
	mustFailWith(t, 1, "want a scenario", "sim", "--out", t.TempDir())
	mustFailWith(t, 1, "want one scenario", "sim", "bootstrap", "churn", "--out", t.TempDir())
	mustFailWith(t, 1, `unknown live scenario "nosuch"`, "sim", "live", "nosuch", "--out", t.TempDir())
	mustFailWith(t, 1, "want one live scenario", "sim", "live", "sybil", "churn", "--out", t.TempDir())
	mustFailWith(t, 1, "--nodes 1: want 2 to", "sim", "bootstrap", "--nodes", "1", "--out", t.TempDir())
	mustFailWith(t, 1, "--duration -1m0s: must not be negative", "sim", "bootstrap", "--duration", "-1m", "--out", t.TempDir())
}

// TestSimLiveCommand runs a small live scenario on whole servers and checks
// its files and its verdict.
func TestSimLiveCommand(t *testing.T) {
	out := t.TempDir()
	stdout := mustRun(t, "sim", "live", "partition", "--nodes", "12", "--seed", "2", "--out", out)
	for _, want := range []string{"devp2p sim live partition: 12 servers, seed 2", "partition healed at 1m0s", "scenario check passed"} {
		if !strings.Contains(stdout, want) {
			t.Errorf("summary lacks %q:\n%s", want, stdout)
		}
	}
	csv, err := os.ReadFile(filepath.Join(out, "live-partition.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 1+30 || !strings.HasPrefix(lines[0], "time_s,online,") { // header and one row per 5 s
		t.Errorf("CSV has %d lines, want 31:\n%s", len(lines), csv)
	}
	html, err := os.ReadFile(filepath.Join(out, "live-partition.html"))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(html), "largest connected piece") {
		t.Error("report lacks the connectivity chart")
	}
}
