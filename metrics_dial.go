package devp2p

import (
	"github.com/prometheus/client_golang/prometheus"

	"github.com/devp2p-go/devp2p/internal/dial"
)

// dialMetrics count the dial scheduler's decisions (dial.Config.Trace): dials
// started and their outcomes by candidate source and failure class, and the
// candidates skipped by reason. The scheduler labels each dial with its
// candidate's source (dial_sources.go); metricSource folds the labels into
// a fixed set, so the series stay bounded whatever the application adds.
type dialMetrics struct {
	attempts *prometheus.CounterVec
	outcomes *prometheus.CounterVec
	skips    *prometheus.CounterVec
}

func newDialMetrics() *dialMetrics {
	return &dialMetrics{
		attempts: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devp2p_dial_attempts_total",
			Help: "Dials started, by candidate source (static, bootnode, warm, discv4, discv5, dns, other).",
		}, []string{"source"}),
		outcomes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devp2p_dial_outcomes_total",
			Help: "Dials ended, by candidate source and failure class (none: the peer was added).",
		}, []string{"source", "class"}),
		skips: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devp2p_dial_skips_total",
			Help: "Candidates the dial scheduler did not dial, by reason.",
		}, []string{"reason"}),
	}
}

func (dm *dialMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{dm.attempts, dm.outcomes, dm.skips}
}

// dialTrace returns the scheduler's Trace hook, nil without metrics.
func (m *serverMetrics) dialTrace() func(dial.Event) {
	if m == nil {
		return nil
	}
	return m.dials.trace
}

func (dm *dialMetrics) trace(ev dial.Event) {
	switch ev.Kind {
	case dial.EventDial:
		dm.attempts.WithLabelValues(metricSource(ev.Source)).Inc()
	case dial.EventDialDone:
		dm.outcomes.WithLabelValues(metricSource(ev.Source), ev.Class.String()).Inc()
	case dial.EventSkip:
		dm.skips.WithLabelValues(ev.Reason).Inc() // dial.Skip*: a fixed set
	}
}

// metricSource maps a dial source label to the source label of the dial
// metrics: the built-in sources keep their names, the application's own
// (Config.DialCandidates, Protocol.DialCandidates) count as "other".
func metricSource(label string) string {
	switch label {
	case SourceStatic, SourceBootnode, SourceWarm, SourceDiscv4, SourceDiscv5, SourceDNS:
		return label
	}
	return labelOther
}
