package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/http/pprof"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p"
)

// metricsFlags are the node's flags for its HTTP endpoint of metrics and
// profiles. Both are off by default: the endpoint tells whoever reaches it
// about the node's peers and traffic, and pprof can cost CPU on demand.
var metricsFlags = []cli.Flag{
	&cli.StringFlag{Name: "metrics.addr", Usage: "serve Prometheus metrics at http://ADDR/metrics, e.g. 127.0.0.1:6060 (off when empty)"},
	&cli.BoolFlag{Name: "pprof", Usage: "also serve Go profiles at /debug/pprof on --metrics.addr"},
}

// metricsShutdownTimeout bounds how long stopping the node waits for
// scrapes in progress.
const metricsShutdownTimeout = 5 * time.Second

// startMetrics opens the metrics endpoint when --metrics.addr (or the
// config file's MetricsAddr) is set: it gives cfg a registry (the node's
// metrics, plus the Go runtime and process collectors, which a library must
// not register itself), binds the address at once so that a busy port fails
// before the node starts, and serves until the returned stop is called (a
// scrape before the Server started shows the Go and process metrics only).
// Without an address it does nothing.
func startMetrics(cmd *cli.Command, file nodeFileKeys, cfg *devp2p.Config, log *slog.Logger) (stop func(), err error) {
	addr, pprofOn := file.MetricsAddr, file.Pprof
	// badAddr names where the address came from: the flag, or the file.
	badAddr := func(reason string) error {
		return fmt.Errorf("config %s: MetricsAddr %q: %s", cmd.String("config"), addr, reason)
	}
	if cmd.IsSet("metrics.addr") {
		addr = cmd.String("metrics.addr")
		badAddr = func(reason string) error { return flagError("metrics.addr", addr, reason) }
	}
	pprofErr := fmt.Errorf("config %s: Pprof = true needs MetricsAddr (profiles are served there)", cmd.String("config"))
	if cmd.IsSet("pprof") {
		pprofOn = cmd.Bool("pprof")
		pprofErr = flagError("pprof", true, "needs --metrics.addr (profiles are served there)")
	}
	if addr == "" {
		if pprofOn {
			return nil, pprofErr
		}
		return func() {}, nil
	}
	if reason := checkListenAddr(addr); reason != "" {
		return nil, badAddr(reason)
	}
	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	cfg.Metrics = reg

	l, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, badAddr(err.Error())
	}
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))
	if pprofOn {
		mux.HandleFunc("/debug/pprof/", pprof.Index)
		mux.HandleFunc("/debug/pprof/cmdline", pprof.Cmdline)
		mux.HandleFunc("/debug/pprof/profile", pprof.Profile)
		mux.HandleFunc("/debug/pprof/symbol", pprof.Symbol)
		mux.HandleFunc("/debug/pprof/trace", pprof.Trace)
	}
	hs := &http.Server{Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := hs.Serve(l); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("Metrics endpoint failed", "addr", l.Addr(), "err", err)
		}
	}()
	fmt.Printf("metrics  http://%s/metrics\n", l.Addr())
	if pprofOn {
		fmt.Printf("pprof    http://%s/debug/pprof/\n", l.Addr())
	}
	return func() {
		ctx, cancel := context.WithTimeout(context.Background(), metricsShutdownTimeout)
		defer cancel()
		hs.Shutdown(ctx)
		<-done
	}, nil
}
