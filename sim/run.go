package sim

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"
)

// Result is the outcome of a run: one Sample per Config.Sample interval
// and a summary.
type Result struct {
	Config  Config
	Samples []Sample
	Summary Summary
}

// Progress is called after each sample with the simulated time done and the
// total; nil means no progress reports.
type Progress func(done, total time.Duration)

// Run simulates the network described by cfg. It is deterministic: the
// same Config (Seed included) gives the same Result, so that a run can be
// repeated and compared. It returns early with ctx's error when ctx ends.
func Run(ctx context.Context, cfg Config, progress Progress) (*Result, error) {
	cfg = cfg.withDefaults()
	if err := cfg.validate(); err != nil {
		return nil, err
	}
	sizes, err := measurePacketSizes()
	if err != nil {
		return nil, err
	}
	m := &model{
		cfg:     cfg,
		rand:    rand.New(rand.NewPCG(uint64(cfg.Seed), 0x6465767032702d73)),
		sizes:   sizes,
		usedIPs: make(map[netip.Addr]bool),
	}
	if err := m.setup(); err != nil {
		return nil, err
	}
	res := &Result{Config: cfg}
	step := int64(cfg.Sample)
	for at := step; at <= int64(cfg.Duration); at += step {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		m.runUntil(at)
		res.Samples = append(res.Samples, m.sample())
		m.startMeasureLookups()
		if progress != nil {
			progress(time.Duration(at), cfg.Duration)
		}
	}
	res.Summary = summarize(cfg, res.Samples)
	return res, nil
}

// setup creates the nodes and schedules their start and the scenario's
// events.
func (m *model) setup() error {
	cfg := &m.cfg
	octets := make([]byte, 0, len(cfg.Subnets))
	for _, p := range cfg.Subnets {
		octets = append(octets, p.Addr().As4()[0])
	}
	slices.Sort(octets)
	m.splitOctet = octets[len(octets)/2]
	if m.splitOctet == octets[0] {
		m.splitOctet++ // one first octet only: the upper half is empty
	}
	capacity := 0.0
	for _, p := range cfg.Subnets {
		capacity += math.Ldexp(1, 32-p.Bits()) - 2
	}
	if float64(cfg.Nodes) > capacity/2 {
		return fmt.Errorf("sim: %d nodes do not fit in Subnets (%v addresses); add subnets", cfg.Nodes, capacity)
	}
	for i := range cfg.Nodes {
		n := m.newNode(m.randomIP(cfg.Subnets), false)
		nd := &m.nodes[n]
		if i < cfg.Bootnodes {
			nd.boot = true
			m.bootnodes = append(m.bootnodes, n)
		} else {
			nd.reachable = m.rand.Float64() >= cfg.Unreachable
		}
	}
	for _, b := range m.bootnodes {
		m.start(b)
	}
	for i := cfg.Bootnodes; i < cfg.Nodes; i++ {
		n := int32(i)
		m.after(m.rand.Int64N(int64(cfg.JoinSpread)+1), func() { m.start(n) })
	}
	if err := m.setupSybils(); err != nil {
		return err
	}
	m.setupChurn()
	if p := cfg.Partition; p.At > 0 {
		m.after(int64(p.At), func() { m.setPartition(true) })
		m.after(int64(p.Heal), func() { m.setPartition(false) })
	}
	if r := cfg.Restart; r.At > 0 {
		m.after(int64(r.At), m.restart)
	}
	return nil
}

func (m *model) setPartition(on bool) {
	m.partitioned = on
	if on {
		for i := range m.nodes {
			n := int32(i)
			m.dropPeers(n, func(p int32) bool { return m.crosses(n, p) })
		}
	}
}

