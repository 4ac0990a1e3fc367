package v4

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

// Protocol timing and limits (discv4.md and go-ethereum's values;
// docs/SECURITY.md explains each).
const (
	respTimeout    = 500 * time.Millisecond // wait for a reply (go-ethereum's value)
	expiration     = 20 * time.Second       // expiration stamped on every packet
	bondExpiration = 24 * time.Hour         // an endpoint proof (pong) is valid this long

	// maxPending bounds the reply matchers waiting at once. Our own requests
	// (lookups, revalidation) need far fewer; the bound stops a flood of
	// pings from unknown keys from growing the list through our ping-backs,
	// which may use only half of it.
	maxPending = 2048

	// replayWindow is how long a packet hash is remembered to limit replays;
	// a replay older than this has expired anyway.
	replayWindow    = expiration + 2*time.Second
	maxReplayHashes = 4096
	// maxReplayAnswers is how many times one packet (the same bytes) is
	// handled within replayWindow. Honest senders that sign deterministically
	// repeat a request made twice in the same second (replay.go); a loop of
	// copies is cut after this many.
	maxReplayAnswers = 4

	// maxBonds bounds the in-memory endpoint-proof store used without a
	// node database.
	maxBonds = 8192

	// Wire version sent in pings (discv4.md).
	pingVersion = 4

	// maxPacketSize is the largest datagram we read (discv4.md).
	maxPacketSize = 1280
)

// UDPConn is the socket the engine runs on (*net.UDPConn, memnet.Conn).
type UDPConn = discover.UDPConn

// ReadPacket is a datagram the engine could not decode, handed to
// Config.Unhandled (so that discv5 can share the socket).
type ReadPacket = discover.ReadPacket

// Config holds the engine's settings.
type Config struct {
	PrivateKey *ecdsa.PrivateKey // required: the key of the LocalNode

	// The table's settings. DB, when set, also stores endpoint proofs;
	// NetRestrict also limits whom the engine talks to.
	discover.TableConfig

	Unhandled chan<- ReadPacket // optional: undecodable packets go here (never blocks)

	ValidSchemes enr.IdentityScheme // for records in ENR responses; default enode.ValidSchemes

	// Clock drives reply timeouts and the table; its Wall time stamps and
	// checks packet expirations and endpoint proofs. Default mclock.System{}.
	Clock  mclock.Clock
	Logger *slog.Logger // default slog.Default()

	// Admission limits incoming datagrams before signature recovery and
	// bounds our replies to sources without an endpoint proof (admit.go).
	// Admitter, when set, is used instead (one shared with discv5 on the
	// same socket); otherwise the engine makes its own from Admission.
	Admission discover.AdmitConfig
	Admitter  *discover.Admitter
}

func (cfg Config) withDefaults() (Config, error) {
	if cfg.PrivateKey == nil {
		return cfg, errors.New("discover/v4: Config.PrivateKey is required")
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
