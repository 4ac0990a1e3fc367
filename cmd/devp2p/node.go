package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
)

const (
	// defaultStatusInterval is how often a running node prints its status.
	defaultStatusInterval = 30 * time.Second
	// nodeKeyFile and nodeDBDir are the names inside --datadir.
	nodeKeyFile = "nodekey"
	nodeDBDir   = "nodes"
)

var nodeCommand = &cli.Command{
	Name:  "node",
	Usage: "run a devp2p node until interrupted",
	Description: "The node runs the devp2p layer with discovery and no sub-protocol: a bootnode,\n" +
		"a vantage point for crawls, a devnet member. Execution clients drop it (they need\n" +
		"eth); it logs why each peer went.\n" +
		"The node keeps its key (nodekey) and node database (nodes/) in --datadir.\n" +
		"It prints its enode URL and ENR on start, then a status line every 30 s.\n" +
		"Flags override the values of a --config file.",
	Flags:  nodeFlags(),
	Action: runNode,
}

// nodeFlags returns new values of the node command's flags (cli flags keep
// what they parsed, so a test that runs the command twice needs new ones).
func nodeFlags() []cli.Flag {
	return append([]cli.Flag{
		&cli.StringFlag{Name: "datadir", Usage: "directory of the node key and node database (default: " + defaultDataDirText() + ")"},
		&cli.StringFlag{Name: "config", Usage: "TOML or JSON config file (devp2p.Config field names)"},
		&cli.StringFlag{Name: "nodekey", Usage: "node key file (64 hex characters)"},
		&cli.StringFlag{Name: "nodekeyhex", Usage: "node key as 64 hex characters"},
		&cli.StringFlag{Name: "listen", Value: "0.0.0.0:30303", Usage: "TCP and UDP address to listen on (port 0 picks a free port)"},
		&cli.IntFlag{Name: "maxpeers", Value: 50, Usage: "maximum number of peers"},
		&cli.StringFlag{Name: "bootnodes", Usage: "discovery bootnodes: comma-separated enode/enr, or a file with one per line"},
		&cli.StringFlag{Name: "static", Usage: "nodes to stay connected to (same forms as --bootnodes)"},
		&cli.StringFlag{Name: "trusted", Usage: "nodes allowed beyond --maxpeers (same forms as --bootnodes)"},
		&cli.StringFlag{Name: "netrestrict", Usage: "connect only to these networks (comma-separated CIDR, e.g. 10.0.0.0/8)"},
		&cli.StringFlag{Name: "lan-exempt", Value: "auto", Usage: "whether LAN and loopback sources skip the per-IP and per-subnet limits: auto (only while our own address is a LAN one), always, never"},
		&cli.BoolFlag{Name: "nodiscover", Usage: "disable discovery (peers only from --static and inbound)"},
		&cli.BoolFlag{Name: "v5", Usage: "also run discovery v5 (on the discv4 port)"},
		&cli.StringFlag{Name: "bootnodesv5", Usage: "discv5 bootnodes (default: --bootnodes)"},
		&cli.StringFlag{Name: "discovery.dns", Usage: "dial the nodes of these signed DNS lists (comma-separated enrtree:// URLs, EIP-1459; none by default)"},
		&cli.StringFlag{Name: "dns.server", Usage: "ask this DNS server (HOST:PORT) for --discovery.dns instead of the system's"},
		&cli.StringFlag{Name: "nat", Value: "none", Usage: "port mapping: none, any, upnp, pmp, extip:IP, stun"},
		&cli.IntFlag{Name: "verbosity", Value: 3, Usage: "log level: 0 silent, 1 error, 2 warn, 3 info, 4 debug, 5 trace"},
		&cli.DurationFlag{Name: "status", Value: defaultStatusInterval, Usage: "print a status line this often (0 = never)"},
	}, metricsFlags...)
}

// defaultDataDir is the per-user data directory.
func defaultDataDir() string {
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "devp2p")
	}
	if home, err := os.UserHomeDir(); err == nil {
		return filepath.Join(home, ".devp2p")
	}
	return ".devp2p"
}

func defaultDataDirText() string {
	if dir, err := os.UserConfigDir(); err == nil {
		return filepath.Join(dir, "devp2p")
	}
	return "~/.devp2p"
}

