package devp2p

import (
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/nat"
	"github.com/devp2p-go/devp2p/nat/nattest"
)

// TestMetricsNAT: behind a (fake) UPnP gateway, the scrape shows the
// mapping up, one successful round and one endpoint change.
func TestMetricsNAT(t *testing.T) {
	hooks := newNATHooks()
	g := nattest.StartIGD(2, nattest.WANIPConnection2, "5.6.7.8")
	defer g.Close()
	reg := prometheus.NewRegistry()
	newTestServer(t, func(c *Config) {
		c.ListenAddr = "127.0.0.1:0"
		c.Clock = new(mclock.Simulated)
		c.NAT = nat.AnyOf("upnp", time.Minute, nat.DiscoverUPnPAt(g.RootURL()))
		c.Metrics = reg
	}, hooks.opt())
	natRecv(t, hooks.updated) // the first round is done and counted

	fams := scrape(t, metricsHandler(reg))
	for _, c := range []struct {
		name   string
		labels map[string]string
		want   float64
	}{
		{"devp2p_nat_mapped", nil, 1},
		{"devp2p_nat_rounds_total", map[string]string{"result": "ok"}, 1},
		{"devp2p_nat_rounds_total", map[string]string{"result": "failed"}, 0},
		{"devp2p_nat_external_address_changes_total", nil, 1},
	} {
		if v := metricValue(fams, c.name, c.labels); v != c.want {
			t.Errorf("%s%v = %v, want %v", c.name, c.labels, v, c.want)
		}
	}
}
