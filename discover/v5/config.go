package v5

import (
	"crypto/ecdsa"
	"errors"
	"log/slog"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/mclock"
)

// Protocol limits (go-ethereum's values; docs/SECURITY.md explains each).
const (
	respTimeout           = 700 * time.Millisecond // per response packet (V5RespTimeout)
	findnodeResultLimit   = 16                     // records per FINDNODE answer
	totalNodesRespLimit   = 5                      // NODES packets accepted per request
	nodesPacketSizeLimit  = 1000                   // record bytes per NODES packet
	maxFindnodeDistances  = 32                     // distances we look at per FINDNODE
	maxActiveTalkRequests = 1024                   // TALKREQ handlers running at once
	maxQueuedCalls        = 64                     // calls waiting per node
	minRelayPort          = 1024                   // records with lower UDP ports are refused
	// maxHandshakesPerCall: a second challenge for one call happens when both
	// sides start a handshake at once (the sessions cross); a third ends it.
	maxHandshakesPerCall = 2
	maxPacketSize        = 1280

	// Distances a lookup asks each node for, besides logdist(target, node)
	// (see lookupDistances). Below it, the buckets hold about half as many
	// nodes per step, so ten steps reach buckets that are empty even in
	// large networks; above it, the nodes are farther from the target than
	// the node asked and only fill an answer that has room left.
	lookupLowerDistances = 10
	lookupUpperDistances = 3
)

// UDPConn is the socket the engine runs on (*net.UDPConn, memnet.Conn).
type UDPConn = discover.UDPConn

// ReadPacket is a datagram read by another engine on a shared socket.
type ReadPacket = discover.ReadPacket

// Config holds the engine's settings.
type Config struct {
	PrivateKey *ecdsa.PrivateKey // required: the LocalNode's key

	// The table's settings; NetRestrict also limits whom the engine talks to.
	discover.TableConfig

	// Unhandled, when set, is where packets come from instead of reading
	// the socket: the socket is shared with discv4, which reads it and
	// hands over what it cannot decode. The channel is never closed by us.
	Unhandled <-chan ReadPacket

	ValidSchemes     enr.IdentityScheme // for records in NODES responses; default enode.ValidSchemes
	SessionCacheSize int                // default v5wire.DefaultSessionCacheSize

	Clock  mclock.Clock // default mclock.System{}
	Logger *slog.Logger // default slog.Default()

	// Admission limits incoming datagrams before session decryption
	// (admit.go). Admitter, when set, is used instead: on a shared socket,
	// pass discv4's, which has then admitted every datagram already.
	// Otherwise the engine makes its own from Admission.
	Admission discover.AdmitConfig
	Admitter  *discover.Admitter
}

func (cfg Config) withDefaults() (Config, error) {
	if cfg.PrivateKey == nil {
		return cfg, errors.New("discover/v5: Config.PrivateKey is required")
	}
	if cfg.ValidSchemes == nil {
		cfg.ValidSchemes = enode.ValidSchemes
	}
	if cfg.Clock == nil {
		cfg.Clock = mclock.System{}
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.Default()
	}
	if cfg.Admitter == nil {
		cfg.Admitter = discover.NewAdmitter(cfg.Admission, cfg.Clock)
	}
	return cfg, nil
}

// tableConfig is the configuration of the engine's table.
func (cfg Config) tableConfig() discover.Config {
	return discover.Config{TableConfig: cfg.TableConfig, Clock: cfg.Clock, Logger: cfg.Logger}
}
