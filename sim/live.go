package sim

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"math/rand/v2"
	"net"
	"net/netip"
	"runtime"
	"strconv"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// LiveConfig describes a live run: whole devp2p.Servers (discv4 and RLPx)
// on a Fabric and a simulated clock. Zero values mean defaults.
type LiveConfig struct {
	Nodes       int   // required, ≥ 2
	Seed        int64 // seeds addresses, latencies and loss (not the schedule, see doc.go)
	Bootnodes   int   // default 1
	MaxPeers    int   // default 12: 4 dialed, 8 inbound
	PeersK      int   // default 3
	Unreachable float64
	Loss        float64
	Duration    time.Duration // simulated; default 3 min
	Sample      time.Duration // default 10 s
	Step        time.Duration // clock step of the driver; default 20 ms
	// Quiet is the real pause with no datagram or connection after which
	// the driver advances the clock; MaxWait bounds the wait for it.
	// Defaults 1 ms and 25 ms.
	Quiet, MaxWait time.Duration
	Logger         *slog.Logger // default: discard
}

// LiveSample is one row of a live run's measures over the running servers.
type LiveSample struct {
	Time              time.Duration
	PeersK            float64 // share of servers with ≥ PeersK peers
	MeanPeers         float64
	TargetReached     float64 // share of servers with all dialed slots filled (MaxPeers/3 peers or more)
	TableFill         float64 // mean live discv4 table entries
	PacketsPerNodeSec float64
	BytesPerNodeSec   float64
}

// LiveResult is the outcome of RunLive.
type LiveResult struct {
	Config  LiveConfig
	Samples []LiveSample
	Wall    time.Duration
}

