package bench

import (
	"log/slog"
	"net"
	"testing"

	"github.com/prometheus/client_golang/prometheus"

	"github.com/devp2p-go/devp2p"
)

// BenchmarkMetrics measures what Config.Metrics costs on the message path:
// 100-byte messages through a protocol between two of our servers on
// loopback, with metrics off and on (both servers counting every message
// by protocol and code). Compare msgs/s and cpu-ns/op of the two on the
// same run, e.g.:
//
//	go test -run '^$' -bench 'Metrics' -count 10 . | benchstat -col /metrics -
func BenchmarkMetrics(b *testing.B) {
	b.Run("metrics=off", func(b *testing.B) { benchMsgsMetrics(b, false) })
	b.Run("metrics=on", func(b *testing.B) { benchMsgsMetrics(b, true) })
}

func benchMsgsMetrics(b *testing.B, metrics bool) {
	sa, sc := newSink(), newSink()
	a, c := newOursMetrics(b, sa, false, metrics), newOursMetrics(b, sc, true, metrics)
	fd, err := net.Dial("tcp", c.ListenAddr().String())
	if err != nil {
		b.Fatal(err)
	}
	if err := a.SetupConn(fd, c.Self()); err != nil {
		b.Fatal(err)
	}
	rw := (<-sa.rws).(devp2p.MsgReadWriter)
	cpu := startCPU()
	runMsgs(b, sc, func() error { return devp2p.Send(rw, 0, benchPayload) })
	cpu.report(b)
}

// newOursMetrics is newOurs with metrics on a fresh registry, or without.
func newOursMetrics(b *testing.B, s *sink, listen, metrics bool) *devp2p.Server {
	cfg := devp2p.Config{
		PrivateKey: ourKey(b), MaxPeers: 500, NoDial: true, NoDiscovery: true,
		Logger: slog.New(slog.DiscardHandler),
		Protocols: []devp2p.Protocol{{Name: "bench", Version: 1, Length: 2, Run: func(p *devp2p.Peer, rw devp2p.MsgReadWriter) error {
			s.rws <- rw
			for {
				msg, err := rw.ReadMsg()
				if err != nil {
					return err
				}
				msg.Discard()
				s.got <- struct{}{}
			}
		}}},
	}
	if metrics {
		cfg.Metrics = prometheus.NewRegistry()
	}
	if listen {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	srv := &devp2p.Server{Config: cfg}
	if err := srv.Start(); err != nil {
		b.Fatal(err)
	}
	b.Cleanup(srv.Stop)
	return srv
}
