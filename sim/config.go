package sim

import (
	"errors"
	"fmt"
	"net/netip"
	"time"
)

// Config describes one simulated discovery network (the deterministic
// model, see doc.go). Zero values mean the defaults of DefaultConfig.
type Config struct {
	Nodes int   // honest nodes, bootnodes included (required, ≥ 2)
	Seed  int64 // seeds every random choice: equal seeds give equal runs

	Bootnodes  int           // the first Bootnodes nodes are bootnodes; default 1
	JoinSpread time.Duration // nodes start at random times within this window; default 1 min
	Duration   time.Duration // simulated time to run; default 10 min
	Sample     time.Duration // time between two rows of measures; default 10 s

	// Subnets are the address blocks honest nodes get their public IPv4
	// addresses from (uniformly over the blocks, then over the block).
	Subnets []netip.Prefix

	LatencyMin, LatencyMax time.Duration // one-way latency of a link, fixed per pair; default 10–150 ms
	Loss                   float64       // probability that a datagram is lost; default 0.01

	// Unreachable is the share of honest nodes behind a NAT that drops
	// inbound datagrams unless the node sent to that address within
	// NATWindow (default 30 s), and refuses inbound connections.
	Unreachable float64
	NATWindow   time.Duration

	MaxPeers int // peer slots per node, a third of them dialed; default 25
	PeersK   int // the "nodes with ≥ k peers" measure; default 3

	Limits TableLimits

	Lookups int // lookups started for the success measure per sample; default 16

	Churn     Churn
	Partition Partition
	Sybil     Sybil
	Restart   Restart
}

// TableLimits are the anti-eclipse limits of the modelled Kademlia table
// and dialer. The defaults are those of package discover and the Server's
// dial scheduler: at most 2 addresses per /24 and 3 per /16 in a bucket,
// 10 per /24 and 20 per /16 in the table, and at most 2 peers or dynamic
// dials per /24 and 4 per /16.
type TableLimits struct {
	SubnetBits int // prefix length of a subnet; default 24
	PerBucket  int // default 2
	PerTable   int // default 10

	WideBits      int // prefix length of a provider block; default 16
	PerBucketWide int // default 3
	PerTableWide  int // default 20

	DialPerSubnet int // peers and dynamic dials per subnet; default 2
	DialPerWide   int // per provider block; default 4
}

// Churn makes nodes leave and join during the run. Rates are per honest
// node per hour; a node that leaves is gone for good, and joining nodes are
// new identities that bootstrap like the first ones.
type Churn struct {
	LeavePerHour float64
	JoinPerHour  float64
}

// Partition splits the network in two halves by address (the lower half of
// Subnets and the upper half) from At until Heal: no datagram or
// connection crosses, and existing peer connections across are cut.
type Partition struct {
	At, Heal time.Duration // Heal > At > 0 enables it
}

// Sybil adds attacker identities: Fraction of all nodes (0 ≤ Fraction < 1)
// are Sybils whose addresses come from Subnets /24 blocks (default 4).
// Sybils answer every FINDNODE with the Sybils closest to the target,
// answer pings, and accept every connection; they start with the honest
// nodes and know each other.
type Sybil struct {
	Fraction float64
	Subnets  int
}

// Restart stops Fraction of the honest nodes at At and starts them again
// Down later with an empty table, seeded from their node database (up to 30
// nodes seen within five days, as package discover does). With
// BootnodesDown the bootnodes stay down after At.
type Restart struct {
	At, Down      time.Duration // At > 0 enables it
	Fraction      float64
	BootnodesDown bool
}

// DefaultSubnets are the default address blocks: sixteen /16s in public
// IPv4 space.
var DefaultSubnets = func() []netip.Prefix {
	var ps []netip.Prefix
	for i := range 16 {
		ps = append(ps, netip.PrefixFrom(netip.AddrFrom4([4]byte{byte(20 + i*8), byte(10 + i), 0, 0}), 16))
	}
	return ps
}()