// setupSybils creates the attacker's identities in Sybil.Subnets /24
// blocks. Each Sybil bonds with the bootnodes at start and with a random
// honest node every 30 s, which puts it into honest tables; its lies in
// NEIGHBORS do the rest.
func (m *model) setupSybils() error {
	s := m.cfg.Sybil
	if s.Fraction == 0 {
		return nil
	}
	count := int(math.Round(s.Fraction / (1 - s.Fraction) * float64(m.cfg.Nodes)))
	if count > s.Subnets*200 {
		return fmt.Errorf("sim: %d Sybils do not fit in %d /24 blocks; raise Sybil.Subnets", count, s.Subnets)
	}
	var blocks []netip.Prefix
	for i := range s.Subnets {
		blocks = append(blocks, netip.PrefixFrom(netip.AddrFrom4([4]byte{185, byte(200 + i/256), byte(i), 0}), 24))
	}
	honest := int32(len(m.nodes))
	for range count {
		n := m.newNode(m.randomIP(blocks), true)
		m.sybils = append(m.sybils, n)
		m.start(n)
		gen := m.nodes[n].gen
		for _, b := range m.bootnodes {
			m.after(m.rand.Int64N(int64(time.Second)), func() { m.ping(n, b, nil, nil) })
		}
		m.every(n, gen, int64(30*time.Second), m.rand.Int64N(int64(30*time.Second)), func(n int32) {
			t := m.rand.Int32N(honest)
			if m.nodes[t].online {
				m.ping(n, t, nil, nil)
			}
		})
	}
	return nil
}

// setupChurn schedules leaves and joins as Poisson processes.
func (m *model) setupChurn() {
	c := m.cfg.Churn
	hour := float64(time.Hour)
	if c.LeavePerHour > 0 {
		var leave func()
		leave = func() {
			if n, ok := m.randomHonest(false); ok {
				m.stop(n)
			}
			m.after(m.expDelay(c.LeavePerHour/hour*float64(m.countHonestOnline())), leave)
		}
		m.after(m.expDelay(c.LeavePerHour/hour*float64(m.cfg.Nodes)), leave)
	}
	if c.JoinPerHour > 0 {
		var join func()
		join = func() {
			n := m.newNode(m.randomIP(m.cfg.Subnets), false)
			m.nodes[n].reachable = m.rand.Float64() >= m.cfg.Unreachable
			m.start(n)
			m.after(m.expDelay(c.JoinPerHour/hour*float64(m.countHonestOnline())), join)
		}
		m.after(m.expDelay(c.JoinPerHour/hour*float64(m.cfg.Nodes)), join)
	}
}

// expDelay draws the time to the next event of a Poisson process with the
// given rate per nanosecond.
func (m *model) expDelay(rate float64) int64 {
	if rate <= 0 {
		return int64(time.Hour)
	}
	return int64(m.rand.ExpFloat64() / rate)
}

// randomHonest picks an online honest node; bootnodes only when boot.
func (m *model) randomHonest(boot bool) (int32, bool) {
	for range 64 {
		n := m.rand.Int32N(int32(len(m.nodes)))
		nd := &m.nodes[n]
		if nd.online && !nd.sybil && (boot || !nd.boot) {
			return n, true
		}
	}
	return 0, false
}

func (m *model) countHonestOnline() int {
	c := 0
	for i := range m.nodes {
		if m.nodes[i].online && !m.nodes[i].sybil {
			c++
		}
	}
	return c
}

// restart stops a share of the honest nodes and starts them again after
// Restart.Down with only their node database.
func (m *model) restart() {
	r := m.cfg.Restart
	var down []int32
	for i := range m.nodes {
		nd := &m.nodes[i]
		if !nd.online || nd.sybil {
			continue
		}
		if nd.boot {
			if r.BootnodesDown {
				m.stop(int32(i))
			}
			continue
		}
		if m.rand.Float64() < r.Fraction {
			down = append(down, int32(i))
			m.stop(int32(i))
		}
	}
	if r.BootnodesDown {
		m.bootnodes = nil // restarted nodes have only their database
	}
	for _, n := range down {
		m.after(int64(r.Down)+m.rand.Int64N(int64(10*time.Second)), func() { m.start(n) })
	}
}
