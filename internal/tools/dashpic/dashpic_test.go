package main

import (
	"context"
	"encoding/xml"
	"errors"
	"io"
	"math"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/sim"
)

// TestDashboard runs the generator on three nodes for three samples, the
// test stepping the sample clock, and checks the picture: well-formed, six
// panels, each with data, and the pictured node with peers at the end.
func TestDashboard(t *testing.T) {
	before := runtime.NumGoroutine()
	ticks := make(chan time.Time)
	started := make(chan *devp2p.Server, 1)
	opts := options{
		nodes: 3, maxPeers: 6, duration: 3 * time.Second, interval: time.Second,
		ticks: ticks, started: func(s *devp2p.Server) { started <- s },
	}
	type result struct {
		d   *dashboard
		err error
	}
	done := make(chan result, 1)
	go func() {
		d, err := run(context.Background(), opts)
		done <- result{d, err}
	}()
	var pictured *devp2p.Server
	select {
	case pictured = <-started:
	case r := <-done:
		t.Fatalf("run ended before the nodes started: %v", r.err)
	}
	events := make(chan *devp2p.PeerEvent, 64)
	sub := pictured.SubscribeEvents(events)
	// Two ticks: a sample, then the other plain node stopped; a sample,
	// then it is back.
	ticks <- time.Now()
	ticks <- time.Now()
	// The last sample waits for the pictured node's session with the
	// bootnode, which nothing in the run ends, so it must show a peer.
	waitPeer(t, pictured, pictured.Config.BootstrapNodes[0].ID(), events)
	sub.Unsubscribe()
	ticks <- time.Now()
	r := <-done
	if r.err != nil {
		t.Fatal(r.err)
	}
	d := r.d
	if len(d.samples) != 4 {
		t.Fatalf("got %d samples, want 4", len(d.samples))
	}
	if d.churned != 1 {
		t.Errorf("stopped node %d, want 1 (neither the bootnode nor the pictured one)", d.churned)
	}

	charts := d.charts()
	if len(charts) != 6 {
		t.Fatalf("got %d panels, want 6", len(charts))
	}
	for _, c := range charts {
		if !hasData(c.Series) {
			t.Errorf("panel %q has no data: %+v", c.Title, c.Series)
		}
	}
	var peers float64
	for _, s := range charts[0].Series {
		peers += s.Y[len(s.Y)-1]
	}
	if peers < 1 {
		t.Errorf("pictured node has %v peers at the end, want ≥ 1", peers)
	}

	var b strings.Builder
	if err := d.writeSVG(&b); err != nil {
		t.Fatal(err)
	}
	svg := b.String()
	if n := countSVGElements(t, svg); n != 1+len(panels) {
		t.Errorf("got %d <svg> elements, want %d (the page and one per panel)", n, 1+len(panels))
	}
	for _, p := range panels {
		if !strings.Contains(svg, ">"+p.query()+"<") {
			t.Errorf("SVG lacks the title %q", p.query())
		}
	}
	// Self-contained: nothing to run, nothing to fetch.
	for _, bad := range []string{"<script", "href", "url(", "@import", "<style"} {
		if strings.Contains(svg, bad) {
			t.Errorf("SVG contains %q", bad)
		}
	}
	checkGoroutines(t, before)
}

// waitPeer waits until id is a peer of srv, from srv's peer list or the
// events that follow it.
func waitPeer(t *testing.T, srv *devp2p.Server, id enode.ID, events <-chan *devp2p.PeerEvent) {
	t.Helper()
	for _, p := range srv.Peers() {
		if p.ID() == id {
			return
		}
	}
	timeout := time.After(time.Minute)
	for {
		select {
		case ev := <-events:
			if ev.Type == devp2p.PeerEventTypeAdd && ev.Peer == id {
				return
			}
		case <-timeout:
			t.Fatalf("node never connected to the bootnode %v", id)
		}
	}
}

func hasData(series []sim.Series) bool {
	for _, s := range series {
		for _, y := range s.Y {
			if !math.IsNaN(y) {
				return true
			}
		}
	}
	return false
}

func countSVGElements(t *testing.T, doc string) int {
	t.Helper()
	dec := xml.NewDecoder(strings.NewReader(doc))
	n := 0
	for {
		tok, err := dec.Token()
		if errors.Is(err, io.EOF) {
			return n
		}
		if err != nil {
			t.Fatalf("SVG is not well-formed XML: %v", err)
		}
		if el, ok := tok.(xml.StartElement); ok && el.Name.Local == "svg" {
			n++
		}
	}
}

// checkGoroutines waits, yielding instead of sleeping, for the run's
// goroutines to be gone: every Stop has returned, and what it told to stop
// exits soon after.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	for range 1_000_000 {
		if runtime.NumGoroutine() <= before {
			return
		}
		runtime.Gosched()
	}
	buf := make([]byte, 1<<20)
	t.Errorf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
}

// TestOptionsInvalid checks that bad flags get an error before any node
// starts.
func TestOptionsInvalid(t *testing.T) {
	good := options{nodes: 3, maxPeers: 6, duration: 3 * time.Second, interval: time.Second}
	for _, tc := range []struct {
		name string
		edit func(*options)
		want string
	}{
		{"one node", func(o *options) { o.nodes = 1 }, "nodes must be in 2..64"},
		{"too many nodes", func(o *options) { o.nodes = 65 }, "nodes must be in 2..64"},
		{"no peers", func(o *options) { o.maxPeers = 0 }, "maxpeers"},
		{"no interval", func(o *options) { o.interval = 0 }, "interval"},
		{"too short", func(o *options) { o.duration = time.Second }, "three samples"},
	} {
		o := good
		tc.edit(&o)
		if _, err := run(context.Background(), o); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: got %v, want an error with %q", tc.name, err, tc.want)
		}
	}
}

// TestRates checks the rate over the window: the increase since the oldest
// sample within it, per second.
func TestRates(t *testing.T) {
	x := []float64{0, 1, 2, 11, 12, 30}
	v := []float64{0, 5, 5, 50, 60, 60}
	got := rates(x, v)
	want := []float64{math.NaN(), 5, 2.5, 45.0 / 10, 55.0 / 10, math.NaN()}
	for i := range want {
		if math.IsNaN(want[i]) != math.IsNaN(got[i]) || (!math.IsNaN(want[i]) && math.Abs(got[i]-want[i]) > 1e-9) {
			t.Errorf("rate at %v s: got %v, want %v", x[i], got[i], want[i])
		}
	}
}
