package main

import (
	"bytes"
	"context"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"math"
	"os"
	"os/signal"
	"time"

	"github.com/devp2p-go/devp2p/sim"
)

func main() {
	out := flag.String("out", "docs/dashboard.svg", "SVG file to write")
	nodes := flag.Int("nodes", 6, "servers to run in this process (2..64)")
	duration := flag.Duration("duration", 90*time.Second, "how long to sample")
	maxPeers := flag.Int("maxpeers", 6, "MaxPeers of every server (a third of them dialed)")
	verbose := flag.Bool("v", false, "log the servers at debug level to stderr")
	flag.Parse()

	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	if *verbose {
		logger = slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	opts := options{nodes: *nodes, duration: *duration, interval: time.Second, maxPeers: *maxPeers, logger: logger}
	if err := writeFile(ctx, *out, opts); err != nil {
		fmt.Fprintln(os.Stderr, "dashpic:", err)
		os.Exit(1)
	}
}

// writeFile runs the network, then writes the picture to path; a failed run
// leaves no file behind.
func writeFile(ctx context.Context, path string, opts options) error {
	fmt.Fprintf(os.Stderr, "dashpic: %d nodes, sampling for %v\n", opts.nodes, opts.duration)
	d, err := run(ctx, opts)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := d.writeSVG(&b); err != nil {
		return err
	}
	if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
		return err
	}
	fmt.Fprintf(os.Stderr, "dashpic: wrote %s (%d bytes, %d samples)\n", path, b.Len(), len(d.samples))
	printSummary(os.Stderr, d.charts())
	return nil
}

// printSummary prints each series' peak and last value, to see at a glance
// what the picture shows.
func printSummary(w io.Writer, charts []sim.Chart) {
	for _, c := range charts {
		fmt.Fprintln(w, c.Title)
		for _, s := range c.Series {
			peak, last := math.Inf(-1), math.NaN()
			for _, y := range s.Y {
				if !math.IsNaN(y) {
					peak, last = max(y, peak), y
				}
			}
			fmt.Fprintf(w, "  %-18s peak %10.4g  last %10.4g\n", s.Name, peak, last)
		}
	}
}
