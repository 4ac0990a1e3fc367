package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"
)

// options of one run. Zero logger means no logs.
type options struct {
	nodes, maxPeers    int
	duration, interval time.Duration // sample every interval for duration
	logger             *slog.Logger

	// For tests: ticks, if set, replaces the ticker that paces the samples
	// (the run takes duration/interval of them), and started, if set, is
	// called once every node runs.
	ticks   <-chan time.Time
	started func(pictured *devp2p.Server)
}

const maxNodes = 64 // a handful is the point; each node costs sockets and goroutines

func (o options) validate() error {
	switch {
	case o.nodes < 2 || o.nodes > maxNodes:
		return fmt.Errorf("nodes must be in 2..%d, got %d", maxNodes, o.nodes)
	case o.maxPeers < 1:
		return fmt.Errorf("maxpeers must be at least 1, got %d", o.maxPeers)
	case o.interval <= 0:
		return errors.New("the sample interval must be positive")
	case o.duration < 2*o.interval:
		return fmt.Errorf("duration must be at least %v (three samples), got %v", 2*o.interval, o.duration)
	}
	return nil
}

// sample is one Gather of the pictured node's registry.
type sample struct {
	at   time.Duration // since the first sample
	fams map[string]*dto.MetricFamily
}

// dashboard is what a run measured.
type dashboard struct {
	opts    options
	date    time.Time
	samples []sample
	churned int              // the node stopped midway, -1 if none
	down    [2]time.Duration // when it was stopped and started again
}

// run starts the network, samples the pictured node's registry every
// interval for duration (stopping and restarting one node at a third and
// two thirds of it), and stops every server before it returns.
func run(ctx context.Context, opts options) (*dashboard, error) {
	if opts.logger == nil {
		opts.logger = slog.New(slog.DiscardHandler)
	}
	if err := opts.validate(); err != nil {
		return nil, err
	}
	nw, err := startNetwork(opts.nodes, opts.maxPeers, opts.logger)
	if err != nil {
		return nil, err
	}
	defer nw.stop()
	if opts.started != nil {
		opts.started(nw.pictured())
	}
	ticks := opts.ticks
	if ticks == nil {
		t := time.NewTicker(opts.interval)
		defer t.Stop()
		ticks = t.C
	}
	n := int(opts.duration / opts.interval)
	d := &dashboard{opts: opts, date: time.Now().UTC(), churned: -1}
	// A run of three samples or more stops a node in between.
	churn := nw.canChurn() && n >= 3
	start := time.Now()
	for i := 0; i <= n; i++ {
		if i > 0 {
			select {
			case <-ctx.Done():
				return nil, ctx.Err()
			case <-ticks:
			}
		}
		s, err := gather(nw.reg, time.Since(start))
		if err != nil {
			return nil, err
		}
		d.samples = append(d.samples, s)
		switch {
		case !churn:
		case i == n/3:
			d.churned = nw.stopPeer()
			d.down[0] = time.Since(start)
		case i == 2*n/3:
			if err := nw.restartStopped(); err != nil {
				return nil, err
			}
			d.down[1] = time.Since(start)
		}
	}
	return d, nil
}

func gather(reg *prometheus.Registry, at time.Duration) (sample, error) {
	fams, err := reg.Gather()
	if err != nil {
		return sample{}, fmt.Errorf("gather metrics: %w", err)
	}
	s := sample{at: at, fams: make(map[string]*dto.MetricFamily, len(fams))}
	for _, f := range fams {
		s.fams[f.GetName()] = f
	}
	return s, nil
}
