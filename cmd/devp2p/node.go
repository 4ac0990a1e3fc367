package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"syscall"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/nat"
	"github.com/devp2p-go/devp2p/netutil"
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
	Description: "The node keeps its key (nodekey) and node database (nodes/) in --datadir.\n" +
		"It prints its enode URL and ENR on start, then a status line every 30 s.\n" +
		"Flags override the values of a --config file.",
	Flags: []cli.Flag{
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
		&cli.BoolFlag{Name: "nodiscover", Usage: "disable discovery (peers only from --static and inbound)"},
		&cli.BoolFlag{Name: "v5", Usage: "also run discovery v5 (on the discv4 port)"},
		&cli.StringFlag{Name: "bootnodesv5", Usage: "discv5 bootnodes (default: --bootnodes)"},
		&cli.StringFlag{Name: "nat", Value: "none", Usage: "port mapping: none, any, upnp, pmp, extip:IP, stun"},
		&cli.IntFlag{Name: "verbosity", Value: 3, Usage: "log level: 0 silent, 1 error, 2 warn, 3 info, 4 debug, 5 trace"},
		&cli.DurationFlag{Name: "status", Value: defaultStatusInterval, Usage: "print a status line this often (0 = never)"},
	},
	Action: runNode,
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

// newLogger maps --verbosity to a slog handler on stderr.
func newLogger(cmd *cli.Command) (*slog.Logger, error) {
	v := cmd.Int("verbosity")
	var level slog.Level
	switch v {
	case 0:
		return slog.New(slog.NewTextHandler(io.Discard, nil)), nil
	case 1:
		level = slog.LevelError
	case 2:
		level = slog.LevelWarn
	case 3:
		level = slog.LevelInfo
	case 4:
		level = slog.LevelDebug
	case 5:
		level = slog.LevelDebug - 4
	default:
		return nil, usageErrorf(cmd, "invalid --verbosity %d (0-5)", v)
	}
	return slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level})), nil
}

// nodeConfig builds the Server config from --config and the flags; flags
// set on the command line win over the file.
func nodeConfig(ctx context.Context, cmd *cli.Command) (devp2p.Config, error) {
	var cfg devp2p.Config
	if file := cmd.String("config"); file != "" {
		var err error
		if cfg, err = devp2p.LoadConfig(file); err != nil {
			return cfg, fmt.Errorf("config: %v", err)
		}
	}
	datadir := cmd.String("datadir")
	if datadir == "" {
		datadir = defaultDataDir()
	}
	// A key in the config file wins over the datadir's, a key flag over both.
	if cfg.PrivateKey == nil || cmd.IsSet("nodekey") || cmd.IsSet("nodekeyhex") {
		key, err := nodeKey(cmd, datadir)
		if err != nil {
			return cfg, err
		}
		cfg.PrivateKey = key
	}
	if cfg.NodeDatabase == "" {
		cfg.NodeDatabase = filepath.Join(datadir, nodeDBDir)
	}
	if cmd.IsSet("listen") || cfg.ListenAddr == "" {
		cfg.ListenAddr = cmd.String("listen")
	}
	if cmd.IsSet("maxpeers") || cfg.MaxPeers == 0 {
		cfg.MaxPeers = int(cmd.Int("maxpeers"))
		if cfg.MaxPeers <= 0 {
			return cfg, usageErrorf(cmd, "invalid --maxpeers %d (must be > 0)", cfg.MaxPeers)
		}
	}
	if cmd.IsSet("nodiscover") {
		cfg.NoDiscovery = cmd.Bool("nodiscover")
	}
	for _, f := range []struct {
		name string
		dst  any
	}{{"bootnodes", &cfg.BootstrapNodes}, {"bootnodesv5", &cfg.BootstrapNodesV5}, {"static", &cfg.StaticNodes}, {"trusted", &cfg.TrustedNodes}} {
		if !cmd.IsSet(f.name) {
			continue
		}
		nodes, err := parseNodeList(ctx, cmd.String(f.name))
		if err != nil {
			return cfg, usageErrorf(cmd, "--%s: %v", f.name, err)
		}
		*f.dst.(*[]*enode.Node) = nodes
	}
	if cmd.IsSet("v5") {
		cfg.DiscoveryV5 = cmd.Bool("v5")
	}
	if cfg.DiscoveryV5 && len(cfg.BootstrapNodesV5) == 0 {
		cfg.BootstrapNodesV5 = cfg.BootstrapNodes
	}
	if cmd.IsSet("netrestrict") {
		nl, err := netutil.ParseNetlist(cmd.String("netrestrict"))
		if err != nil {
			return cfg, usageErrorf(cmd, "invalid --netrestrict: %v", err)
		}
		cfg.NetRestrict = nl
	}
	natm, err := nat.Parse(cmd.String("nat"))
	if err != nil {
		return cfg, usageErrorf(cmd, "invalid --nat %q: %v", cmd.String("nat"), err)
	}
	if natm != nil && (cmd.IsSet("nat") || cfg.NAT == nil) {
		cfg.NAT = natm
	} else if cmd.IsSet("nat") {
		cfg.NAT = nil // --nat none overrides the file
	}
	return cfg, nil
}

