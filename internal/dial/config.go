package dial

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
)

// Defaults for the Config knobs. The first three are go-ethereum's values
// (p2p/server.go and p2p/dial.go), kept because every node on the network is
// tuned against them.
const (
	// DefaultMaxActiveDials is how many dials may run at once (go-ethereum:
	// defaultMaxPendingPeers/maxActiveDials = 16 dial tasks).
	DefaultMaxActiveDials = 16

	// DefaultDialTimeout bounds one TCP connection attempt (go-ethereum:
	// defaultDialTimeout = 15 s). The RLPx handshake after it has its own
	// 5 s deadline inside the SetupFunc.
	DefaultDialTimeout = 15 * time.Second

	// DefaultHistoryExpiration is how long a dialed node is not dialed again
	// (go-ethereum: dialHistoryExpiration = inboundThrottleTime + 5 s = 35 s).
	// It is a little longer than the remote side's 30 s inbound throttle, so a
	// redial is never refused by that throttle.
	DefaultHistoryExpiration = 35 * time.Second

	// DefaultPeerlessDelay is how long the node may have no peer at all before
	// it dials its bootnodes and calls OnPeerless. Ten seconds is long enough
	// for warm-restart peers and discovery candidates to answer on a healthy
	// network, short enough that an outage heals without an operator.
	DefaultPeerlessDelay = 10 * time.Second

	// DefaultGoodSession is how long a session must last for the peer to be
	// remembered as good (PeerMemory.UpdatePeerSuccess) and for its failure
	// record to be cleared, whatever ended it. Five minutes is well past the
	// point where the eth handshake and the first exchanges have succeeded.
	DefaultGoodSession = 5 * time.Minute
)

// Flags describe how a connection came to be. The Server passes them to
// PeerAdded and PeerRemoved and receives them in SetupFunc.
type Flags uint8

const (
	// DynDialed marks a connection the scheduler dialed to fill a dynamic slot.
	DynDialed Flags = 1 << iota
	// StaticDialed marks a connection the scheduler dialed to a static node.
	StaticDialed
	// Trusted marks a trusted node: it may exceed every peer limit.
	Trusted
	// Inbound marks a connection the remote side opened.
	Inbound
)

// outbound reports whether the connection was dialed by this scheduler.
func (f Flags) outbound() bool { return f&(DynDialed|StaticDialed) != 0 && f&Inbound == 0 }

func (f Flags) String() string {
	s := ""
	for _, x := range []struct {
		f    Flags
		name string
	}{{DynDialed, "dyndial"}, {StaticDialed, "staticdial"}, {Trusted, "trusted"}, {Inbound, "inbound"}} {
		if f&x.f != 0 {
			if s != "" {
				s += "|"
			}
			s += x.name
		}
	}
	if s == "" {
		return "-"
	}
	return s
}

// NodeDialer opens a connection to a node. Dial must return when ctx is
// cancelled: the scheduler cancels it when the dial timeout passes and when
// it stops.
type NodeDialer interface {
	Dial(ctx context.Context, n *enode.Node) (net.Conn, error)
}

// Resolver finds the current record of a node, usually through a discovery
// lookup. It returns nil when the node cannot be found. Resolve should bound
// its own running time; the scheduler runs it inside a dial task, whose
// context ends when the dial is cancelled (Stop, RemoveStatic).
type Resolver interface {
	Resolve(ctx context.Context, n *enode.Node) *enode.Node
}

// PeerMemory remembers good peers across restarts. nodedb.DB implements it.
type PeerMemory interface {
	// GoodPeers returns up to n peers that had good sessions, most recent first.
	GoodPeers(n int) []*enode.Node
	// UpdatePeerSuccess records that a session with n began or ended well
	// at t. It should be durable soon after, as a crash must not lose it.
	UpdatePeerSuccess(n *enode.Node, t time.Time) error
	// ForgetPeerSuccess removes id from the good peers.
	ForgetPeerSuccess(id enode.ID) error
}

// SetupFunc runs the RLPx and Hello handshakes on a freshly dialed conn. It
// owns fd (it must close it when it fails) and returns once the peer was added
// or refused. The Server must call PeerAdded before SetupFunc returns nil
// (as go-ethereum does); if it does not, the scheduler counts the peer as
// connected from the moment SetupFunc returns. Its error is classified with
// Classify.
type SetupFunc func(fd net.Conn, flags Flags, dest *enode.Node) error

