package sim

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// liveHost is one honest identity of a live run: a key, an address and a
// node database path that outlive its servers, so that it can restart.
type liveHost struct {
	key    *ecdsa.PrivateKey
	ip     netip.Addr
	boot   bool
	db     string // "" is in memory
	island bool   // on the cut-off side of a partition
	srv    *devp2p.Server
	// stopped is closed once the last server of the host has stopped; nil
	// while one runs or before the first start.
	stopped chan struct{}
}

// liveEvent is something the scenario does at a simulated time, between
// two clock steps, on the driver's goroutine.
type liveEvent struct {
	at mclock.AbsTime
	do func()
}

// liveNet is a running live simulation. Its fields are owned by RunLive's
// goroutine; servers stop on goroutines of their own (Stop waits for timers
// that only fire while the clock runs), tracked by stops.
type liveNet struct {
	cfg    LiveConfig
	clock  *mclock.Simulated
	fab    *Fabric
	rnd    *rand.Rand
	drv    driver
	dbDir  string
	used   map[netip.Addr]bool
	hosts  []*liveHost
	boot   []*enode.Node
	sybils []*sybilHost
	sybIDs map[enode.ID]bool
	events []liveEvent // sorted by time
	stops  sync.WaitGroup

	partitioned bool
	firstErr    error
}

func newLiveNet(cfg LiveConfig, dbDir string) *liveNet {
	clock := new(mclock.Simulated)
	fab := NewFabric(clock, cfg.Seed, 10*time.Millisecond, 100*time.Millisecond, cfg.Loss)
	return &liveNet{
		cfg: cfg, clock: clock, fab: fab, dbDir: dbDir,
		rnd:    rand.New(rand.NewPCG(uint64(cfg.Seed), 2)),
		drv:    driver{clock: clock, fab: fab, minStep: cfg.Step, maxStep: cfg.MaxStep, quiet: cfg.Quiet, maxWait: cfg.MaxWait},
		used:   make(map[netip.Addr]bool),
		sybIDs: make(map[enode.ID]bool),
	}
}

// startAll starts the bootnodes, then the other honest servers, then the
// Sybils.
func (n *liveNet) startAll(progress Progress) error {
	var rest []*liveHost
	for i := range n.cfg.Nodes {
		h, err := n.newHost(i < n.cfg.Bootnodes)
		if err != nil {
			return err
		}
		if !h.boot {
			rest = append(rest, h)
			continue
		}
		if err := n.start(h, n.boot); err != nil {
			return err
		}
		n.boot = append(n.boot, h.srv.Self())
	}
	if err := n.startMany(rest, n.boot, progress); err != nil {
		return err
	}
	return n.startSybils()
}

// startMany starts servers for the hosts, a few at a time: a Server's
// Start opens its node database and sockets, which takes real time more
// than CPU time.
func (n *liveNet) startMany(hosts []*liveHost, boot []*enode.Node, progress Progress) error {
	const parallel = 8
	errs := make([]error, len(hosts))
	sem := make(chan struct{}, parallel)
	var wg sync.WaitGroup
	for i, h := range hosts {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			errs[i] = n.startServer(h, boot)
		}()
		if progress != nil && i%100 == 0 {
			progress(0, n.cfg.Duration)
		}
	}
	wg.Wait()
	return errors.Join(errs...)
}

// newHost makes an honest identity at a fresh address in 20.0.0.0/8.
func (n *liveNet) newHost(boot bool) (*liveHost, error) {
	key, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	var ip netip.Addr
	for {
		ip = ipFromUint(uint32(20)<<24 | n.rnd.Uint32N(1<<24))
		if !n.used[ip] && ip.As4()[3] != 0 && ip.As4()[3] != 255 {
			break
		}
	}
	n.used[ip] = true
	h := &liveHost{key: key, ip: ip, boot: boot}
	if !boot && n.rnd.Float64() < n.cfg.Unreachable {
		n.fab.SetUnreachable(ip)
	}
	if n.dbDir != "" {
		h.db = filepath.Join(n.dbDir, strconv.Itoa(len(n.hosts)))
	}
	n.hosts = append(n.hosts, h)
	return h, nil
}

