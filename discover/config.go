package discover

import (
	"context"
	"log/slog"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
	"github.com/devp2p-go/devp2p/nodedb"
)

// Kademlia parameters (discv4.md and go-ethereum's values).
const (
	Alpha           = 3  // lookup concurrency (discv4.md "Recursive Lookup")
	BucketSize      = 16 // k: live entries per bucket (discv4.md "Kademlia Table")
	maxReplacements = 10 // replacement entries per bucket (go-ethereum's value)

	hashBits          = 256
	nBuckets          = hashBits / 15       // 17 buckets
	bucketMinDistance = hashBits - nBuckets // log distances ≤ 239 share bucket 0

	// IP limits against eclipse attacks (docs/SECURITY.md). The /24 limits
	// are go-ethereum's; the /16 (IPv6 /32) limits are ours: an attacker
	// renting one provider block has 256 /24s, enough to fill the whole
	// table past the /24 limits alone.
	bucketIPLimit   = 2  // per /24 (IPv6 /48) in one bucket
	tableIPLimit    = 10 // per /24 (IPv6 /48) in the whole table
	bucketWideLimit = 3  // per /16 (IPv6 /32) in one bucket
	tableWideLimit  = 20 // per /16 (IPv6 /32) in the whole table

	// Seeding from the node database (docs/SECURITY.md).
	seedCount  = 30
	seedMaxAge = 5 * 24 * time.Hour

	maxFindnodeFailures = 5 // drop a node after this many failed findnode calls in a row
)

// Defaults of the timing knobs in Config.
const (
	DefaultRefreshInterval = 30 * time.Minute // refresh lookups (go-ethereum's value)
	// New entries are pinged within this time of being added ("fast" list).
	DefaultNewNodeCheck = 10 * time.Second
	// Proven entries are pinged again after a random time between
	// ProvenNodeCheck/2 and ProvenNodeCheck. With a full table of 272 entries
	// this is about one ping per second, as in go-ethereum.
	DefaultProvenNodeCheck = 10 * time.Minute
	// How often the loop looks for due revalidations.
	revalidateTick = 500 * time.Millisecond
	// Revalidation pings in flight at once.
	maxRevalidations = 4
	// Minimum time between refreshes triggered by an empty table, so that a
	// node whose bootnodes are all down does not spin.
	minEmptyRefreshInterval = 10 * time.Second
)

// Transport is what the table needs from a protocol engine.
type Transport interface {
	// Self is the local node.
	Self() *enode.Node
	// Ping checks that n is alive and returns its ENR sequence number.
	// Like every call that waits on the network, it returns once ctx ends.
	Ping(ctx context.Context, n *enode.Node) (seq uint64, err error)
	// RequestENR fetches n's current record.
	RequestENR(ctx context.Context, n *enode.Node) (*enode.Node, error)
	// NewSelfLookup and NewRandomLookup create (without running) the lookups
	// of a table refresh: one for the local node's ID, one for a random target.
	NewSelfLookup(ctx context.Context) *Lookup
	NewRandomLookup(ctx context.Context) *Lookup
}

// TableConfig holds the settings of the Kademlia table. Config, v4.Config and
// v5.Config embed it, so that an engine hands it to its table whole. The zero
// value is usable.
type TableConfig struct {
	DB          *nodedb.DB       // optional: seeds on start, live nodes stored
	Bootnodes   []*enode.Node    // added on start and whenever the table runs empty
	NetRestrict *netutil.Netlist // optional: only nodes in these networks are added
	// Families are the address families the engine's socket reaches (see
	// enode.AddrFamilies); 0 means both. A node enters the table with its
	// endpoint in these families, or not at all. discover/v4 and
	// discover/v5 set it from their socket, whatever the caller gave.
	Families enode.Families
	// LANExempt says whether LAN addresses skip the IP limits. The default
	// exempts them only while our own address is a LAN address too: a
	// node with a public address limits its LAN neighbours like everyone.
	LANExempt netutil.LANExemption

	RefreshInterval time.Duration // default DefaultRefreshInterval
	NewNodeCheck    time.Duration // default DefaultNewNodeCheck
	ProvenNodeCheck time.Duration // default DefaultProvenNodeCheck

	// LookupDone, if set, is told about every finished lookup (metrics).
	LookupDone LookupObserver
}

// Config holds the table's settings. The zero value is usable.
type Config struct {
	TableConfig

	Clock  mclock.Clock // default mclock.System{}
	Logger *slog.Logger // default slog.Default()
}

func (cfg Config) withDefaults() Config {
	if cfg.RefreshInterval <= 0 {
		cfg.RefreshInterval = DefaultRefreshInterval
	}
	if cfg.NewNodeCheck <= 0 {
		cfg.NewNodeCheck = DefaultNewNodeCheck
	}
	if cfg.ProvenNodeCheck <= 0 {
		cfg.ProvenNodeCheck = DefaultProvenNodeCheck
	}
	if cfg.Clock == nil {
		cfg.Clock = mclock.System{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	return cfg
}
