package devp2p

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"log/slog"
	"net"

	"github.com/devp2p-go/devp2p/dnsdisc"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
)

// Defaults applied by Config.withDefaults: the values go-ethereum uses,
// which protect a node (docs/SECURITY.md).
const (
	// defaultMaxPendingPeers is how many inbound connections may be in the
	// RLPx/Hello handshakes at once.
	defaultMaxPendingPeers = 50
	// defaultDialRatio: at most MaxPeers/3 peers are dialed by us, the rest
	// are inbound, so that an attacker cannot fill every slot by dialing us
	// (docs/SECURITY.md, eclipse attacks).
	defaultDialRatio = 3
	// defaultName is the client name sent in Hello when Config.Name is empty.
	defaultName = "devp2p-go"
)

// Config holds the Server's options. Zero values mean "default" where a
// default exists. Start copies the Config; changing it afterwards has no
// effect on the running server. LoadConfig reads the serializable fields from
// a TOML or JSON file using the same field names.
type Config struct {
	// PrivateKey is the node key (required). Files hold it as 64 hex digits.
	PrivateKey *ecdsa.PrivateKey

	// MaxPeers is the maximum number of connected peers (required, > 0).
	// Trusted peers are not counted against it.
	MaxPeers int

	// MaxPendingPeers is the maximum number of inbound connections in
	// handshake at once. Default 50.
	MaxPendingPeers int

	// DialRatio limits the dialed peers to MaxPeers/DialRatio; the rest of
	// the slots are for inbound peers. Default 3.
	DialRatio int

	// NoDiscovery disables the discovery protocols. Otherwise a listening
	// server runs discv4 on UDP at the IP and port number of its TCP
	// listener (with port 0, the port the listener got), announces the port
	// in its record's "udp" entry, and dials the nodes that discovery finds
	// (mixed fairly with DialCandidates and the protocols' candidates). If
	// that UDP port cannot be bound, Start fails. A server without
	// ListenAddr runs no discovery. Without discovery the record has "ip"
	// and "tcp" but no "udp", and peers come from StaticNodes,
	// DialCandidates, the protocols' DialCandidates and inbound connections.
	NoDiscovery bool

	// DiscoveryV5 enables the discv5 protocol beside discv4.
	DiscoveryV5 bool

	// Name is the client name sent in Hello. Default "devp2p-go".
	Name string

	// BootstrapNodes seed the discv4 table (with the live nodes of the node
	// database) and are put back into it when the server has had no peer
	// for a while; the dialer then also dials them over TCP. They need a
	// UDP endpoint to be useful for discovery.
	BootstrapNodes []*enode.Node

	// BootstrapNodesV5 seed discv5.
	BootstrapNodesV5 []*enode.Node

	// StaticNodes are always kept connected (dialed again after a drop).
	StaticNodes []*enode.Node

	// TrustedNodes may connect beyond the peer limits.
	TrustedNodes []*enode.Node

	// NetRestrict, if set, limits connections (accepted and dialed, and
	// the nodes discovery relays) to these networks. Connections handed to
	// SetupConn are the caller's choice and are not checked.
	NetRestrict *netutil.Netlist

	// NodeDatabase is the path of the node database; empty means in memory.
	NodeDatabase string

	// Protocols are the sub-protocols the server runs with its peers.
	Protocols []Protocol `toml:"-" json:"-"`

	// ListenAddr is the TCP address to accept connections on, e.g.
	// ":30303" or "127.0.0.1:0" (port 0 picks a free port; Server.ListenAddr
	// reports it). Empty means not listening.
	ListenAddr string

	// Gate, if set, is asked at each stage of a connection's setup whether
	// it may go on, in addition to the server's own limits (see Gate).
	Gate Gate `toml:"-" json:"-"`

	// NAT, if set, maps the listening port on the gateway and provides the
	// external IP for our record.
	NAT NAT `toml:"-" json:"-"`

	// Dialer, if set, opens outbound connections instead of a TCP dialer.
	Dialer NodeDialer `toml:"-" json:"-"`

	// NoDial disables outbound connections: the server only accepts.
	NoDial bool

	// EnableMsgEvents makes the server report every protocol message sent or
	// received to SubscribeEvents subscribers.
	EnableMsgEvents bool

	// DialCandidates are extra sources of nodes to dial, mixed fairly with
	// discovery's and the protocols' candidates.
	DialCandidates []enode.Iterator `toml:"-" json:"-"`

	// Logger receives the server's logs. Default slog.Default().
	Logger *slog.Logger `toml:"-" json:"-"`

	// Clock drives the server's timers (pings, throttling, dial history).
	// Default the system clock; tests use *mclock.Simulated.
	Clock mclock.Clock `toml:"-" json:"-"`

	// Bounded decoding of received messages (inbound.go). InboundBudget
	// bounds the decoded message bytes held at once by all sessions
	// (default DefaultInboundBudget); a reader waits while it is spent. It
	// must hold the largest MaxMessageSize of Protocols. PeerInboundRate
	// bounds the decoded bytes per second one peer may send on average
	// (default DefaultPeerInboundRate; negative: no limit); a peer that
	// sends more is dropped.
	InboundBudget   int64
	PeerInboundRate int64

	// Diversity limits (docs/SECURITY.md, "Eclipse attacks").

	// LANExempt says whether LAN and loopback sources skip the per-IP and
	// per-subnet limits: the inbound throttle, the pending-handshake and
	// inbound-peer caps, the dialer's subnet spread and the discovery
	// table's subnet limits. The default, "auto", exempts them only while
	// our own address is a LAN address too (a devnet, a node behind NAT
	// before it learned its public address); a node with a public address
	// treats its LAN neighbours like everyone else. "always" keeps the
	// exemption on a public node that also serves a trusted private
	// network; "never" applies the limits on private networks too.
	LANExempt netutil.LANExemption

	// DNS discovery (EIP-1459; dns_discovery.go).

	// DNSDiscovery lists the enrtree:// URLs of signed node lists published
	// in DNS. Their nodes are dial candidates, mixed fairly with the other
	// sources and counted as "dns" in DialStats.Sources; it works with
	// NoDiscovery too. Empty means none.
	DNSDiscovery []string
	// DNSResolver, if set, answers DNSDiscovery's TXT queries instead of
	// the system's resolver: a *net.Resolver whose Dial reaches a private
	// DNS server, or a test's resolver.
	DNSResolver dnsdisc.Resolver `toml:"-" json:"-"`

	// Metrics, if set, receives the server's Prometheus metrics (devp2p_*,
	// listed in metrics.go and the README): Start registers them, Stop
	// removes them. Nil means no metrics, at no cost. The library never
	// uses the global registry; Go and process collectors are the
	// application's to add.
	Metrics prometheus.Registerer `toml:"-" json:"-"`

	// Transport hooks (transport_hooks.go) for in-process networks such as
	// package sim. Nil means the operating system's TCP and UDP sockets.
	Listen    ListenFunc    `toml:"-" json:"-"` // opens the stream listener at ListenAddr
	ListenUDP ListenUDPFunc `toml:"-" json:"-"` // opens discovery's socket
}

