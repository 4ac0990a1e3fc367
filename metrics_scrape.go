package devp2p

import (
	"reflect"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/devp2p-go/devp2p/enode"
)

// scrapeCollector reads, when the registry is scraped, values the server
// keeps anyway: the peer set, the traffic meters, the dial scheduler's
// state, the discovery engines' packet counters and table (through
// discovery.counts), and the NAT Mapper's rounds (through the function
// startNAT hands over). Nothing of it costs anything between scrapes.
type scrapeCollector struct {
	srv *Server
	nat atomic.Pointer[func() natCounts] // set by startNAT when a Mapper runs
}

// natCounts are the NAT Mapper's rounds (nat.MapperStats).
type natCounts struct {
	rounds, failures, changes uint64
	mapped                    bool
}

// discoveryCounts are one discovery engine's counters and table fill, read
// at scrape time (discovery.counts).
type discoveryCounts struct {
	version string       // discV4, discV5
	in, out []namedCount // packets by type
	dropped []namedCount // packets by drop reason
	buckets []int        // live entries per bucket
}

type namedCount struct {
	name string
	n    uint64
}

var (
	descPeers = prometheus.NewDesc("devp2p_peers",
		"Connected peers, by direction.", []string{"direction"}, nil)
	descPeersTrusted = prometheus.NewDesc("devp2p_peers_trusted",
		"Connected peers that are trusted nodes.", nil, nil)
	descPeersStatic = prometheus.NewDesc("devp2p_peers_static",
		"Connected peers that are static nodes we dialed.", nil, nil)
	descConnBytes = prometheus.NewDesc("devp2p_conn_bytes_total",
		"Bytes over devp2p connections (RLPx handshake, framing and compression included), by direction.", []string{"direction"}, nil)
	descDialing = prometheus.NewDesc("devp2p_dials_running",
		"Dials running (TCP connect and handshakes), by kind (dynamic, static).", []string{"kind"}, nil)
	descDialQueued = prometheus.NewDesc("devp2p_dial_queued",
		"Remembered good peers and bootnodes waiting for a dial slot.", nil, nil)
	descDialBackoff = prometheus.NewDesc("devp2p_dial_backoff_nodes",
		"Nodes waiting out a backoff after a failed dial or session.", nil, nil)
	descDialStatic = prometheus.NewDesc("devp2p_dial_static_nodes",
		"Static nodes, connected or not.", nil, nil)
	descDialedPeers = prometheus.NewDesc("devp2p_dial_peers",
		"Connected peers we dialed, and the most we dial (max).", []string{"kind"}, nil)
	descDiscPackets = prometheus.NewDesc("devp2p_discovery_packets_total",
		"Discovery packets, by protocol version, direction and packet type.", []string{"version", "direction", "type"}, nil)
	descDiscDropped = prometheus.NewDesc("devp2p_discovery_dropped_total",
		"Discovery packets received and not acted on, by protocol version and reason (no_endpoint_proof: a request from a node that has not proven its endpoint).", []string{"version", "reason"}, nil)
	descAdmission = prometheus.NewDesc("devp2p_discovery_admission_total",
		"Datagrams on the discovery socket by admission result, before decoding: admitted (unproven sources), admitted_trusted (sources with an endpoint proof or awaited replies), admitted_lan, or dropped by the rate of the source IP, its subnet (/24, /64), its wide subnet (/16, /48) or all unproven sources (global).", []string{"result"}, nil)
	descRepliesDenied = prometheus.NewDesc("devp2p_discovery_replies_withheld_total",
		"Replies not sent to unproven sources out of reply credit (amplification limit).", nil, nil)
	descTableNodes = prometheus.NewDesc("devp2p_discovery_table_nodes",
		"Live nodes in the discovery table, by protocol version.", []string{"version"}, nil)
	descBucketNodes = prometheus.NewDesc("devp2p_discovery_bucket_nodes",
		"Live nodes per discovery table bucket (0: log distances up to 239, 16: distance 256), by protocol version.", []string{"version", "bucket"}, nil)
	descNATMapped = prometheus.NewDesc("devp2p_nat_mapped",
		"1 when the last NAT round got the external IP and every port mapping, else 0. Absent without a mapping NAT.", nil, nil)
	descNATRounds = prometheus.NewDesc("devp2p_nat_rounds_total",
		"NAT mapping rounds (first mapping and renewals), by result (ok, failed).", []string{"result"}, nil)
	descNATChanges = prometheus.NewDesc("devp2p_nat_external_address_changes_total",
		"Changes of the external endpoint (IP or a mapped port) reported by the gateway.", nil, nil)
)

var scrapeDescs = []*prometheus.Desc{
	descPeers, descPeersTrusted, descPeersStatic, descConnBytes,
	descDialing, descDialQueued, descDialBackoff, descDialStatic, descDialedPeers,
	descDiscPackets, descDiscDropped, descAdmission, descRepliesDenied, descTableNodes, descBucketNodes,
	descNATMapped, descNATRounds, descNATChanges,
}

func newScrapeCollector(srv *Server) *scrapeCollector { return &scrapeCollector{srv: srv} }

func (c *scrapeCollector) Describe(ch chan<- *prometheus.Desc) {
	for _, d := range scrapeDescs {
		ch <- d
	}
}