func (c Config) withDefaults() Config {
	def := func(v *time.Duration, d time.Duration) {
		if *v == 0 {
			*v = d
		}
	}
	if c.Bootnodes == 0 {
		c.Bootnodes = 1
	}
	def(&c.JoinSpread, time.Minute)
	def(&c.Duration, 10*time.Minute)
	def(&c.Sample, 10*time.Second)
	def(&c.LatencyMin, 10*time.Millisecond)
	def(&c.LatencyMax, 150*time.Millisecond)
	def(&c.NATWindow, 30*time.Second)
	if c.Subnets == nil {
		c.Subnets = DefaultSubnets
	}
	if c.Loss == 0 {
		c.Loss = 0.01
	}
	if c.MaxPeers == 0 {
		c.MaxPeers = 25
	}
	if c.PeersK == 0 {
		c.PeersK = 3
	}
	if c.Limits.SubnetBits == 0 {
		c.Limits.SubnetBits = 24
	}
	if c.Limits.PerBucket == 0 {
		c.Limits.PerBucket = 2
	}
	if c.Limits.PerTable == 0 {
		c.Limits.PerTable = 10
	}
	if c.Limits.WideBits == 0 {
		c.Limits.WideBits = 16
	}
	if c.Limits.PerBucketWide == 0 {
		c.Limits.PerBucketWide = 3
	}
	if c.Limits.PerTableWide == 0 {
		c.Limits.PerTableWide = 20
	}
	if c.Limits.DialPerSubnet == 0 {
		c.Limits.DialPerSubnet = 2
	}
	if c.Limits.DialPerWide == 0 {
		c.Limits.DialPerWide = 4
	}
	if c.Lookups == 0 {
		c.Lookups = 16
	}
	if c.Sybil.Fraction > 0 && c.Sybil.Subnets == 0 {
		c.Sybil.Subnets = 4
	}
	if c.Restart.At > 0 && c.Restart.Down == 0 {
		c.Restart.Down = time.Minute
	}
	if c.Restart.At > 0 && c.Restart.Fraction == 0 {
		c.Restart.Fraction = 1
	}
	return c
}

// maxModelNodes bounds a run's size so that a typo cannot exhaust memory.
const maxModelNodes = 1_000_000

var errNoNodes = errors.New("sim: Config.Nodes must be ≥ 2")

func (c *Config) validate() error {
	switch {
	case c.Nodes < 2:
		return errNoNodes
	case c.Nodes > maxModelNodes:
		return fmt.Errorf("sim: Config.Nodes %d is above the limit %d", c.Nodes, maxModelNodes)
	case c.Bootnodes < 1 || c.Bootnodes > c.Nodes:
		return fmt.Errorf("sim: Config.Bootnodes must be in 1..%d, got %d", c.Nodes, c.Bootnodes)
	case c.Duration < 0 || c.Sample <= 0 || c.JoinSpread < 0:
		return errors.New("sim: Duration, Sample and JoinSpread must not be negative")
	case c.Duration/c.Sample > 1_000_000:
		return errors.New("sim: more than a million samples; raise Config.Sample")
	case len(c.Subnets) == 0:
		return errors.New("sim: Config.Subnets is empty")
	case c.LatencyMin < 0 || c.LatencyMax < c.LatencyMin:
		return errors.New("sim: need 0 ≤ LatencyMin ≤ LatencyMax")
	case c.Loss < 0 || c.Loss >= 1:
		return fmt.Errorf("sim: Config.Loss must be in [0, 1), got %v", c.Loss)
	case c.Unreachable < 0 || c.Unreachable > 1:
		return fmt.Errorf("sim: Config.Unreachable must be in [0, 1], got %v", c.Unreachable)
	case c.MaxPeers < 3 || c.PeersK < 1:
		return errors.New("sim: need MaxPeers ≥ 3 and PeersK ≥ 1")
	case c.Limits.SubnetBits < 8 || c.Limits.SubnetBits > 32 || c.Limits.PerBucket < 1 || c.Limits.PerTable < 1,
		c.Limits.WideBits < 8 || c.Limits.WideBits > c.Limits.SubnetBits || c.Limits.PerBucketWide < 1 || c.Limits.PerTableWide < 1,
		c.Limits.DialPerSubnet < 1 || c.Limits.DialPerWide < 1:
		return errors.New("sim: invalid TableLimits")
	case c.Sybil.Fraction < 0 || c.Sybil.Fraction >= 1 || c.Sybil.Subnets < 0 || c.Sybil.Subnets > 65536:
		return errors.New("sim: Sybil.Fraction must be in [0, 1) and Sybil.Subnets in 0..65536")
	case c.Churn.LeavePerHour < 0 || c.Churn.JoinPerHour < 0:
		return errors.New("sim: churn rates must not be negative")
	case c.Partition.At < 0 || (c.Partition.At > 0 && c.Partition.Heal <= c.Partition.At):
		return errors.New("sim: need Partition.Heal > Partition.At")
	case c.Restart.Fraction < 0 || c.Restart.Fraction > 1 || c.Restart.Down < 0:
		return errors.New("sim: Restart.Fraction must be in [0, 1]")
	}
	for _, p := range c.Subnets {
		if !p.Addr().Is4() || p.Bits() > 30 {
			return fmt.Errorf("sim: subnet %v: need an IPv4 block of at least /30", p)
		}
	}
	return nil
}
