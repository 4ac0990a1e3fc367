package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/sim"
)

var simCommand = &cli.Command{
	Name:      "sim",
	Usage:     "simulate a network of many nodes in this process and report how it behaves",
	ArgsUsage: "<scenario>",
	Description: "sim runs a scenario on simulated time and writes <scenario>.csv, <scenario>.html\n" +
		"(charts that open offline) and each chart as an SVG file into --out.\n" +
		"Scenarios on the deterministic discovery model (equal seeds give equal CSVs):\n" +
		"  " + strings.Join(sim.ScenarioNames(), ", ") + "\n" +
		"and 'live': whole servers (discv4 and RLPx) on an in-memory network.",
	Flags: []cli.Flag{
		&cli.IntFlag{Name: "nodes", Value: 1000, Usage: "number of honest nodes (servers for 'live')"},
		&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of every random choice"},
		&cli.StringFlag{Name: "out", Value: "sim-out", Usage: "directory for the CSV, HTML and SVG files"},
		&cli.DurationFlag{Name: "duration", Usage: "simulated time to run (default: the scenario's)"},
	},
	Commands: []*cli.Command{simDiscoveryCommand}, // sim_discovery.go: real discv4 engines
	Action:   runSim,
}

// simMaxNodes bounds --nodes: a million model nodes take several GiB.
const simMaxNodes = 1_000_000

func runSim(ctx context.Context, cmd *cli.Command) error {
	if cmd.Args().Len() != 1 {
		return usageErrorf(cmd, "want one scenario: %s or live", strings.Join(sim.ScenarioNames(), ", "))
	}
	name := cmd.Args().First()
	nodes, seed := int(cmd.Int("nodes")), cmd.Int64("seed")
	if nodes < 2 || nodes > simMaxNodes {
		return flagError("nodes", nodes, fmt.Sprintf("want 2 to %d", simMaxNodes))
	}
	if d := cmd.Duration("duration"); d < 0 {
		return flagError("duration", d, "must not be negative")
	}
	out := cmd.String("out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fileError("create", out, err)
	}
	progress := sim.ProgressBar(os.Stderr)
	start := time.Now()
	var (
		report *sim.Report
		csv    func(*os.File) error
	)
	if name == "live" {
		cfg := sim.LiveConfig{Nodes: nodes, Seed: seed, Duration: cmd.Duration("duration")}
		res, err := sim.RunLive(ctx, cfg, progress)
		if err != nil {
			return err
		}
		report = sim.LiveReport(res)
		csv = func(f *os.File) error { return sim.WriteLiveCSV(f, res.Samples) }
	} else {
		sc, ok := sim.Scenarios[name]
		if !ok {
			return usageErrorf(cmd, "unknown scenario %q; have %s and live", name, strings.Join(sim.ScenarioNames(), ", "))
		}
		cfg := sc.Build(nodes, seed)
		if d := cmd.Duration("duration"); d > 0 {
			cfg.Duration = d
		}
		res, err := sim.Run(ctx, cfg, progress)
		if err != nil {
			return err
		}
		report = sim.ModelReport(name, res)
		csv = func(f *os.File) error { return sim.WriteCSV(f, res.Samples) }
		if err := sc.Check(res); err != nil {
			report.Figures = append(report.Figures, "scenario check failed: "+err.Error())
		} else {
			report.Figures = append(report.Figures, "scenario check passed")
		}
	}
	report.Figures = append(report.Figures, fmt.Sprintf("wall time %v", time.Since(start).Round(time.Millisecond)))
	if err := writeSimFile(filepath.Join(out, name+".csv"), csv); err != nil {
		return err
	}
	if err := writeSimFile(filepath.Join(out, name+".html"), func(f *os.File) error { return report.WriteHTML(f) }); err != nil {
		return err
	}
	for i := range report.Charts {
		c := &report.Charts[i]
		if err := writeSimFile(filepath.Join(out, fmt.Sprintf("%s-%d.svg", name, i+1)), func(f *os.File) error { return c.WriteSVG(f) }); err != nil {
			return err
		}
	}
	fmt.Println(report.Title)
	for _, f := range report.Figures {
		fmt.Println("  " + f)
	}
	fmt.Printf("  wrote %s\n", filepath.Join(out, name+".{csv,html}"))
	return nil
}

func writeSimFile(path string, write func(*os.File) error) error {
	f, err := os.Create(path)
	if err != nil {
		return fileError("create", path, err)
	}
	if err := write(f); err != nil {
		f.Close()
		return fileError("write", path, err)
	}
	if err := f.Close(); err != nil {
		return fileError("write", path, err)
	}
	return nil
}
