package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/mclock"
)

// LiveConfig describes a live run: whole devp2p.Servers (discv4 and RLPx)
// on a Fabric and a simulated clock. Zero values mean defaults; the
// scenario settings (Churn, Partition, Sybil, Restart) are off when zero.
type LiveConfig struct {
	Nodes       int   // honest servers at the start; required, ≥ 2
	Seed        int64 // seeds addresses, latencies, loss and scenario events (not the schedule, see doc.go)
	Bootnodes   int   // default 1
	MaxPeers    int   // default 12: 4 dialed, 8 inbound
	PeersK      int   // default 3
	Unreachable float64
	Loss        float64
	Duration    time.Duration // simulated; default 3 min
	Sample      time.Duration // default 10 s
	// Step is the driver's smallest clock step, used while datagrams are
	// in flight; MaxStep the largest, which it grows to by doubling while
	// the fabric stays idle. Defaults 20 ms and 500 ms (the reply timeout:
	// a larger step would add to the run's time, not change what happens).
	Step, MaxStep time.Duration
	// Quiet is the real pause with no datagram or connection after which
	// the driver advances the clock (once the servers have read every
	// datagram delivered); MaxWait bounds the wait for it. Defaults 1 ms
	// and 100 ms.
	Quiet, MaxWait time.Duration

	Churn     LiveChurn
	Partition LivePartition
	Sybil     Sybil // as in the model: Fraction of all identities, from Subnets /24 blocks
	Restart   LiveRestart

	Logger *slog.Logger // default: discard
}

// LiveChurn stops servers for good and starts new ones during the run, from
// From until Until (0: the end). Rates are per honest server per hour;
// joining servers are new identities that bootstrap from the bootnodes.
// Bootnodes never leave.
type LiveChurn struct {
	From, Until  time.Duration
	LeavePerHour float64
	JoinPerHour  float64
}

// LivePartition cuts Share of the non-boot servers (default one half) off
// from the rest from At until Heal: no datagram or connection crosses, and
// connections across are closed at the cut. With Isolate the cut-off
// servers cannot reach each other either (each one loses its links, as in
// an outage), rather than forming an island of their own.
type LivePartition struct {
	At, Heal time.Duration // Heal > At > 0 enables it
	Share    float64
	Isolate  bool
}

// LiveRestart stops Fraction of the non-boot servers at At and starts them
// again Down later with the same key, address and node database (a file
// under a temporary directory), which seeds their tables. With
// BootnodesDown the bootnodes stop at At for good and restarted servers get
// no bootnodes: only their database can bring them back. Cold restarts
// them with an empty database instead, as a control.
type LiveRestart struct {
	At, Down      time.Duration // At > 0 enables it
	Fraction      float64
	BootnodesDown bool
	Cold          bool
}

// LiveSample is one row of a live run's measures over the running honest
// servers.
type LiveSample struct {
	Time              time.Duration
	Online            int     // honest servers running
	PeersK            float64 // share of servers with ≥ PeersK peers
	MeanPeers         float64
	TargetReached     float64 // share of servers with all dialed slots filled (MaxPeers/3 peers or more)
	TableFill         float64 // mean live discv4 table entries
	PacketsPerNodeSec float64
	BytesPerNodeSec   float64
	HonestPeerShare   float64 // share of the servers' peers that are honest
	HonestTableShare  float64 // share of their table entries that are honest
	Connected         float64 // share of servers in the largest component of the honest peer graph
	Partitioned       bool
}

// LiveResult is the outcome of RunLive.
type LiveResult struct {
	Config  LiveConfig
	Samples []LiveSample
	Summary LiveSummary
	Wall    time.Duration
	Steps   int // clock steps the driver took: what the run's wall time grows with
	// CutShort counts the steps the driver took after LiveConfig.MaxWait
	// while servers were still busy: a sign the machine could not keep up.
	CutShort int
}

