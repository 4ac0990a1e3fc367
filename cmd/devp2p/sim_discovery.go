package main

import (
	"context"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/sim"
)

var simDiscoveryCommand = &cli.Command{
	Name:  "discovery",
	Usage: "bootstrap a network of real discv4 engines in this process and report how it forms",
	Description: "discovery starts --nodes discv4 engines (each with its own key and in-memory node\n" +
		"database) on an in-memory network and a simulated clock: the bootnodes first, the\n" +
		"others evenly over --ramp. Every 10 s of simulated time it samples the tables and\n" +
		"runs lookups for random targets from random nodes, comparing what they find with\n" +
		"the true 16 closest reachable nodes. It writes discovery.csv, discovery.html (charts\n" +
		"that open offline) and each chart as an SVG file into --out. Runs are not repeatable\n" +
		"beyond what --seed fixes (keys, addresses, latencies, losses, lookup targets).",
	Flags: []cli.Flag{
		&cli.IntFlag{Name: "nodes", Value: 1000, Usage: "number of discovery nodes, bootnodes included"},
		&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of keys, addresses, latencies, losses and lookup targets"},
		&cli.StringFlag{Name: "out", Value: "sim-out", Usage: "directory for the CSV, HTML and SVG files"},
		&cli.DurationFlag{Name: "duration", Usage: "simulated time to run; 0: --ramp plus 2 minutes"},
		&cli.DurationFlag{Name: "ramp", Usage: "simulated time over which the nodes join; 0: 5 ms per node, at least 10 s"},
		&cli.IntFlag{Name: "bootnodes", Value: 3, Usage: "number of bootnodes"},
		&cli.Float64Flag{Name: "unreachable", Usage: "share of nodes behind a NAT (0 to 1)"},
		&cli.Float64Flag{Name: "loss", Usage: "share of datagrams lost (0 to below 1)"},
		&cli.IntFlag{Name: "lookups", Value: 32, Usage: "lookups per sample for the success measure"},
		&cli.BoolFlag{Name: "no-nodedb", Usage: "run the engines without a node database"},
		&cli.DurationFlag{Name: "new-node-check", Usage: "ping new table entries within this time; 0: the engine's default (10s)"},
		&cli.StringFlag{Name: "cpuprofile", Usage: "write a CPU profile of the run to this file"},
		&cli.StringFlag{Name: "memprofile", Usage: "write a heap profile at the end of the run to this file"},
	},
	Action: runSimDiscovery,
}

func runSimDiscovery(ctx context.Context, cmd *cli.Command) error {
	if cmd.Args().Len() > 0 {
		return usageErrorf(cmd, "unexpected argument %q", cmd.Args().First())
	}
	cfg := sim.DiscoveryConfig{
		Nodes:        int(cmd.Int("nodes")),
		Seed:         cmd.Int64("seed"),
		Bootnodes:    int(cmd.Int("bootnodes")),
		Duration:     cmd.Duration("duration"),
		Ramp:         cmd.Duration("ramp"),
		Unreachable:  cmd.Float64("unreachable"),
		Loss:         cmd.Float64("loss"),
		Lookups:      int(cmd.Int("lookups")),
		NoNodeDB:     cmd.Bool("no-nodedb"),
		NewNodeCheck: cmd.Duration("new-node-check"),
	}
	switch {
	case cfg.Nodes < 2 || cfg.Nodes > sim.MaxDiscoveryNodes:
		return flagError("nodes", cfg.Nodes, fmt.Sprintf("want 2 to %d", sim.MaxDiscoveryNodes))
	case cfg.Bootnodes < 1 || cfg.Bootnodes > cfg.Nodes:
		return flagError("bootnodes", cfg.Bootnodes, "want 1 to --nodes")
	case cfg.Duration < 0:
		return flagError("duration", cfg.Duration, "must not be negative")
	case cfg.Ramp < 0:
		return flagError("ramp", cfg.Ramp, "must not be negative")
	case cfg.Unreachable < 0 || cfg.Unreachable > 1:
		return flagError("unreachable", cfg.Unreachable, "want 0 to 1")
	case cfg.Loss < 0 || cfg.Loss >= 1:
		return flagError("loss", cfg.Loss, "want 0 to below 1")
	case cfg.Lookups < 0:
		return flagError("lookups", cfg.Lookups, "must not be negative")
	case cfg.NewNodeCheck < 0:
		return flagError("new-node-check", cfg.NewNodeCheck, "must not be negative")
	}
	out := cmd.String("out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fileError("create", out, err)
	}
	if path := cmd.String("cpuprofile"); path != "" {
		f, err := os.Create(path)
		if err != nil {
			return fileError("create", path, err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("cpu profile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	res, err := sim.RunDiscovery(ctx, cfg, discoveryProgress())
	if err != nil {
		return err
	}
	if path := cmd.String("memprofile"); path != "" {
		if err := writeSimFile(path, func(f *os.File) error { return pprof.Lookup("heap").WriteTo(f, 0) }); err != nil {
			return err
		}
	}
	report := sim.DiscoveryReport(res)
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	report.Figures = append(report.Figures, fmt.Sprintf("Go runtime memory at the end: %.0f MiB from the OS, %.0f MiB of heap in use",
		float64(ms.Sys)/(1<<20), float64(ms.HeapInuse)/(1<<20)))
	return writeDiscoveryOutput(out, res, report)
}

// discoveryProgress draws a bar on a terminal; to a log or pipe it writes
// a line per sample instead, since a large run takes many minutes.
func discoveryProgress() sim.Progress {
	if bar := sim.ProgressBar(os.Stderr); bar != nil {
		return bar
	}
	start := time.Now()
	return func(done, total time.Duration) {
		fmt.Fprintf(os.Stderr, "simulated %v of %v, %v elapsed\n", done, total, time.Since(start).Round(time.Second))
	}
}

// writeDiscoveryOutput writes a discovery run like any other sim output,
// and its wall time.
func writeDiscoveryOutput(out string, res *sim.DiscoveryResult, report *sim.Report) error {
	err := writeSimOutput(out, &simOutput{name: "discovery", report: report,
		csv: func(f *os.File) error { return sim.WriteDiscoveryCSV(f, res.Samples) }})
	if err == nil {
		fmt.Printf("  wall %v\n", res.Wall.Round(time.Millisecond))
	}
	return err
}