// start runs a server for h with the given bootnodes.
func (n *liveNet) start(h *liveHost, boot []*enode.Node) error {
	return n.startServer(h, boot)
}

// startServer runs a server for h; it touches only h and the fabric, so
// servers of different hosts may start at once.
func (n *liveNet) startServer(h *liveHost, boot []*enode.Node) error {
	srv := &devp2p.Server{Config: devp2p.Config{
		PrivateKey:     h.key,
		MaxPeers:       n.cfg.MaxPeers,
		ListenAddr:     net.JoinHostPort(h.ip.String(), "30303"),
		BootstrapNodes: boot,
		NodeDatabase:   h.db,
		Protocols:      []devp2p.Protocol{idleProtocol},
		Listen:         n.fab.Listen,
		ListenUDP:      n.fab.ListenUDP,
		Dialer:         n.fab.Dialer(h.ip),
		Clock:          n.clock,
		Logger:         n.cfg.Logger,
	}}
	if err := srv.Start(); err != nil {
		return fmt.Errorf("sim: start server at %v: %w", h.ip, err)
	}
	h.srv = srv
	h.stopped = nil
	return nil
}

// stop stops h's server on a goroutine of its own; h.stopped closes when
// it is done.
func (n *liveNet) stop(h *liveHost) {
	srv, done := h.srv, make(chan struct{})
	h.srv, h.stopped = nil, done
	n.stops.Add(1)
	go func() {
		defer n.stops.Done()
		srv.Stop()
		close(done)
	}()
}

// fail records the first error of a scenario event; RunLive returns it.
func (n *liveNet) fail(err error) {
	if n.firstErr == nil {
		n.firstErr = err
	}
}

func (n *liveNet) err() error { return n.firstErr }

// at schedules f at simulated time t.
func (n *liveNet) at(t time.Duration, f func()) {
	ev := liveEvent{at: mclock.AbsTime(t), do: f}
	i, _ := slices.BinarySearchFunc(n.events, ev.at, func(e liveEvent, t mclock.AbsTime) int {
		if e.at <= t { // after the events already at t: equal times keep their order
			return -1
		}
		return 1
	})
	n.events = slices.Insert(n.events, i, ev)
}

// runUntil advances the clock to end, running the events due on the way.
func (n *liveNet) runUntil(ctx context.Context, end mclock.AbsTime) error {
	for {
		for len(n.events) > 0 && n.events[0].at <= n.clock.Now() {
			ev := n.events[0]
			n.events = n.events[1:]
			ev.do()
		}
		if n.clock.Now() >= end {
			return nil
		}
		next := end
		if len(n.events) > 0 && n.events[0].at < next {
			next = n.events[0].at
		}
		if err := n.drv.advanceTo(ctx, next); err != nil {
			return err
		}
	}
}

// shutdown stops every server and Sybil while the clock still runs, so
// that timers they wait on in Stop (replies, backoffs) can fire.
func (n *liveNet) shutdown() {
	for _, h := range n.hosts {
		if h.srv != nil {
			n.stop(h)
		}
	}
	for _, s := range n.sybils {
		n.stops.Add(1)
		go func() {
			defer n.stops.Done()
			s.close()
		}()
	}
	all := make(chan struct{})
	go func() {
		n.stops.Wait()
		close(all)
	}()
	for {
		select {
		case <-all:
			return
		case <-time.After(time.Millisecond):
			n.clock.Run(n.cfg.Step)
		}
	}
}

// online returns the honest hosts whose server runs.
func (n *liveNet) online() []*liveHost {
	var hs []*liveHost
	for _, h := range n.hosts {
		if h.srv != nil {
			hs = append(hs, h)
		}
	}
	return hs
}
