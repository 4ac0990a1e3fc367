package sim

import (
	"context"
	"fmt"
	"math/rand/v2"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	v4 "github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// DiscoverySample is one row of a discovery run's measures.
type DiscoverySample struct {
	Time    time.Duration
	Started int           // nodes running
	Wall    time.Duration // real time since the run began (not repeatable)

	TableFill     float64 // mean live table entries over running nodes
	TableMin      int     // fewest entries of a running node
	TableNonEmpty float64 // share of running nodes with at least one entry
	TableFillK    float64 // share with ≥ FillK entries

	// Lookups that ended since the previous sample, and their mean share of
	// the true 16 closest reachable nodes (LookupFound), the share of them
	// that found all of those (LookupAll), their mean simulated duration, and
	// the datagrams and bytes the asking node sent and received while each
	// ran (its background traffic included).
	Lookups          int
	LookupFound      float64
	LookupAll        float64
	LookupTime       time.Duration
	PacketsPerLookup float64
	BytesPerLookup   float64

	PacketsPerNodeSec float64 // datagrams sent, over running nodes
	BytesPerNodeSec   float64
}

// DiscoveryResult is the outcome of RunDiscovery.
type DiscoveryResult struct {
	Config  DiscoveryConfig
	Samples []DiscoverySample
	Wall    time.Duration // from the first key to the last sample
	Startup time.Duration // wall time spent creating and starting engines

	// Drops counts, over all engines and the whole run, the received
	// datagrams they did not act on, by discover.DropReason name: late
	// replies show up as "unsolicited", admission limits as "rate_limit".
	Drops map[string]uint64
	// Sent counts the datagrams the engines sent over the whole run, by
	// packet type.
	Sent map[string]uint64
	// RepliesDenied counts replies withheld from sources without an
	// endpoint proof that had not paid for them (discover.AdmitStats).
	RepliesDenied int64
	// ForcedSteps counts clock steps taken after MaxWait with the engines
	// still busy; more than a few mean the timing measures are suspect.
	ForcedSteps int
}

// Final returns the last sample (the zero sample if there is none).
func (r *DiscoveryResult) Final() DiscoverySample {
	if len(r.Samples) == 0 {
		return DiscoverySample{}
	}
	return r.Samples[len(r.Samples)-1]
}

// RunDiscovery starts cfg.Nodes discv4 engines (discover/v4 with their own
// key, LocalNode and node database) on one Fabric, the bootnodes at once
// and the others evenly over cfg.Ramp, runs them for cfg.Duration of
// simulated time and samples their tables, lookups and traffic. It stops
// every engine before it returns. Like RunLive it is not repeatable beyond
// what the seed fixes (keys, addresses, join order, latencies, losses,
// lookup targets): the scheduler decides the rest.
func RunDiscovery(ctx context.Context, cfg DiscoveryConfig, progress Progress) (*DiscoveryResult, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	wallStart := time.Now()
	rnd := rand.New(rand.NewPCG(uint64(cfg.Seed), 3))
	nodes, err := planNodes(cfg, rnd)
	if err != nil {
		return nil, err
	}
	clock := new(mclock.Simulated)
	fab := NewFabric(clock, cfg.Seed, cfg.LatencyMin, cfg.LatencyMax, cfg.Loss)
	d := newIdleDriver(clock, cfg.Step, cfg.MaxWait)
	lookupCtx, cancelLookups := context.WithCancel(ctx)
	probe := &lookupProbe{rnd: rand.New(rand.NewPCG(uint64(cfg.Seed), 4)), clock: clock, ctx: lookupCtx}
	started := 0
	defer func() {
		cancelLookups()
		stopDiscovery(nodes[:started], clock, cfg.Step, &probe.wg)
	}()

	// Node i > Bootnodes starts at joinAt(i); bootnodes at 0.
	others := cfg.Nodes - cfg.Bootnodes
	joinAt := func(i int) mclock.AbsTime {
		if i < cfg.Bootnodes || others == 0 {
			return 0
		}
		return mclock.AbsTime(int64(cfg.Ramp) * int64(i-cfg.Bootnodes) / int64(others))
	}
	var boot []*enode.Node
	var startup time.Duration
	startDue := func() error {
		t0 := time.Now()
		defer func() { startup += time.Since(t0) }()
		for started < len(nodes) && joinAt(started) <= clock.Now() {
			n := nodes[started]
			if err := n.start(&cfg, fab, clock, boot); err != nil {
				return fmt.Errorf("sim: start discovery node %d: %w", started, err)
			}
			if started < cfg.Bootnodes {
				boot = append(boot, n.udp.Self())
			}
			started++
		}
		return nil
	}

	res := &DiscoveryResult{Config: cfg}
	var lastPkts, lastBytes int64
	for at := cfg.Sample; at <= cfg.Duration; at += cfg.Sample {
		end := mclock.AbsTime(at)
		for {
			if err := startDue(); err != nil {
				return nil, err
			}
			if clock.Now() >= end {
				break
			}
			next := end
			if started < len(nodes) {
				next = min(next, joinAt(started))
			}
			if err := d.advanceTo(ctx, next); err != nil {
				return nil, err
			}
		}
		s := sampleDiscovery(nodes[:started], cfg.FillK, probe.take())
		s.Time, s.Wall = at, time.Since(wallStart)
		pk, by := fab.Traffic()
		secs := cfg.Sample.Seconds() * float64(started)
		s.PacketsPerNodeSec = float64(pk-lastPkts) / secs
		s.BytesPerNodeSec = float64(by-lastBytes) / secs
		lastPkts, lastBytes = pk, by
		res.Samples = append(res.Samples, s)
		if at+cfg.Sample <= cfg.Duration {
			probe.launch(nodes, started, cfg.Lookups)
		}
		if progress != nil {
			progress(at, cfg.Duration)
		}
	}
	res.Wall = time.Since(wallStart)
	res.Startup = startup
	res.Drops, res.Sent, res.RepliesDenied = countPackets(nodes[:started])
	res.ForcedSteps = d.forced
	return res, nil
}

// sampleDiscovery measures the tables of the running nodes and the lookups
// that ended.
func sampleDiscovery(nodes []*discNode, fillK int, lookups []lookupOutcome) DiscoverySample {
	var s DiscoverySample
	s.Started = len(nodes)
	if len(nodes) == 0 {
		return s
	}
	var total, nonEmpty, atK int
	s.TableMin = -1
	for _, n := range nodes {
		l := n.udp.Table().Len()
		total += l
		if l > 0 {
			nonEmpty++
		}
		if l >= fillK {
			atK++
		}
		if s.TableMin < 0 || l < s.TableMin {
			s.TableMin = l
		}
	}
	c := float64(len(nodes))
	s.TableFill = float64(total) / c
	s.TableNonEmpty = float64(nonEmpty) / c
	s.TableFillK = float64(atK) / c
	s.Lookups = len(lookups)
	if len(lookups) == 0 {
		return s
	}
	var found, all float64
	var simTime time.Duration
	var pk, by int64
	for _, l := range lookups {
		if l.want > 0 {
			found += float64(l.found) / float64(l.want)
		} else {
			found++ // nothing to find, nothing missed
		}
		if l.found == l.want {
			all++
		}
		simTime += l.simTime.Sub(l.started)
		pk += l.packets
		by += l.bytes
	}
	k := float64(len(lookups))
	s.LookupFound = found / k
	s.LookupAll = all / k
	s.LookupTime = simTime / time.Duration(len(lookups))
	s.PacketsPerLookup = float64(pk) / k
	s.BytesPerLookup = float64(by) / k
	return s
}

// countPackets sums the engines' counters of drops by reason and of sent
// packets by type.
func countPackets(nodes []*discNode) (drops, sent map[string]uint64, denied int64) {
	drops, sent = make(map[string]uint64), make(map[string]uint64)
	for _, n := range nodes {
		st := n.udp.PacketStats()
		for r := range discover.NumDropReasons {
			if c := st.Dropped(discover.DropReason(r)); c > 0 {
				drops[discover.DropReason(r).String()] += c
			}
		}
		for k := range discover.KindSlots {
			if c := st.Sent(k); c > 0 {
				name := v4.PacketTypeName(k)
				if name == "" {
					name = "other"
				}
				sent[name] += c
			}
		}
		denied += n.udp.AdmitStats().RepliesDenied
	}
	return drops, sent, denied
}

// stopDiscovery closes the engines while the clock keeps running, so that
// whatever they wait on in Close (reply timeouts) can end, and waits for
// the measurement lookups.
func stopDiscovery(nodes []*discNode, clock *mclock.Simulated, step time.Duration, lookups interface{ Wait() }) {
	stopped := make(chan struct{})
	go func() {
		for _, n := range nodes {
			n.stop()
		}
		lookups.Wait()
		close(stopped)
	}()
	for {
		select {
		case <-stopped:
			return
		case <-time.After(time.Millisecond):
			clock.Run(step)
		}
	}
}