func runNode(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() > 0 {
		return usageErrorf(cmd, "unexpected argument %q", cmd.Args().First())
	}
	if d := cmd.Duration("status"); d < 0 {
		return flagError("status", d, "want 0 (no status lines) or a positive interval")
	}
	log, err := newLogger(cmd)
	if err != nil {
		return err
	}
	var fileKeys nodeFileKeys
	cfg, err := nodeConfig(ctx, cmd, &fileKeys)
	if err != nil {
		return err
	}
	cfg.Logger = log
	stopMetrics, err := startMetrics(cmd, fileKeys, &cfg, log) // cmd/devp2p/metrics.go
	if err != nil {
		return err
	}
	defer stopMetrics()
	adminCfg, err := adminConfig(cmd, fileKeys, log) // cmd/devp2p/admin.go
	if err != nil {
		return err
	}
	srv := &devp2p.Server{Config: cfg}
	if err := srv.Start(); err != nil {
		return startError(cfg, err)
	}
	log.Info("secp256k1", "backend", crypto.Secp256k1Backend())
	defer srv.Stop()
	stopWatch := watchPeerDrops(srv, log)
	defer stopWatch()

	self := srv.Self()
	fmt.Printf("node     %s\n", self.ID())
	fmt.Printf("listen   %v\n", srv.ListenAddr())
	fmt.Printf("enode    %s\n", self.URLv4())
	fmt.Printf("enr      %s\n", self.String())
	stopAdmin, err := startAdmin(adminCfg, srv) // cmd/devp2p/admin.go
	if err != nil {
		return err
	}
	defer stopAdmin()

	var status <-chan time.Time
	if d := cmd.Duration("status"); d > 0 {
		t := time.NewTicker(d)
		defer t.Stop()
		status = t.C
	}
	for {
		select {
		case <-status:
			fmt.Println(statusLine(srv))
		case <-ctx.Done():
			fmt.Println("stopping")
			stopWatch()
			srv.Stop() // closes the node database
			fmt.Println("stopped")
			return nil
		}
	}
}

// startError turns a failed Start into one line; a busy port is the
// common case.
func startError(cfg devp2p.Config, err error) error {
	if errors.Is(err, syscall.EADDRINUSE) {
		return fmt.Errorf("cannot listen on %s: address already in use (another node running? pick a port with --listen)", cfg.ListenAddr)
	}
	return fmt.Errorf("start: %v", err)
}

// tableLen returns the discovery table size of srv, -1 without discovery.
func tableLen(srv *devp2p.Server) int {
	if srv.DiscV4() == nil {
		return -1
	}
	return srv.DiscoveryTableLen()
}

// statusLine summarizes a running node in one line: peers (inbound and
// outbound), dials running, dialed peers and dials per candidate source,
// discovery table size, traffic.
func statusLine(srv *devp2p.Server) string {
	in, out := 0, 0
	for _, p := range srv.Peers() {
		if p.Inbound() {
			in++
		} else {
			out++
		}
	}
	table := "off"
	if n := tableLen(srv); n >= 0 {
		table = fmt.Sprint(n)
	}
	if v5 := srv.DiscV5(); v5 != nil {
		table += fmt.Sprintf(" (v5 %d)", v5.Table().Len())
	}
	tr := srv.Traffic()
	ds := srv.DialStats()
	return fmt.Sprintf("status   peers %d (in %d, out %d)  dials %d%s  table %s  traffic in %s out %s  msgs in %d out %d",
		in+out, in, out, ds.Dialing, sourceSummary(ds.Sources), table, byteSize(tr.BytesIn), byteSize(tr.BytesOut), tr.MessagesIn, tr.MessagesOut)
}

// sourceSummary tells, per candidate source that was dialed, how many of our
// peers came from it and how many dials it took since start, e.g.
// " [discv4 3/41 dns 1/5]": a node whose peers all come from one source, or
// whose source dials a lot for few peers, shows it here. Empty when nothing
// was dialed.
func sourceSummary(sources map[string]devp2p.DialSourceStats) string {
	labels := make([]string, 0, len(sources))
	for l, st := range sources {
		if st.Dials > 0 || st.Peers > 0 {
			labels = append(labels, l)
		}
	}
	if len(labels) == 0 {
		return ""
	}
	slices.Sort(labels)
	var b strings.Builder
	b.WriteString(" [")
	for i, l := range labels {
		if i > 0 {
			b.WriteByte(' ')
		}
		fmt.Fprintf(&b, "%s %d/%d", l, sources[l].Peers, sources[l].Dials)
	}
	b.WriteByte(']')
	return b.String()
}

// byteSize formats a byte count for humans.
func byteSize(n uint64) string {
	switch {
	case n >= 1<<30:
		return fmt.Sprintf("%.1f GiB", float64(n)/(1<<30))
	case n >= 1<<20:
		return fmt.Sprintf("%.1f MiB", float64(n)/(1<<20))
	case n >= 1<<10:
		return fmt.Sprintf("%.1f KiB", float64(n)/(1<<10))
	}
	return fmt.Sprintf("%d B", n)
}
