package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/sim"
)

var simCommand = &cli.Command{
	Name:      "sim",
	Usage:     "simulate a network of many nodes in this process and report how it behaves",
	ArgsUsage: "<scenario> | live [<scenario>]",
	Description: "sim runs a scenario on simulated time and writes <name>.csv, <name>.html\n" +
		"(charts that open offline) and each chart as an SVG file into --out.\n" +
		"Scenarios on the deterministic discovery model (equal seeds give equal CSVs):\n" +
		"  " + strings.Join(sim.ScenarioNames(), ", ") + "\n" +
		"'live <scenario>' runs whole servers (discv4 and RLPx) on an in-memory network\n" +
		"instead, writing live-<scenario>.*; live scenarios (default bootstrap):\n" +
		liveScenarioHelp() +
		"Every scenario checks its outcome; the report says whether the check passed.",
	Flags: []cli.Flag{
		&cli.IntFlag{Name: "nodes", Value: 1000, Usage: "number of honest nodes (servers for 'live')"},
		&cli.Int64Flag{Name: "seed", Value: 1, Usage: "seed of every random choice"},
		&cli.StringFlag{Name: "out", Value: "sim-out", Usage: "directory for the CSV, HTML and SVG files"},
		&cli.DurationFlag{Name: "duration", Usage: "simulated time to run (default: the scenario's)"},
	},
	Commands: []*cli.Command{simDiscoveryCommand}, // sim_discovery.go: real discv4 engines
	Action:   runSim,
}

func liveScenarioHelp() string {
	var b strings.Builder
	for _, name := range sim.LiveScenarioNames() {
		fmt.Fprintf(&b, "  %-10s %s\n", name, sim.LiveScenarios[name].Doc)
	}
	return b.String()
}

// simOutput is what a run leaves for runSim to write: files are named
// after name, and check is the scenario's verdict (nil: passed).
type simOutput struct {
	name   string
	report *sim.Report
	csv    func(*os.File) error
	check  error
}

// simParams are the flags every engine takes.
type simParams struct {
	nodes    int
	seed     int64
	duration time.Duration // 0: the scenario's
	progress sim.Progress
}

// simEngines are the engines other than the model, by their first
// argument; each gets the arguments after it.
var simEngines = map[string]func(ctx context.Context, cmd *cli.Command, args []string, p simParams) (*simOutput, error){
	"live": runSimLive,
}

// simMaxNodes bounds --nodes: a million model nodes take several GiB.
const simMaxNodes = 1_000_000

func runSim(ctx context.Context, cmd *cli.Command) error {
	args := cmd.Args().Slice()
	if len(args) == 0 {
		return usageErrorf(cmd, "want a scenario: %s, or %s", strings.Join(sim.ScenarioNames(), ", "), simEngineNames())
	}
	p := simParams{nodes: int(cmd.Int("nodes")), seed: cmd.Int64("seed"), duration: cmd.Duration("duration")}
	if p.nodes < 2 || p.nodes > simMaxNodes {
		return flagError("nodes", p.nodes, fmt.Sprintf("want 2 to %d", simMaxNodes))
	}
	if p.duration < 0 {
		return flagError("duration", p.duration, "must not be negative")
	}
	out := cmd.String("out")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return fileError("create", out, err)
	}
	p.progress = sim.ProgressBar(os.Stderr)
	start := time.Now()
	var (
		res *simOutput
		err error
	)
	if engine, ok := simEngines[args[0]]; ok {
		res, err = engine(ctx, cmd, args[1:], p)
	} else {
		res, err = runSimModel(ctx, cmd, args, p)
	}
	if err != nil {
		return err
	}
	report := res.report
	if res.check != nil {
		report.Figures = append(report.Figures, "scenario check failed: "+res.check.Error())
	} else {
		report.Figures = append(report.Figures, "scenario check passed")
	}
	report.Figures = append(report.Figures, fmt.Sprintf("wall time %v", time.Since(start).Round(time.Millisecond)))
	return writeSimOutput(out, res)
}

func simEngineNames() string {
	var names []string
	for n := range simEngines {
		names = append(names, "'"+n+" <scenario>'")
	}
	slices.Sort(names)
	return strings.Join(names, ", ")
}

// runSimModel runs a scenario of the deterministic model.
func runSimModel(ctx context.Context, cmd *cli.Command, args []string, p simParams) (*simOutput, error) {
	name := args[0]
	sc, ok := sim.Scenarios[name]
	if !ok {
		return nil, usageErrorf(cmd, "unknown scenario %q; have %s, or %s", name, strings.Join(sim.ScenarioNames(), ", "), simEngineNames())
	}
	if len(args) != 1 {
		return nil, usageErrorf(cmd, "want one scenario, got %q", strings.Join(args, " "))
	}
	cfg := sc.Build(p.nodes, p.seed)
	if p.duration > 0 {
		cfg.Duration = p.duration
	}
	res, err := sim.Run(ctx, cfg, p.progress)
	if err != nil {
		return nil, err
	}
	return &simOutput{
		name:   name,
		report: sim.ModelReport(name, res),
		csv:    func(f *os.File) error { return sim.WriteCSV(f, res.Samples) },
		check:  sc.Check(res),
	}, nil
}

// runSimLive runs a live scenario on whole servers.
func runSimLive(ctx context.Context, cmd *cli.Command, args []string, p simParams) (*simOutput, error) {
	name := "bootstrap"
	switch len(args) {
	case 0:
	case 1:
		name = args[0]
	default:
		return nil, usageErrorf(cmd, "want one live scenario, got %q", strings.Join(args, " "))
	}
	sc, ok := sim.LiveScenarios[name]
	if !ok {
		return nil, usageErrorf(cmd, "unknown live scenario %q; have %s", name, strings.Join(sim.LiveScenarioNames(), ", "))
	}
	cfg := sc.Build(p.nodes, p.seed)
	if p.duration > 0 {
		cfg.Duration = p.duration
	}
	res, err := sim.RunLive(ctx, cfg, p.progress)
	if err != nil {
		return nil, err
	}
	return &simOutput{
		name:   "live-" + name,
		report: sim.LiveReport(name, res),
		csv:    func(f *os.File) error { return sim.WriteLiveCSV(f, res.Samples) },
		check:  sc.Check(res),
	}, nil
}

// writeSimOutput writes the CSV, the HTML report and each chart as SVG,
// and prints the figures.
func writeSimOutput(out string, res *simOutput) error {
	name, report := res.name, res.report
	if err := writeSimFile(filepath.Join(out, name+".csv"), res.csv); err != nil {
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
