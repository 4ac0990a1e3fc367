package devp2p

import (
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/devp2p-go/devp2p/mclock"
)

// peerMetrics count sessions and the verdicts of connection setup. They are
// updated by the run loop (add, drop) and by setups (verdicts), never per
// message.
type peerMetrics struct {
	added    *prometheus.CounterVec
	removed  *prometheus.CounterVec
	session  *prometheus.HistogramVec
	verdicts *prometheus.CounterVec
	setup    *prometheus.HistogramVec
}

// sessionBuckets span a refused-after-Hello session (about a second) to a
// week-long one.
var sessionBuckets = []float64{1, 10, 60, 5 * 60, 15 * 60, 3600, 3 * 3600, 12 * 3600, 24 * 3600, 3 * 24 * 3600, 7 * 24 * 3600}

// setupBuckets span a loopback setup (a few milliseconds) to the 5 s
// handshake timeout and beyond (the run loop's checks included).
var setupBuckets = prometheus.ExponentialBuckets(0.005, 2, 12) // 5 ms … 10 s

func newPeerMetrics() *peerMetrics {
	return &peerMetrics{
		added: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devp2p_peers_added_total",
			Help: "Peers that joined the peer set, by direction.",
		}, []string{"direction"}),
		removed: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devp2p_peers_removed_total",
			Help: "Peers that left the peer set, by direction, DiscReason and whether the remote asked for it.",
		}, []string{"direction", "reason", "remote"}),
		session: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "devp2p_peer_session_duration_seconds",
			Help:    "How long peer sessions lasted, by direction.",
			Buckets: sessionBuckets,
		}, []string{"direction"}),
		verdicts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devp2p_setup_verdicts_total",
			Help: "Decisions on connections in setup, by direction, stage (accept, secured, hello), verdict (allowed, refused) and DiscReason of a refusal. Allowed at hello means the peer was added.",
		}, []string{"direction", "stage", "verdict", "reason"}),
		setup: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "devp2p_setup_duration_seconds",
			Help:    "Time from the start of a connection's setup (after TCP) to the peer's addition or refusal, by direction and result (ok, failed).",
			Buckets: setupBuckets,
		}, []string{"direction", "result"}),
	}
}

func (pm *peerMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{pm.added, pm.removed, pm.session, pm.verdicts, pm.setup}
}

// peerAdded counts a peer that joined. Called by the run loop.
func (m *serverMetrics) peerAdded(p *Peer) {
	if m == nil {
		return
	}
	m.peers.added.WithLabelValues(directionLabel(p.Inbound())).Inc()
}

// peerDropped counts a peer that left and the length of its session.
// Called by the run loop.
func (m *serverMetrics) peerDropped(pd peerDrop, now mclock.AbsTime) {
	if m == nil {
		return
	}
	dir := directionLabel(pd.p.Inbound())
	remote := "false"
	if pd.remoteRequested {
		remote = "true"
	}
	// A session ended by a read or write error carries no reason; the peer
	// sends DiscNetworkError for it too (Peer.end).
	reason := reasonLabel(reasonOr(pd.err, DiscNetworkError))
	m.peers.removed.WithLabelValues(dir, reason, remote).Inc()
	m.peers.session.WithLabelValues(dir).Observe(now.Sub(pd.p.created).Seconds())
}

// verdict counts one verdict on a connection in setup (Server.sendVerdict).
func (m *serverMetrics) verdict(stage Stage, inbound bool, err error) {
	if m == nil {
		return
	}
	verdict, reason := "allowed", ""
	if err != nil {
		verdict, reason = "refused", reasonLabel(reasonOr(err, DiscNetworkError))
	}
	m.peers.verdicts.WithLabelValues(directionLabel(inbound), stage.String(), verdict, reason).Inc()
}

// setupDone records how long a setup took that started at start.
func (m *serverMetrics) setupDone(inbound bool, err error, took time.Duration) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "failed"
	}
	m.peers.setup.WithLabelValues(directionLabel(inbound), result).Observe(took.Seconds())
}
