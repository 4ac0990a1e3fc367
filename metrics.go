package devp2p

import (
	"errors"
	"fmt"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics. With Config.Metrics set, Start registers the server's metrics on
// that Registerer and Stop unregisters them; without it the server keeps no
// metrics and pays one nil check at each hook. Names follow the Prometheus
// conventions: the devp2p_ prefix, _total for counters, seconds and bytes.
// Every label takes its values from a fixed set (directions, stages, our own
// protocol names and codes, DiscReasons, failure classes, packet types), so
// no remote input can add series: anything unknown counts as "other".
//
// The files: metrics.go (this one: the set and its lifecycle),
// metrics_peers.go (sessions and setup verdicts), metrics_traffic.go
// (messages by protocol and code), metrics_dial.go (dial attempts by
// candidate source), metrics_scrape.go (values read when scraped: peer
// counts, dial and discovery state, NAT).

// serverMetrics is the metric set of one Server. A nil *serverMetrics is a
// server without metrics: every method returns at once.
type serverMetrics struct {
	reg        prometheus.Registerer
	collectors []prometheus.Collector // registered by register, removed by unregister

	peers   *peerMetrics
	traffic *trafficMetrics
	dials   *dialMetrics
	scrape  *scrapeCollector
	lookups [2]*lookupMetrics // discv4, discv5
}

// newServerMetrics builds the metric set of srv for cfg (after withDefaults),
// or returns nil when cfg.Metrics is nil.
func newServerMetrics(srv *Server, cfg *Config) *serverMetrics {
	if cfg.Metrics == nil {
		return nil
	}
	m := &serverMetrics{
		reg:     cfg.Metrics,
		peers:   newPeerMetrics(),
		traffic: newTrafficMetrics(cfg.Protocols),
		dials:   newDialMetrics(),
		scrape:  newScrapeCollector(srv),
	}
	lk := newLookupMetricVecs()
	m.lookups = [2]*lookupMetrics{lk.version("v4"), lk.version("v5")}
	m.collectors = append(m.collectors, m.peers.collectors()...)
	m.collectors = append(m.collectors, m.traffic.collectors()...)
	m.collectors = append(m.collectors, m.dials.collectors()...)
	m.collectors = append(m.collectors, lk.collectors()...)
	m.collectors = append(m.collectors, m.scrape)
	return m
}

// register adds the set to the Registerer. On failure nothing stays
// registered: a second Server on the same registry must use its own
// (prometheus.WrapRegistererWith gives each one its labels).
func (m *serverMetrics) register() error {
	if m == nil {
		return nil
	}
	for i, c := range m.collectors {
		if err := m.reg.Register(c); err != nil {
			for _, done := range m.collectors[:i] {
				m.reg.Unregister(done)
			}
			var are prometheus.AlreadyRegisteredError
			if errors.As(err, &are) {
				return fmt.Errorf("devp2p: Config.Metrics: %w (does another Server use this registry? give each its own, e.g. with prometheus.WrapRegistererWith)", err)
			}
			return fmt.Errorf("devp2p: Config.Metrics: %w", err)
		}
	}
	return nil
}

// unregister removes the set from the Registerer, so that the registry can
// serve a new Server after Stop.
func (m *serverMetrics) unregister() {
	if m == nil {
		return
	}
	for _, c := range m.collectors {
		m.reg.Unregister(c)
	}
}

// Label values shared by several metrics.
const (
	labelInbound  = "inbound"
	labelOutbound = "outbound"
	labelOther    = "other"
)

func directionLabel(inbound bool) string {
	if inbound {
		return labelInbound
	}
	return labelOutbound
}

// reasonLabels are the DiscReasons as label values; reasons outside the
// spec's list (a peer may send any byte) are "other".
var reasonLabels = [...]string{
	DiscRequested:           "requested",
	DiscNetworkError:        "network_error",
	DiscProtocolError:       "protocol_error",
	DiscUselessPeer:         "useless_peer",
	DiscTooManyPeers:        "too_many_peers",
	DiscAlreadyConnected:    "already_connected",
	DiscIncompatibleVersion: "incompatible_version",
	DiscInvalidIdentity:     "invalid_identity",
	DiscQuitting:            "quitting",
	DiscUnexpectedIdentity:  "unexpected_identity",
	DiscSelf:                "self",
	DiscReadTimeout:         "read_timeout",
	DiscSubprotocolError:    "subprotocol_error",
}

func reasonLabel(r DiscReason) string {
	if int(r) < len(reasonLabels) && reasonLabels[r] != "" {
		return reasonLabels[r]
	}
	return labelOther
}