// NodeDialer opens connections to nodes. It has the method set of the dial
// scheduler's dialer, so one is passed through as is.
type NodeDialer interface {
	Dial(ctx context.Context, n *enode.Node) (net.Conn, error)
}

// withDefaults returns a copy of c with defaults filled in.
func (c Config) withDefaults() Config {
	if c.MaxPendingPeers == 0 {
		c.MaxPendingPeers = defaultMaxPendingPeers
	}
	if c.DialRatio == 0 {
		c.DialRatio = defaultDialRatio
	}
	if c.Name == "" {
		c.Name = defaultName
	}
	if c.Logger == nil {
		c.Logger = slog.Default()
	}
	if c.Clock == nil {
		c.Clock = mclock.System{}
	}
	if c.InboundBudget == 0 {
		c.InboundBudget = DefaultInboundBudget
	}
	if c.PeerInboundRate == 0 {
		c.PeerInboundRate = DefaultPeerInboundRate
	}
	return c
}

// Config errors callers may branch on.
var (
	ErrNoPrivateKey = errors.New("devp2p: Config.PrivateKey is required")
	ErrNoMaxPeers   = errors.New("devp2p: Config.MaxPeers must be > 0")
)

// validate checks a config that went through withDefaults.
func (c *Config) validate() error {
	if c.PrivateKey == nil {
		return ErrNoPrivateKey
	}
	if c.MaxPeers <= 0 {
		return ErrNoMaxPeers
	}
	if c.MaxPendingPeers < 0 {
		return fmt.Errorf("devp2p: Config.MaxPendingPeers must be ≥ 0, got %d", c.MaxPendingPeers)
	}
	if c.DialRatio < 0 {
		return fmt.Errorf("devp2p: Config.DialRatio must be ≥ 0, got %d", c.DialRatio)
	}
	if c.ListenAddr != "" {
		if _, _, err := net.SplitHostPort(c.ListenAddr); err != nil {
			return fmt.Errorf("devp2p: invalid Config.ListenAddr %q: %v", c.ListenAddr, err)
		}
	}
	seen := make(map[Cap]bool)
	for i, p := range c.Protocols {
		switch {
		case p.Name == "":
			return fmt.Errorf("devp2p: Config.Protocols[%d] has no name", i)
		case len(p.Name) > maxCapNameSize:
			return fmt.Errorf("devp2p: protocol name %q is longer than %d bytes", p.Name, maxCapNameSize)
		case p.Length == 0:
			return fmt.Errorf("devp2p: protocol %s has Length 0", p.cap())
		case p.Run == nil:
			return fmt.Errorf("devp2p: protocol %s has no Run function", p.cap())
		case seen[p.cap()]:
			return fmt.Errorf("devp2p: protocol %s is listed twice", p.cap())
		case p.MaxMessageSize > MaxMessageSizeLimit:
			return fmt.Errorf("devp2p: protocol %s has MaxMessageSize %d, at most %d", p.cap(), p.MaxMessageSize, MaxMessageSizeLimit)
		case c.InboundBudget < int64(p.maxMessageSize()):
			return fmt.Errorf("devp2p: Config.InboundBudget %d is below protocol %s's MaxMessageSize %d", c.InboundBudget, p.cap(), p.maxMessageSize())
		}
		seen[p.cap()] = true
	}
	if len(c.Protocols) > maxHelloCaps {
		return fmt.Errorf("devp2p: %d protocols, at most %d fit in Hello", len(c.Protocols), maxHelloCaps)
	}
	if err := c.validateDNS(); err != nil {
		return err
	}
	for _, list := range [][]*enode.Node{c.BootstrapNodes, c.BootstrapNodesV5, c.StaticNodes, c.TrustedNodes} {
		for _, n := range list {
			if n == nil {
				return errors.New("devp2p: nil node in Config node list")
			}
		}
	}
	return nil
}

// maxDialedConns is the number of peers we may dial (dynamic and static).
func (c *Config) maxDialedConns() int {
	if c.NoDial || c.MaxPeers == 0 {
		return 0
	}
	limit := c.MaxPeers / c.DialRatio
	if limit == 0 {
		limit = 1
	}
	return limit
}

// maxInboundConns is the number of inbound peers we accept.
func (c *Config) maxInboundConns() int {
	return c.MaxPeers - c.maxDialedConns()
}
