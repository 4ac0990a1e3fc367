package devp2p

import (
	"reflect"
	"sync"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/internal/dial"
)

// dialMetrics count the dial scheduler's decisions (dial.Config.Trace): dials
// started and their outcomes by candidate source and failure class, and the
// candidates skipped by reason.
//
// The scheduler says why it dials (static, warm, bootnode, dynamic) but not
// where a dynamic candidate came from, so the candidate mix's sources are
// wrapped (tagSource) and remember, per node, the source that produced it
// last; a dial looks its node up there. When the scheduler learns to carry
// the source itself, dialSource is the one place to switch over.
type dialMetrics struct {
	attempts *prometheus.CounterVec
	outcomes *prometheus.CounterVec
	skips    *prometheus.CounterVec

	mu       sync.Mutex
	sourceOf map[enode.ID]string // candidate → source, bounded by maxTaggedCandidates
	dialing  map[enode.ID]string // dial running → its source, until EventDialDone
}

// Candidate sources, the values of the source label.
const (
	sourceStatic   = "static"
	sourceBootnode = "bootnode"
	sourceWarm     = "warm" // a good peer remembered from an earlier run
	sourceDiscv4   = "discv4"
	sourceDiscv5   = "discv5"
	sourceDNS      = "dns"
)

// maxTaggedCandidates bounds the candidate → source memory. Candidates are
// dialed soon after the mix hands them out, so forgetting everything when
// it is full loses the source of a few dials at most (they count as
// "other").
const maxTaggedCandidates = 4096

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
		sourceOf: make(map[enode.ID]string),
		dialing:  make(map[enode.ID]string),
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
		src := dm.dialSource(ev)
		dm.attempts.WithLabelValues(src).Inc()
	case dial.EventDialDone:
		dm.mu.Lock()
		src, ok := dm.dialing[ev.ID]
		delete(dm.dialing, ev.ID)
		dm.mu.Unlock()
		if !ok {
			src = labelOther
		}
		dm.outcomes.WithLabelValues(src, ev.Class.String()).Inc()
	case dial.EventSkip:
		dm.skips.WithLabelValues(ev.Reason).Inc() // dial.Skip*: a fixed set
	}
}

// dialSource names the source of a dial that starts and remembers it for
// the dial's outcome.
func (dm *dialMetrics) dialSource(ev dial.Event) string {
	dm.mu.Lock()
	defer dm.mu.Unlock()
	var src string
	switch ev.Reason {
	case dial.WhyStatic:
		src = sourceStatic
	case dial.WhyBootnode:
		src = sourceBootnode
	case dial.WhyWarm:
		src = sourceWarm
	default:
		if src = dm.sourceOf[ev.ID]; src == "" {
			src = labelOther
		}
	}
	if len(dm.dialing) < maxTaggedCandidates { // at most 16 run at once; a bound all the same
		dm.dialing[ev.ID] = src
	}
	return src
}

// tag remembers that src produced the candidate n.
func (dm *dialMetrics) tag(n *enode.Node, src string) {
	dm.mu.Lock()
	defer dm.mu.Unlock()
	if len(dm.sourceOf) >= maxTaggedCandidates {
		clear(dm.sourceOf)
	}
	dm.sourceOf[n.ID()] = src
}

// tagSource wraps a candidate source so that dials of its nodes count under
// src. Without metrics it returns it unchanged.
func (m *serverMetrics) tagSource(it enode.Iterator, src string) enode.Iterator {
	if m == nil {
		return it
	}
	return &taggedIterator{Iterator: it, src: src, dm: m.dials}
}

type taggedIterator struct {
	enode.Iterator
	src string
	dm  *dialMetrics
}

func (it *taggedIterator) Next() bool {
	if !it.Iterator.Next() {
		return false
	}
	if n := it.Node(); n != nil {
		it.dm.tag(n, it.src)
	}
	return true
}

// dnsdiscPkg is the import path of the DNS discovery client, whose
// iterators count as source "dns".
const dnsdiscPkg = "github.com/devp2p-go/devp2p/dnsdisc"

// candidateSource names an application-given candidate source: "dns" for
// an iterator of package dnsdisc, "other" for the rest.
func candidateSource(it enode.Iterator) string {
	t := reflect.TypeOf(it)
	if t != nil && t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if t != nil && t.PkgPath() == dnsdiscPkg {
		return sourceDNS
	}
	return labelOther
}
