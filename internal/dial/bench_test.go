package dial

import (
	"log/slog"
	"net"
	"net/netip"
	"sync/atomic"
	"testing"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/netutil"
)

const benchCandidates = 10_000

func benchNodes() []*enode.Node {
	nodes := make([]*enode.Node, benchCandidates)
	for i := range nodes {
		nodes[i] = testNode(i)
	}
	return nodes
}

// BenchmarkCheckDial measures one scheduling decision against a state that
// knows 10,000 candidates: a third dialed recently, a third backing off
// after failures, a third fresh (and filtered by the application).
func BenchmarkCheckDial(b *testing.B) {
	nodes := benchNodes()
	cfg := Config{
		MaxDialPeers: 50,
		NetRestrict:  netutil.MustParseNetlist("10.0.0.0/8"),
		Filter:       func(n *enode.Node) bool { return n.ID()[31]&1 == 0 },
		Clock:        new(mclock.Simulated),
	}.withDefaults()
	s := &Scheduler{
		cfg:       cfg,
		clock:     cfg.Clock,
		peers:     make(map[enode.ID]*peer),
		dialing:   make(map[enode.ID]*dialTask),
		static:    make(map[enode.ID]*staticNode),
		history:   newExpSet[enode.ID](),
		ipHistory: newExpSet[netip.Addr](),
		subnets:   make(map[netip.Prefix]int),
		failures:  newFailureMemory(maxFailureRecords),
	}
	for i, n := range nodes {
		switch i % 3 {
		case 0:
			s.history.add(n.ID(), mclock.AbsTime(0).Add(DefaultHistoryExpiration))
		case 1:
			s.failures.record(n.ID(), FailureClass(1+i%int(numClasses-1)), 0)
		}
	}
	b.ReportAllocs()
	i := 0
	for b.Loop() {
		s.checkDial(nodes[i%len(nodes)], WhyDynamic, 1)
		i++
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}

// BenchmarkSchedulerCandidates measures the whole path, from the candidate
// iterator through the loop, with 10,000 candidates cycling: after the first
// round every candidate is in the dial history, as on a busy network.
func BenchmarkSchedulerCandidates(b *testing.B) {
	nodes := benchNodes()
	var decisions atomic.Int64
	target := int64(b.N)
	done := make(chan struct{})
	s := New(Config{
		MaxDialPeers: 16,
		Clock:        new(mclock.Simulated),
		Logger:       slog.New(slog.DiscardHandler),
		Dialer:       dialerFunc(failDial),
		Trace: func(ev Event) {
			if ev.Kind == EventDial || ev.Kind == EventSkip {
				if decisions.Add(1) == target {
					close(done)
				}
			}
		},
	}, enode.CycleNodes(nodes), func(net.Conn, Flags, *enode.Node) error { return nil })
	b.ReportAllocs()
	b.ResetTimer()
	<-done
	b.StopTimer()
	s.Stop()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "decisions/s")
}
