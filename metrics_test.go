package devp2p

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	dto "github.com/prometheus/client_model/go"
	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"
)

// scrape fetches /metrics from h over HTTP, as Prometheus does, and parses
// the text format.
func scrape(t testing.TB, h http.Handler) map[string]*dto.MetricFamily {
	t.Helper()
	hs := httptest.NewServer(h)
	defer hs.Close()
	resp, err := http.Get(hs.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("scrape: %s", resp.Status)
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("parse scrape: %v", err)
	}
	return families
}

func metricsHandler(reg *prometheus.Registry) http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{ErrorHandling: promhttp.HTTPErrorOnError}))
	return mux
}

// metricValue sums the samples of family name whose labels include want
// (counter, gauge, or a histogram's count).
func metricValue(families map[string]*dto.MetricFamily, name string, want map[string]string) float64 {
	f := families[name]
	if f == nil {
		return -1
	}
	var sum float64
	for _, m := range f.GetMetric() {
		if !hasLabels(m, want) {
			continue
		}
		switch {
		case m.Counter != nil:
			sum += m.Counter.GetValue()
		case m.Gauge != nil:
			sum += m.Gauge.GetValue()
		case m.Histogram != nil:
			sum += float64(m.Histogram.GetSampleCount())
		}
	}
	return sum
}

func hasLabels(m *dto.Metric, want map[string]string) bool {
	for k, v := range want {
		found := false
		for _, l := range m.GetLabel() {
			if l.GetName() == k && l.GetValue() == v {
				found = true
			}
		}
		if !found {
			return false
		}
	}
	return true
}

// greetProto sends one message with code 2 when the session starts and
// reports each message it receives on got.
func greetProto(got chan<- uint64) Protocol {
	return Protocol{
		Name: "greet", Version: 1, Length: 3,
		Run: func(p *Peer, rw MsgReadWriter) error {
			if err := Send(rw, 2, "hello"); err != nil {
				return err
			}
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				msg.Discard()
				got <- msg.Code
			}
		},
	}
}