func (c LiveConfig) withDefaults() LiveConfig {
	if c.Bootnodes == 0 {
		c.Bootnodes = 1
	}
	if c.MaxPeers == 0 {
		c.MaxPeers = 12
	}
	if c.PeersK == 0 {
		c.PeersK = 3
	}
	if c.Duration == 0 {
		c.Duration = 3 * time.Minute
	}
	if c.Sample == 0 {
		c.Sample = 10 * time.Second
	}
	if c.Step == 0 {
		c.Step = 20 * time.Millisecond
	}
	if c.Quiet == 0 {
		c.Quiet = time.Millisecond
	}
	if c.MaxWait == 0 {
		c.MaxWait = 25 * time.Millisecond
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

// maxLiveNodes bounds RunLive: every server costs goroutines and memory.
const maxLiveNodes = 20_000

// RunLive starts cfg.Nodes servers on one Fabric, lets them find each other
// and connect for cfg.Duration of simulated time, and samples them. It
// stops every server before it returns.
func RunLive(ctx context.Context, cfg LiveConfig, progress Progress) (*LiveResult, error) {
	cfg = cfg.withDefaults()
	switch {
	case cfg.Nodes < 2 || cfg.Nodes > maxLiveNodes:
		return nil, fmt.Errorf("sim: live Nodes must be in 2..%d, got %d", maxLiveNodes, cfg.Nodes)
	case cfg.Bootnodes < 1 || cfg.Bootnodes > cfg.Nodes:
		return nil, fmt.Errorf("sim: live Bootnodes must be in 1..%d", cfg.Nodes)
	case cfg.MaxPeers < 3 || cfg.Duration < 0 || cfg.Sample <= 0 || cfg.Step <= 0:
		return nil, errors.New("sim: invalid LiveConfig")
	case cfg.Loss < 0 || cfg.Loss >= 1 || cfg.Unreachable < 0 || cfg.Unreachable > 1:
		return nil, errors.New("sim: live Loss must be in [0, 1) and Unreachable in [0, 1]")
	}
	start := time.Now()
	clock := new(mclock.Simulated)
	fab := NewFabric(clock, cfg.Seed, 10*time.Millisecond, 100*time.Millisecond, cfg.Loss)
	rnd := rand.New(rand.NewPCG(uint64(cfg.Seed), 2))
	servers := make([]*devp2p.Server, 0, cfg.Nodes)
	defer func() {
		// Stop while the clock still runs, so timers servers wait on in
		// Stop (replies, backoffs) can fire.
		stopped := make(chan struct{})
		go func() {
			for _, s := range servers {
				s.Stop()
			}
			close(stopped)
		}()
		for {
			select {
			case <-stopped:
				return
			case <-time.After(time.Millisecond):
				clock.Run(cfg.Step)
			}
		}
	}()
	var boot []*enode.Node
	used := make(map[netip.Addr]bool)
	for i := range cfg.Nodes {
		key, err := crypto.GenerateKey()
		if err != nil {
			return nil, err
		}
		var ip netip.Addr
		for {
			ip = ipFromUint(uint32(20)<<24 | rnd.Uint32N(1<<24))
			if !used[ip] && ip.As4()[3] != 0 && ip.As4()[3] != 255 {
				break
			}
		}
		used[ip] = true
		if i >= cfg.Bootnodes && rnd.Float64() < cfg.Unreachable {
			fab.SetUnreachable(ip)
		}
		srv := &devp2p.Server{Config: devp2p.Config{
			PrivateKey:     key,
			MaxPeers:       cfg.MaxPeers,
			ListenAddr:     net.JoinHostPort(ip.String(), strconv.Itoa(30303)),
			BootstrapNodes: boot,
			Protocols:      []devp2p.Protocol{idleProtocol},
			Listen:         fab.Listen,
			ListenUDP:      fab.ListenUDP,
			Dialer:         fab.Dialer(ip),
			Clock:          clock,
			Logger:         cfg.Logger,
		}}
		if err := srv.Start(); err != nil {
			return nil, fmt.Errorf("sim: start server %d: %w", i, err)
		}
		servers = append(servers, srv)
		if i < cfg.Bootnodes {
			boot = append(boot, srv.Self())
		}
		if progress != nil && i%100 == 0 {
			progress(0, cfg.Duration)
		}
	}
	res := &LiveResult{Config: cfg}
	d := driver{clock: clock, fab: fab, step: cfg.Step, quiet: cfg.Quiet, maxWait: cfg.MaxWait}
	var lastPkts, lastBytes int64
	for at := cfg.Sample; at <= cfg.Duration; at += cfg.Sample {
		if err := d.advanceTo(ctx, mclock.AbsTime(at)); err != nil {
			return nil, err
		}
		pk, by := fab.Traffic()
		s := sampleServers(servers, cfg)
		s.Time = at
		secs := cfg.Sample.Seconds() * float64(len(servers))
		s.PacketsPerNodeSec = float64(pk-lastPkts) / secs
		s.BytesPerNodeSec = float64(by-lastBytes) / secs
		lastPkts, lastBytes = pk, by
		res.Samples = append(res.Samples, s)
		if progress != nil {
			progress(at, cfg.Duration)
		}
	}
	res.Wall = time.Since(start)
	return res, nil
}

func sampleServers(servers []*devp2p.Server, cfg LiveConfig) LiveSample {
	var s LiveSample
	target := cfg.MaxPeers / 3
	var peers, k, reached, table int
	for _, srv := range servers {
		c := srv.PeerCount()
		peers += c
		if c >= cfg.PeersK {
			k++
		}
		if c >= target {
			reached++
		}
		table += srv.DiscoveryTableLen()
	}
	n := float64(len(servers))
	s.PeersK = float64(k) / n
	s.MeanPeers = float64(peers) / n
	s.TargetReached = float64(reached) / n
	s.TableFill = float64(table) / n
	return s
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

// driver advances the simulated clock of a live run: one Step at a time,
// once the fabric has been quiet (no datagram sent, no connection opened)
// for Quiet of real time, or after MaxWait even if it was not.
type driver struct {
	clock                *mclock.Simulated
	fab                  *Fabric
	step, quiet, maxWait time.Duration
}

func (d *driver) advanceTo(ctx context.Context, end mclock.AbsTime) error {
	for d.clock.Now() < end {
		if err := ctx.Err(); err != nil {
			return err
		}
		deadline := time.Now().Add(d.maxWait)
		for {
			before := d.fab.Activity()
			pause(d.quiet)
			if d.fab.Activity() == before || time.Now().After(deadline) {
				break
			}
		}
		d.clock.Run(min(d.step, time.Duration(end-d.clock.Now())))
	}
	return nil
}

// pause lets the servers' goroutines run for about d of real time.
func pause(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		runtime.Gosched()
		time.Sleep(d / 4)
	}
}
