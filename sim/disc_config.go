package sim

import (
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/netutil"
)

// DiscoveryConfig describes a discovery run: real discv4 engines (package
// discover/v4, nothing else of a Server) on a Fabric and a simulated clock.
// Zero values mean defaults.
type DiscoveryConfig struct {
	Nodes int   // required, 2..MaxDiscoveryNodes; bootnodes included
	Seed  int64 // seeds keys, addresses, join order, latencies, loss and lookup targets

	Bootnodes int // the first Bootnodes nodes; every other node starts with all of them; default 3
	// Ramp is the simulated time over which the other nodes start, evenly
	// spaced (bootnodes start at 0). Default: 5 ms per node, at least 10 s,
	// which keeps the bootnodes' admission limits (512 unproven datagrams a
	// second) from dropping the joins.
	Ramp     time.Duration
	Duration time.Duration // simulated; default Ramp + 2 min
	Sample   time.Duration // default 10 s

	// Subnets are the public IPv4 blocks addresses come from (a block at
	// random, then an address in it); default DefaultSubnets.
	Subnets                []netip.Prefix
	LatencyMin, LatencyMax time.Duration // one-way latency of a link, fixed per pair of hosts; default 10–100 ms
	Loss                   float64       // share of datagrams lost
	Unreachable            float64       // share of nodes (not bootnodes) behind a NAT

	// Lookups is how many lookups for random targets sampled nodes start at
	// each sample time; their outcome is in the next sample. Default 32.
	Lookups int
	// FillK is the table size behind the "share of nodes with ≥ FillK
	// entries" measure; default 16 (one full bucket's worth).
	FillK int

	// NoNodeDB runs the engines without a node database (endpoint proofs
	// then live in the engine's bounded map). By default every node has
	// its own in-memory nodedb, as a Server has.
	NoNodeDB bool

	// NewNodeCheck is the engines' discover.TableConfig.NewNodeCheck: new
	// table entries are pinged within this time. 0 keeps the engine's
	// default (10 s). Those pings and the ENR requests they lead to are
	// most of a bootstrap's datagrams; a longer value spreads them out.
	NewNodeCheck time.Duration

	// Step is how far the clock moves at a time, once the engines are idle
	// (disc_driver.go); MaxWait bounds the real time it waits for that.
	// Defaults 20 ms and 5 s.
	Step, MaxWait time.Duration

	Logger *slog.Logger // the engines' logger; default: discard
}

// MaxDiscoveryNodes bounds DiscoveryConfig.Nodes: every engine costs a few
// goroutines and tens of KiB.
const MaxDiscoveryNodes = 100_000

func (c DiscoveryConfig) withDefaults() DiscoveryConfig {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Bootnodes == 0 {
		c.Bootnodes = 3
	}
	def(&c.Ramp, max(10*time.Second, time.Duration(c.Nodes)*5*time.Millisecond))
	def(&c.Duration, c.Ramp+2*time.Minute)
	def(&c.Sample, 10*time.Second)
	def(&c.LatencyMin, 10*time.Millisecond)
	def(&c.LatencyMax, 100*time.Millisecond)
	def(&c.Step, 20*time.Millisecond)
	def(&c.MaxWait, 5*time.Second)
	if c.Subnets == nil {
		c.Subnets = DefaultSubnets
	}
	if c.Lookups == 0 {
		c.Lookups = 32
	}
	if c.FillK == 0 {
		c.FillK = discover.BucketSize
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return c
}

func (c *DiscoveryConfig) validate() error {
	switch {
	case c.Nodes < 2 || c.Nodes > MaxDiscoveryNodes:
		return fmt.Errorf("sim: DiscoveryConfig.Nodes must be in 2..%d, got %d", MaxDiscoveryNodes, c.Nodes)
	case c.Bootnodes < 1 || c.Bootnodes > c.Nodes:
		return fmt.Errorf("sim: DiscoveryConfig.Bootnodes must be in 1..%d, got %d", c.Nodes, c.Bootnodes)
	case c.Ramp < 0 || c.Duration < 0 || c.Sample <= 0:
		return errors.New("sim: DiscoveryConfig: Ramp and Duration must not be negative, Sample must be positive")
	case c.Duration/c.Sample > 100_000:
		return errors.New("sim: DiscoveryConfig: more than 100000 samples; raise Sample")
	case c.Step <= 0 || c.MaxWait <= 0:
		return errors.New("sim: DiscoveryConfig: need Step > 0 and MaxWait > 0")
	case c.LatencyMin < 0 || c.LatencyMax < c.LatencyMin:
		return errors.New("sim: DiscoveryConfig: need 0 ≤ LatencyMin ≤ LatencyMax")
	case c.Loss < 0 || c.Loss >= 1:
		return fmt.Errorf("sim: DiscoveryConfig.Loss must be in [0, 1), got %v", c.Loss)
	case c.Unreachable < 0 || c.Unreachable > 1:
		return fmt.Errorf("sim: DiscoveryConfig.Unreachable must be in [0, 1], got %v", c.Unreachable)
	case c.NewNodeCheck < 0:
		return errors.New("sim: DiscoveryConfig.NewNodeCheck must not be negative")
	case c.Lookups < 0 || c.FillK < 1:
		return errors.New("sim: DiscoveryConfig: need Lookups ≥ 0 and FillK ≥ 1")
	case len(c.Subnets) == 0:
		return errors.New("sim: DiscoveryConfig.Subnets is empty")
	}
	var room uint64
	for _, p := range c.Subnets {
		ip := p.Addr()
		if !p.IsValid() || !ip.Is4() || p.Bits() > 30 {
			return fmt.Errorf("sim: subnet %v: need an IPv4 block of at least /30", p)
		}
		// Discovery never relays LAN or special addresses to internet
		// hosts, so nodes there could not find each other.
		if netutil.IsLAN(ip) || netutil.IsSpecialNetwork(ip) || !ip.IsGlobalUnicast() {
			return fmt.Errorf("sim: subnet %v is not public unicast space", p)
		}
		room += 1<<(32-p.Bits()) - 2
	}
	// Addresses are drawn at random until an unused one turns up: keep the
	// blocks at most half full so that this ends quickly.
	if room < 2*uint64(c.Nodes) {
		return fmt.Errorf("sim: DiscoveryConfig.Subnets hold %d addresses, too few for %d nodes (want twice as many)", room, c.Nodes)
	}
	return nil
}