// TestMetricsScrape runs two Servers with metrics on loopback, connects
// them (a static dial), has them exchange a protocol message and discv4
// and discv5 pings, runs a lookup, scrapes both over HTTP and checks that the counters moved.
func TestMetricsScrape(t *testing.T) {
	got := make(chan uint64, 4)
	regA, regB := prometheus.NewRegistry(), prometheus.NewRegistry()
	b := &Server{Config: Config{
		PrivateKey: newKey(t), MaxPeers: 10, NoDial: true, Name: "b",
		ListenAddr: "127.0.0.1:0", Protocols: []Protocol{greetProto(got)},
		DiscoveryV5: true, Logger: testLogger(t), Metrics: regB,
	}}
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	a := &Server{Config: Config{
		PrivateKey: newKey(t), MaxPeers: 10, Name: "a",
		ListenAddr: "127.0.0.1:0", Protocols: []Protocol{greetProto(got)},
		DiscoveryV5: true, Logger: testLogger(t), Metrics: regA,
	}}
	if err := a.Start(); err != nil {
		b.Stop()
		t.Fatal(err)
	}
	defer func() {
		a.Stop()
		b.Stop()
		checkNoGoroutines(t)
	}()

	events := make(chan *PeerEvent, 16)
	sub := a.SubscribeEvents(events)
	defer sub.Unsubscribe()
	a.AddPeer(b.Self())
	waitEvent(t, events, PeerEventTypeAdd)
	for range 2 { // one greeting each way
		select {
		case code := <-got:
			if code != 2 {
				t.Fatalf("got code %d, want 2", code)
			}
		case <-time.After(testWait):
			t.Fatal("timeout waiting for greetings")
		}
	}
	ctx, cancel := context.WithTimeout(context.Background(), testWait)
	defer cancel()
	if err := a.DiscV4().Ping(ctx, b.Self()); err != nil {
		t.Fatalf("discv4 ping: %v", err)
	}
	if err := a.DiscV5().Ping(ctx, b.Self()); err != nil {
		t.Fatalf("discv5 ping: %v", err)
	}
	// A lookup ended at once still reports to the metrics (discover's
	// TestLookupDone covers a real one), without waiting for a table
	// refresh of this two-node network.
	lookupCtx, lookupCancel := context.WithCancel(ctx)
	lookupCancel()
	a.DiscV4().LookupRandom(lookupCtx)
	// The dial's outcome is booked when the scheduler's loop takes the
	// finished task, after the peer was added; DialStats goes through the
	// same loop, so once it shows no dial running, the outcome is counted.
	for deadline := time.Now().Add(testWait); a.DialStats().Dialing > 0; {
		if time.Now().After(deadline) {
			t.Fatal("dial still running")
		}
	}

	fa, fb := scrape(t, metricsHandler(regA)), scrape(t, metricsHandler(regB))
	checks := []struct {
		fams   map[string]*dto.MetricFamily
		name   string
		labels map[string]string
		min    float64
	}{
		{fa, "devp2p_peers", map[string]string{"direction": "outbound"}, 1},
		{fb, "devp2p_peers", map[string]string{"direction": "inbound"}, 1},
		{fa, "devp2p_peers_static", nil, 1},
		{fa, "devp2p_peers_added_total", map[string]string{"direction": "outbound"}, 1},
		{fb, "devp2p_peers_added_total", map[string]string{"direction": "inbound"}, 1},
		{fa, "devp2p_messages_total", map[string]string{"direction": "outbound", "protocol": "greet", "code": "2"}, 1},
		{fa, "devp2p_messages_total", map[string]string{"direction": "inbound", "protocol": "greet", "code": "2"}, 1},
		{fb, "devp2p_messages_total", map[string]string{"direction": "inbound", "protocol": "greet", "code": "2"}, 1},
		{fa, "devp2p_message_bytes_total", map[string]string{"direction": "outbound", "protocol": "greet", "code": "2"}, 6},
		{fa, "devp2p_conn_bytes_total", map[string]string{"direction": "inbound"}, 100},
		{fa, "devp2p_dial_attempts_total", map[string]string{"source": "static"}, 1},
		{fa, "devp2p_dial_outcomes_total", map[string]string{"source": "static", "class": "none"}, 1},
		{fa, "devp2p_setup_verdicts_total", map[string]string{"direction": "outbound", "stage": "hello", "verdict": "allowed"}, 1},
		{fb, "devp2p_setup_verdicts_total", map[string]string{"direction": "inbound", "stage": "accept", "verdict": "allowed"}, 1},
		{fb, "devp2p_setup_duration_seconds", map[string]string{"direction": "inbound", "result": "ok"}, 1},
		{fa, "devp2p_discovery_packets_total", map[string]string{"version": "v4", "direction": "outbound", "type": "ping"}, 1},
		{fa, "devp2p_discovery_packets_total", map[string]string{"version": "v4", "direction": "inbound", "type": "pong"}, 1},
		{fb, "devp2p_discovery_packets_total", map[string]string{"version": "v4", "direction": "inbound", "type": "ping"}, 1},
		{fb, "devp2p_discovery_packets_total", map[string]string{"version": "v4", "direction": "outbound", "type": "pong"}, 1},
		{fa, "devp2p_discovery_lookup_duration_seconds", map[string]string{"version": "v4"}, 1},
		{fb, "devp2p_discovery_admission_total", nil, 1}, // loopback: admitted_lan
		// discv5: a ping without a session is challenged (WHOAREYOU), then
		// sent again in the handshake.
		{fa, "devp2p_discovery_packets_total", map[string]string{"version": "v5", "direction": "outbound", "type": "ping"}, 2},
		{fb, "devp2p_discovery_packets_total", map[string]string{"version": "v5", "direction": "inbound", "type": "unknown"}, 1},
		{fb, "devp2p_discovery_packets_total", map[string]string{"version": "v5", "direction": "outbound", "type": "whoareyou"}, 1},
		{fa, "devp2p_discovery_packets_total", map[string]string{"version": "v5", "direction": "inbound", "type": "whoareyou"}, 1},
		{fb, "devp2p_discovery_packets_total", map[string]string{"version": "v5", "direction": "inbound", "type": "ping"}, 1},
		{fa, "devp2p_discovery_packets_total", map[string]string{"version": "v5", "direction": "inbound", "type": "pong"}, 1},
	}
	for _, c := range checks {
		if v := metricValue(c.fams, c.name, c.labels); v < c.min {
			t.Errorf("%s%v = %v, want ≥ %v", c.name, c.labels, v, c.min)
		}
	}
	if v := metricValue(fa, "devp2p_discovery_table_nodes", map[string]string{"version": "v4"}); v < 0 {
		t.Error("no discovery table size")
	}

	// A peer that leaves is counted with its reason and session length.
	a.RemovePeer(b.Self())
	waitEvent(t, events, PeerEventTypeDrop)
	fa = scrape(t, metricsHandler(regA))
	if v := metricValue(fa, "devp2p_peers_removed_total", map[string]string{"direction": "outbound", "reason": "requested", "remote": "false"}); v != 1 {
		t.Errorf("peers removed (requested) = %v, want 1", v)
	}
	if v := metricValue(fa, "devp2p_peer_session_duration_seconds", map[string]string{"direction": "outbound"}); v != 1 {
		t.Errorf("session durations observed = %v, want 1", v)
	}
}

// TestMetricsRegistryReuse: Stop unregisters the metrics, so a registry
// can serve the next Server; two running Servers on one registry is an
// error at Start, not a panic.
func TestMetricsRegistryReuse(t *testing.T) {
	reg := prometheus.NewRegistry()
	s1 := newTestServer(t, func(c *Config) { c.Metrics = reg })
	s2 := &Server{Config: Config{PrivateKey: newKey(t), MaxPeers: 1, NoDial: true, Metrics: reg, Logger: testLogger(t)}}
	if err := s2.Start(); err == nil || !strings.Contains(err.Error(), "Config.Metrics") {
		s2.Stop()
		t.Fatalf("second server on one registry: err = %v", err)
	}
	s1.Stop()
	if fams, _ := reg.Gather(); len(fams) != 0 {
		t.Fatalf("%d metric families left after Stop", len(fams))
	}
	s3 := newTestServer(t, func(c *Config) { c.Metrics = reg })
	defer s3.Stop()
	if fams, err := reg.Gather(); err != nil || len(fams) == 0 {
		t.Fatalf("after restart on the registry: %d families, err %v", len(fams), err)
	}
}