// nodeKey loads the key from --nodekey / --nodekeyhex, or from the data
// directory, where it is created on first run.
func nodeKey(cmd *cli.Command, datadir string) (*ecdsa.PrivateKey, error) {
	file, hex := cmd.String("nodekey"), cmd.String("nodekeyhex")
	switch {
	case file != "" && hex != "":
		return nil, usageErrorf(cmd, "--nodekey and --nodekeyhex are mutually exclusive")
	case file != "":
		key, err := crypto.LoadECDSA(file)
		if err != nil {
			return nil, fmt.Errorf("invalid --nodekey: %v", err)
		}
		return key, nil
	case hex != "":
		key, err := crypto.HexToECDSA(hex)
		if err != nil {
			return nil, usageErrorf(cmd, "invalid --nodekeyhex: %v", err)
		}
		return key, nil
	}
	file = filepath.Join(datadir, nodeKeyFile)
	key, err := crypto.LoadECDSA(file)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		return nil, fmt.Errorf("node key %s: %v", file, err)
	}
	if err := os.MkdirAll(datadir, 0o700); err != nil {
		return nil, fmt.Errorf("create data directory: %v", err)
	}
	if key, err = crypto.GenerateKey(); err != nil {
		return nil, err
	}
	if err := crypto.SaveECDSA(file, key); err != nil {
		return nil, fmt.Errorf("write node key: %v", err)
	}
	return key, nil
}

func runNode(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() > 0 {
		return usageErrorf(cmd, "unexpected argument %q", cmd.Args().First())
	}
	log, err := newLogger(cmd)
	if err != nil {
		return err
	}
	cfg, err := nodeConfig(ctx, cmd)
	if err != nil {
		return err
	}
	cfg.Logger = log
	srv := &devp2p.Server{Config: cfg}
	if err := srv.Start(); err != nil {
		return startError(cfg, err)
	}
	defer srv.Stop()

	self := srv.Self()
	fmt.Printf("node     %s\n", self.ID())
	fmt.Printf("listen   %v\n", srv.ListenAddr())
	fmt.Printf("enode    %s\n", self.URLv4())
	fmt.Printf("enr      %s\n", self.String())

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
// outbound), dials running, discovery table size, traffic.
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
	return fmt.Sprintf("status   peers %d (in %d, out %d)  dials %d  table %s  traffic in %s out %s  msgs in %d out %d",
		in+out, in, out, srv.DialStats().Dialing, table, byteSize(tr.BytesIn), byteSize(tr.BytesOut), tr.MessagesIn, tr.MessagesOut)
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
