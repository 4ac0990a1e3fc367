package devp2p

import (
	"strconv"

	"github.com/prometheus/client_golang/prometheus"
)

// trafficMetrics count messages and their payload bytes by direction,
// protocol and message code. The counters are made up front for the base
// protocol ("p2p", codes 0…15) and for each configured protocol name
// (codes below its Length, at most maxMeteredCodes), so a message costs two
// atomic adds and no lookup by label. A message that fits none of them (an
// invalid code, which ends its session) counts as protocol and code
// "other": nothing a peer sends adds a series.
type trafficMetrics struct {
	msgs, bytes *prometheus.CounterVec
	base        *protoTraffic
	byName      map[string]*protoTraffic // read-only after newTrafficMetrics
	other       *protoTraffic
}

// maxMeteredCodes bounds the codes counted one by one per protocol; higher
// codes of a protocol with a larger Length count as its code "other".
const maxMeteredCodes = 256

// baseProtocolName is the protocol label of the base protocol's messages
// (Hello, Disconnect, Ping, Pong).
const baseProtocolName = "p2p"

// protoTraffic holds the counters of one protocol name.
type protoTraffic struct {
	in, out           []codeCounters // by code
	inOther, outOther codeCounters   // codes beyond in/out
}

type codeCounters struct{ msgs, bytes prometheus.Counter }

func newTrafficMetrics(protocols []Protocol) *trafficMetrics {
	labels := []string{"direction", "protocol", "code"}
	tm := &trafficMetrics{
		msgs: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devp2p_messages_total",
			Help: "devp2p messages sent and received, by direction, protocol name and message code (relative to the protocol). Unknown protocols and codes count as \"other\".",
		}, labels),
		bytes: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "devp2p_message_bytes_total",
			Help: "Payload bytes (uncompressed) of devp2p messages, by direction, protocol name and message code. devp2p_conn_bytes_total counts what went over the wire.",
		}, labels),
		byName: make(map[string]*protoTraffic),
	}
	tm.base = tm.newProto(baseProtocolName, baseProtocolLength)
	tm.other = tm.newProto(labelOther, 0)
	lengths := make(map[string]uint64)
	var names []string
	for _, p := range protocols {
		if _, ok := lengths[p.Name]; !ok {
			names = append(names, p.Name)
		}
		lengths[p.Name] = max(lengths[p.Name], p.Length) // versions share the name's counters
	}
	for _, name := range names {
		tm.byName[name] = tm.newProto(name, lengths[name])
	}
	return tm
}

func (tm *trafficMetrics) newProto(name string, length uint64) *protoTraffic {
	n := min(length, maxMeteredCodes)
	pt := &protoTraffic{in: make([]codeCounters, n), out: make([]codeCounters, n)}
	counters := func(dir, code string) codeCounters {
		return codeCounters{tm.msgs.WithLabelValues(dir, name, code), tm.bytes.WithLabelValues(dir, name, code)}
	}
	for code := range n {
		c := strconv.FormatUint(code, 10)
		pt.in[code] = counters(labelInbound, c)
		pt.out[code] = counters(labelOutbound, c)
	}
	pt.inOther = counters(labelInbound, labelOther)
	pt.outOther = counters(labelOutbound, labelOther)
	return pt
}

func (tm *trafficMetrics) collectors() []prometheus.Collector {
	return []prometheus.Collector{tm.msgs, tm.bytes}
}

func (c codeCounters) add(size uint32) {
	c.msgs.Inc()
	c.bytes.Add(float64(size))
}

func (pt *protoTraffic) countIn(code uint64, size uint32) {
	if code < uint64(len(pt.in)) {
		pt.in[code].add(size)
	} else {
		pt.inOther.add(size)
	}
}

func (pt *protoTraffic) countOut(code uint64, size uint32) {
	if code < uint64(len(pt.out)) {
		pt.out[code].add(size)
	} else {
		pt.outOther.add(size)
	}
}

// attachTraffic gives a new peer's session the counters of its protocols.
// Called before the session starts.
func (m *serverMetrics) attachTraffic(p *Peer) {
	if m == nil {
		return
	}
	p.traffic = m.traffic
	for i := range p.running {
		proto := &p.running[i]
		proto.traffic = m.traffic.byName[proto.Name] // always there: running protocols are ours
		if proto.traffic == nil {
			proto.traffic = m.traffic.other
		}
	}
}

// countIn counts a received message; code is the session's (offset
// included). Only called with metrics on.
func (p *Peer) countIn(code uint64, size uint32) {
	pt, rel := p.trafficOf(code)
	pt.countIn(rel, size)
}

// countOut counts a sent message, like countIn.
func (p *Peer) countOut(code uint64, size uint32) {
	pt, rel := p.trafficOf(code)
	pt.countOut(rel, size)
}

// trafficOf returns the counters of the protocol a session code belongs to
// and the code relative to it.
func (p *Peer) trafficOf(code uint64) (*protoTraffic, uint64) {
	if code < baseProtocolLength {
		return p.traffic.base, code
	}
	if proto := p.protoFor(code); proto != nil {
		return proto.traffic, code - proto.offset
	}
	return p.traffic.other, code // no counter per code: "other"
}