func (c LiveConfig) withDefaults() LiveConfig {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Bootnodes == 0 {
		c.Bootnodes = 1
	}
	if c.MaxPeers == 0 {
		c.MaxPeers = 12
	}
	if c.PeersK == 0 {
		c.PeersK = 3
	}
	def(&c.Duration, 3*time.Minute)
	def(&c.Sample, 10*time.Second)
	def(&c.Step, 50*time.Millisecond)
	def(&c.MaxStep, 500*time.Millisecond)
	def(&c.Quiet, time.Millisecond)
	def(&c.MaxWait, 100*time.Millisecond)
	if c.Partition.At > 0 && c.Partition.Share == 0 {
		c.Partition.Share = 0.5
	}
	if c.Sybil.Fraction > 0 && c.Sybil.Subnets == 0 {
		c.Sybil.Subnets = 4
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// maxLiveNodes bounds RunLive: every server costs goroutines and memory.
const maxLiveNodes = 20_000

func (c LiveConfig) validate() error {
	switch {
	case c.Nodes < 2 || c.Nodes > maxLiveNodes:
		return fmt.Errorf("sim: live Nodes must be in 2..%d, got %d", maxLiveNodes, c.Nodes)
	case c.Bootnodes < 1 || c.Bootnodes > c.Nodes:
		return fmt.Errorf("sim: live Bootnodes must be in 1..%d", c.Nodes)
	case c.MaxPeers < 3 || c.PeersK < 1 || c.Duration < 0 || c.Sample <= 0 || c.Step <= 0 || c.MaxStep < c.Step:
		return errors.New("sim: invalid LiveConfig")
	case c.Loss < 0 || c.Loss >= 1 || c.Unreachable < 0 || c.Unreachable > 1:
		return errors.New("sim: live Loss must be in [0, 1) and Unreachable in [0, 1]")
	case c.Churn.From < 0 || (c.Churn.Until != 0 && c.Churn.Until <= c.Churn.From) || c.Churn.LeavePerHour < 0 || c.Churn.JoinPerHour < 0 || c.Churn.LeavePerHour > 1000 || c.Churn.JoinPerHour > 1000:
		return errors.New("sim: live Churn rates must be in [0, 1000] per hour, From ≥ 0 and Until 0 or after From")
	case c.Partition.At < 0 || (c.Partition.At > 0 && c.Partition.Heal <= c.Partition.At) || c.Partition.Share < 0 || c.Partition.Share >= 1:
		return errors.New("sim: live Partition needs Heal > At > 0 and Share in (0, 1)")
	case c.Sybil.Fraction < 0 || c.Sybil.Fraction >= 1 || c.Sybil.Subnets < 0 || c.Sybil.Subnets > 256:
		return errors.New("sim: live Sybil.Fraction must be in [0, 1) and Sybil.Subnets in 0..256")
	case c.Restart.At < 0 || c.Restart.Down < 0 || c.Restart.Fraction < 0 || c.Restart.Fraction > 1:
		return errors.New("sim: live Restart needs At, Down ≥ 0 and Fraction in [0, 1]")
	}
	if s := c.Sybil; s.Fraction > 0 {
		if n := sybilCount(c); n > s.Subnets*250 {
			return fmt.Errorf("sim: %d Sybils do not fit in %d /24 blocks; raise Sybil.Subnets", n, s.Subnets)
		}
	}
	return nil
}

// RunLive starts cfg.Nodes servers on one Fabric, lets them find each other
// and connect for cfg.Duration of simulated time while the scenario's
// events (churn, partition, restart) happen, and samples them. It stops
// every server and removes their databases before it returns.
func RunLive(ctx context.Context, cfg LiveConfig, progress Progress) (*LiveResult, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	start := time.Now()
	dbDir := ""
	if cfg.Restart.At > 0 {
		dir, err := os.MkdirTemp("", "devp2p-sim-")
		if err != nil {
			return nil, fmt.Errorf("sim: node database directory: %w", err)
		}
		defer os.RemoveAll(dir)
		dbDir = dir
	}
	n := newLiveNet(cfg, dbDir)
	defer n.shutdown()
	if err := n.startAll(progress); err != nil {
		return nil, err
	}
	n.scheduleScenario()
	res := &LiveResult{Config: cfg}
	var lastPkts, lastBytes int64
	for at := cfg.Sample; at <= cfg.Duration; at += cfg.Sample {
		if err := n.runUntil(ctx, mclock.AbsTime(at)); err != nil {
			return nil, err
		}
		pk, by := n.fab.Traffic()
		s := n.sample()
		s.Time = at
		if s.Online > 0 {
			secs := cfg.Sample.Seconds() * float64(s.Online+len(n.sybils))
			s.PacketsPerNodeSec = float64(pk-lastPkts) / secs
			s.BytesPerNodeSec = float64(by-lastBytes) / secs
		}
		lastPkts, lastBytes = pk, by
		res.Samples = append(res.Samples, s)
		if progress != nil {
			progress(at, cfg.Duration)
		}
	}
	if err := n.err(); err != nil {
		return nil, err
	}
	res.Summary = summarizeLive(cfg, res.Samples)
	res.Wall = time.Since(start)
	res.Steps = n.drv.steps
	res.CutShort = n.drv.cutShort
	return res, nil
}

// idleProtocol gives every pair of servers a capability in common, so that
// sessions start and stay until one side ends them.
var idleProtocol = devp2p.Protocol{
	Name: "sim", Version: 1, Length: 1,
	Run: func(_ *devp2p.Peer, rw devp2p.MsgReadWriter) error {
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			msg.Discard()
		}
	},
}