func (c *scrapeCollector) Collect(ch chan<- prometheus.Metric) {
	srv := c.srv
	srv.mu.Lock()
	running, disc := srv.state == stateRunning, srv.disc
	srv.mu.Unlock()
	if !running {
		return
	}
	gauge := func(d *prometheus.Desc, v float64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.GaugeValue, v, labels...)
	}
	counter := func(d *prometheus.Desc, v uint64, labels ...string) {
		ch <- prometheus.MustNewConstMetric(d, prometheus.CounterValue, float64(v), labels...)
	}

	var in, out, trusted, static int
	srv.doPeerOp(func(peers map[enode.ID]*Peer) {
		for _, p := range peers {
			if p.Inbound() {
				in++
			} else {
				out++
			}
			if p.Trusted() {
				trusted++
			}
			if p.rw.is(staticDialedConn) {
				static++
			}
		}
	})
	gauge(descPeers, float64(in), labelInbound)
	gauge(descPeers, float64(out), labelOutbound)
	gauge(descPeersTrusted, float64(trusted))
	gauge(descPeersStatic, float64(static))
	tr := srv.Traffic()
	counter(descConnBytes, tr.BytesIn, labelInbound)
	counter(descConnBytes, tr.BytesOut, labelOutbound)

	if ds := srv.DialStats(); !reflect.DeepEqual(ds, DialStats{}) {
		gauge(descDialing, float64(ds.DynamicDialing), "dynamic")
		gauge(descDialing, float64(ds.Dialing-ds.DynamicDialing), "static")
		gauge(descDialQueued, float64(ds.Queued))
		gauge(descDialBackoff, float64(ds.BackingOff))
		gauge(descDialStatic, float64(ds.StaticNodes))
		gauge(descDialedPeers, float64(ds.DialedPeers), "dialed")
		gauge(descDialedPeers, float64(ds.MaxDialedPeers), "max")
	}

	if disc != nil {
		for _, dc := range disc.counts() {
			collectDiscovery(ch, dc)
		}
		results, denied := disc.admission()
		for _, r := range results {
			counter(descAdmission, r.n, r.name)
		}
		counter(descRepliesDenied, denied)
	}

	if f := c.nat.Load(); f != nil {
		st := (*f)()
		mapped := 0.0
		if st.mapped {
			mapped = 1
		}
		gauge(descNATMapped, mapped)
		counter(descNATRounds, st.rounds-st.failures, "ok")
		counter(descNATRounds, st.failures, "failed")
		counter(descNATChanges, st.changes)
	}
}

// Discovery versions, the values of the version label.
const (
	discV4 = "v4"
	discV5 = "v5"
)

func collectDiscovery(ch chan<- prometheus.Metric, dc discoveryCounts) {
	for _, c := range dc.in {
		ch <- prometheus.MustNewConstMetric(descDiscPackets, prometheus.CounterValue, float64(c.n), dc.version, labelInbound, c.name)
	}
	for _, c := range dc.out {
		ch <- prometheus.MustNewConstMetric(descDiscPackets, prometheus.CounterValue, float64(c.n), dc.version, labelOutbound, c.name)
	}
	for _, c := range dc.dropped {
		ch <- prometheus.MustNewConstMetric(descDiscDropped, prometheus.CounterValue, float64(c.n), dc.version, c.name)
	}
	total := 0
	for i, n := range dc.buckets {
		total += n
		ch <- prometheus.MustNewConstMetric(descBucketNodes, prometheus.GaugeValue, float64(n), dc.version, strconv.Itoa(i))
	}
	ch <- prometheus.MustNewConstMetric(descTableNodes, prometheus.GaugeValue, float64(total), dc.version)
}

// watchNAT lets the scrape read the Mapper's rounds through stats. Called
// by startNAT.
func (m *serverMetrics) watchNAT(stats func() natCounts) {
	if m == nil {
		return
	}
	m.scrape.nat.Store(&stats)
}

// lookupMetricVecs are the lookup histograms of both discovery versions.
type lookupMetricVecs struct {
	duration, queries *prometheus.HistogramVec
}

// lookupMetrics are the histograms of one version's lookups.
type lookupMetrics struct {
	duration, queries prometheus.Observer
}

func newLookupMetricVecs() *lookupMetricVecs {
	return &lookupMetricVecs{
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "devp2p_discovery_lookup_duration_seconds",
			Help:    "How long discovery lookups took, by protocol version.",
			Buckets: prometheus.ExponentialBuckets(0.05, 2, 10), // 50 ms … 25 s
		}, []string{"version"}),
		queries: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "devp2p_discovery_lookup_queries",
			Help:    "Nodes asked per discovery lookup (one findnode exchange each), by protocol version.",
			Buckets: prometheus.LinearBuckets(0, 8, 12), // 0 … 88
		}, []string{"version"}),
	}
}

func (lv *lookupMetricVecs) version(v string) *lookupMetrics {
	return &lookupMetrics{duration: lv.duration.WithLabelValues(v), queries: lv.queries.WithLabelValues(v)}
}

func (lv *lookupMetricVecs) collectors() []prometheus.Collector {
	return []prometheus.Collector{lv.duration, lv.queries}
}

// lookupObserver returns the table's LookupDone hook for a version, nil
// without metrics.
func (m *serverMetrics) lookupObserver(version string) func(queried int, took time.Duration) {
	if m == nil {
		return nil
	}
	lm := m.lookups[0]
	if version == discV5 {
		lm = m.lookups[1]
	}
	return func(queried int, took time.Duration) {
		lm.duration.Observe(took.Seconds())
		lm.queries.Observe(float64(queried))
	}
}