// Config holds the scheduler's settings. The zero value of each knob selects
// the default named in its comment. New copies the Config; changing it later
// has no effect.
type Config struct {
	// Self is the local node's ID. The scheduler never dials it.
	Self enode.ID

	// MaxDialPeers is the number of outbound peers the scheduler tries to
	// keep by dialing discovery candidates ("dynamic slots"). The Server sets
	// it to MaxPeers / DialRatio. Outbound static peers count against it too,
	// but static nodes are dialed whatever it says; inbound peers (trusted or
	// not) never count. Zero means no dynamic dials at all.
	MaxDialPeers int

	// MaxActiveDials caps the dials running at once, static and dynamic
	// together. Default DefaultMaxActiveDials (16).
	MaxActiveDials int

	// DialTimeout bounds each TCP connection attempt; a dial that hangs is
	// cancelled after it. Default DefaultDialTimeout (15 s).
	DialTimeout time.Duration

	// HistoryExpiration is how long after a dial the same node is not dialed
	// again, whatever the outcome. Default DefaultHistoryExpiration (35 s).
	HistoryExpiration time.Duration

	// Families are the address families the node can dial (the Server
	// passes those its listener serves); 0 means both. A node whose record
	// has addresses of both families is dialed at the one in Families, and a
	// node with none in Families is skipped (SkipFamily).
	Families enode.Families

	// NetRestrict, when set, limits dials to nodes whose IP is in the list.
	NetRestrict *netutil.Netlist

	// LANExempt, when set, reports whether the subnet guards skip an
	// address (see guard.go). Default netutil.IsLAN: every LAN address. The
	// Server passes its Config.LANExempt rule, which exempts LAN addresses
	// only while our own address is a LAN address too.
	LANExempt func(netip.Addr) bool

	// Filter, when set, is the application's test for dynamic candidates
	// (for example "the ENR says the node is on my network"). It is applied
	// to discovery candidates and remembered peers before a slot is spent,
	// never to static nodes or bootnodes. It runs on the scheduler's
	// goroutine and must be quick and must not call the Scheduler.
	Filter func(*enode.Node) bool

	// Resolver, when set, is asked for a static node's current endpoint when
	// a dial to it fails (and before the first dial if the node has no
	// endpoint). Unsuccessful lookups back off from 60 s, doubling up to 1 h.
	Resolver Resolver

	// Dialer opens the connections. Default: TCP to the node's TCP endpoint.
	Dialer NodeDialer

	// Bootnodes are dialed when the node has had no peer at all for
	// PeerlessDelay, and again every minute while that lasts.
	Bootnodes []*enode.Node

	// PeerlessDelay is how long the node may be without any peer before the
	// fallback (bootnodes, OnPeerless) runs. Default DefaultPeerlessDelay (10 s).
	PeerlessDelay time.Duration

	// OnPeerless, when set, is called (on its own goroutine, never twice at
	// once) each time the peerless fallback runs. The Server uses it to
	// re-seed and refresh discovery instead of waiting for the next refresh.
	OnPeerless func()

	// DB, when set, remembers good peers: outbound sessions are recorded
	// with UpdatePeerSuccess when they begin and again when they end well,
	// lasted GoodSession, or run when the scheduler stops; one that ends
	// early with the peer to blame (breach, useless) is forgotten. On start
	// the most recent WarmPeers of them are dialed before any discovery
	// candidate.
	DB PeerMemory

	// WarmPeers is how many remembered peers are loaded from DB at start.
	// Default 2 × MaxDialPeers (at least 16), so that a few that moved away
	// do not leave slots to strangers.
	WarmPeers int

	// GoodSession is how long an outbound session must last to count as
	// good whatever ended it. Default DefaultGoodSession (5 min).
	GoodSession time.Duration

	// Clock drives every timer of the scheduler. Default mclock.System{}.
	Clock mclock.Clock

	// Logger receives the scheduler's logs (peer failures at Debug only).
	// Default slog.Default().
	Logger *slog.Logger

	// Trace, when set, is told every decision the scheduler makes (see
	// Event). It is called on the scheduler's goroutines, must be quick and
	// must not call the Scheduler. Tests and metrics use it.
	Trace func(Event)
}

// withDefaults returns a copy of c with defaults filled in. Zero and
// negative values select the default (negative MaxDialPeers means none).
func (c Config) withDefaults() Config {
	c.MaxDialPeers = max(c.MaxDialPeers, 0)
	if c.MaxActiveDials <= 0 {
		c.MaxActiveDials = DefaultMaxActiveDials
	}
	if c.DialTimeout <= 0 {
		c.DialTimeout = DefaultDialTimeout
	}
	if c.HistoryExpiration <= 0 {
		c.HistoryExpiration = DefaultHistoryExpiration
	}
	if c.PeerlessDelay <= 0 {
		c.PeerlessDelay = DefaultPeerlessDelay
	}
	if c.GoodSession <= 0 {
		c.GoodSession = DefaultGoodSession
	}
	if c.WarmPeers <= 0 {
		c.WarmPeers = max(2*c.MaxDialPeers, DefaultMaxActiveDials)
	}
	if c.Dialer == nil {
		c.Dialer = TCPDialer{}
	}
	if c.Clock == nil {
		c.Clock = mclock.System{}
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	c.Bootnodes = append([]*enode.Node(nil), c.Bootnodes...)
	return c
}

// errNoEndpoint is returned for nodes without a TCP endpoint.
var errNoEndpoint = errors.New("node has no TCP endpoint")

// TCPDialer is the default NodeDialer: plain TCP to the node's TCP endpoint.
type TCPDialer struct {
	net.Dialer
}

// Dial connects to n's TCP endpoint.
func (d TCPDialer) Dial(ctx context.Context, n *enode.Node) (net.Conn, error) {
	addr, ok := n.TCPEndpoint()
	if !ok {
		return nil, errNoEndpoint
	}
	return d.DialContext(ctx, "tcp", addr.String())
}
