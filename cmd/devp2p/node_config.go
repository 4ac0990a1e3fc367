package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"io/fs"
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/nat"
	"github.com/devp2p-go/devp2p/netutil"
)

// The rules below apply to a value whether it comes from a flag or from the
// --config file; only the name in the error differs (the flag, or the file
// and its field), so that both say the same thing about the same value.

// checkMaxPeers: a devp2p Server needs room for at least one peer
// (devp2p.Config.MaxPeers). A node that wants none runs no Server.
func checkMaxPeers(n int) string {
	if n < 1 {
		return "want at least 1"
	}
	return ""
}

// checkListenAddr accepts host:port with an IP address or no host (all
// interfaces) and a port 0-65535 (0 picks a free one).
func checkListenAddr(addr string) string {
	host, port, err := net.SplitHostPort(addr)
	if err != nil {
		var ae *net.AddrError
		if errors.As(err, &ae) {
			return ae.Err + ", want host:port such as 0.0.0.0:30303 or [::]:30303"
		}
		return err.Error()
	}
	if _, err := strconv.ParseUint(port, 10, 16); err != nil {
		return fmt.Sprintf("invalid port %q, want 0-65535", port)
	}
	if host != "" && host != "localhost" {
		if _, err := netip.ParseAddr(host); err != nil {
			return fmt.Sprintf("invalid IP address %q", host)
		}
	}
	return ""
}

// nodeConfig builds the Server config from --config and the flags; flags
// set on the command line win over the file. The file's keys for the
// command itself go to keys (node_file_keys.go).
func nodeConfig(ctx context.Context, cmd *cli.Command, keys *nodeFileKeys) (devp2p.Config, error) {
	var cfg devp2p.Config
	file := cmd.String("config")
	if file != "" {
		var err error
		if cfg, err = devp2p.LoadConfigExtra(file, keys); err != nil {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				return cfg, fileError("config", file, err)
			}
			return cfg, err // it names the file
		}
	}
	datadir := cmd.String("datadir")
	if cmd.IsSet("datadir") && datadir == "" {
		return cfg, flagError("datadir", datadir, "empty path (leave the flag out for "+defaultDataDirText()+")")
	}
	if datadir == "" {
		datadir = defaultDataDir()
	}

	if cmd.IsSet("listen") || cfg.ListenAddr == "" {
		cfg.ListenAddr = cmd.String("listen")
		if why := checkListenAddr(cfg.ListenAddr); why != "" {
			return cfg, flagError("listen", cfg.ListenAddr, why)
		}
	} else if why := checkListenAddr(cfg.ListenAddr); why != "" {
		return cfg, fmt.Errorf("config %s: ListenAddr %q: %s", file, cfg.ListenAddr, why)
	}
	// The file's MaxPeers was checked by LoadConfig by the same rule; 0
	// there means the field is absent.
	if cmd.IsSet("maxpeers") || cfg.MaxPeers == 0 {
		cfg.MaxPeers = int(cmd.Int("maxpeers"))
		if why := checkMaxPeers(cfg.MaxPeers); why != "" {
			return cfg, flagError("maxpeers", cfg.MaxPeers, why)
		}
	}
	if cmd.IsSet("nodiscover") {
		cfg.NoDiscovery = cmd.Bool("nodiscover")
	}
	for _, f := range []struct {
		name string
		dst  *[]*enode.Node
	}{{"bootnodes", &cfg.BootstrapNodes}, {"bootnodesv5", &cfg.BootstrapNodesV5}, {"static", &cfg.StaticNodes}, {"trusted", &cfg.TrustedNodes}} {
		if !cmd.IsSet(f.name) {
			continue
		}
		nodes, err := parseNodeList(ctx, cmd.String(f.name))
		if err != nil {
			return cfg, fmt.Errorf("--%s: %v", f.name, err)
		}
		*f.dst = nodes
	}
	if cmd.IsSet("v5") {
		cfg.DiscoveryV5 = cmd.Bool("v5")
	}
	if cfg.DiscoveryV5 && len(cfg.BootstrapNodesV5) == 0 {
		cfg.BootstrapNodesV5 = cfg.BootstrapNodes
	}
	if err := dnsFlags(cmd, &cfg); err != nil {
		return cfg, err
	}
	if cmd.IsSet("netrestrict") {
		nl, err := netutil.ParseNetlist(cmd.String("netrestrict"))
		if err != nil {
			return cfg, flagError("netrestrict", cmd.String("netrestrict"), err.Error())
		}
		cfg.NetRestrict = nl
	}
	if cmd.IsSet("lan-exempt") {
		if err := cfg.LANExempt.UnmarshalText([]byte(cmd.String("lan-exempt"))); err != nil {
			return cfg, flagError("lan-exempt", cmd.String("lan-exempt"), "want auto, always or never")
		}
	}
	natm, err := nat.Parse(cmd.String("nat"))
	if err != nil {
		return cfg, flagError("nat", cmd.String("nat"), err.Error())
	}
	if natm != nil && (cmd.IsSet("nat") || cfg.NAT == nil) {
		cfg.NAT = natm
	} else if cmd.IsSet("nat") {
		cfg.NAT = nil // --nat none overrides the file
	}

	// Last, once every value passed: the key may be created on disk.
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
		key, err := loadKeyFile(file)
		if err != nil {
			return nil, fmt.Errorf("--nodekey: %v", err)
		}
		return key, nil
	case hex != "":
		key, err := crypto.HexToECDSA(hex)
		if err != nil {
			// Never echo the key material.
			return nil, fmt.Errorf("--nodekeyhex: %v", err)
		}
		return key, nil
	}
	file = filepath.Join(datadir, nodeKeyFile)
	key, err := crypto.LoadECDSA(file)
	if err == nil {
		return key, nil
	}
	if !errors.Is(err, os.ErrNotExist) {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fileError("node key", file, err)
		}
		return nil, err // it names the file
	}
	if err := os.MkdirAll(datadir, 0o700); err != nil {
		return nil, fileError("create data directory", datadir, err)
	}
	if key, err = crypto.GenerateKey(); err != nil {
		return nil, err
	}
	if err := crypto.SaveECDSA(file, key); err != nil {
		return nil, fileError("write node key", file, err)
	}
	return key, nil
}

// loadKeyFile reads a node key file; errors name file, not a path the
// library opened on the way.
func loadKeyFile(file string) (*ecdsa.PrivateKey, error) {
	key, err := crypto.LoadECDSA(file)
	if err != nil {
		var pe *fs.PathError
		if errors.As(err, &pe) {
			return nil, fileError("key file", file, err)
		}
		return nil, err
	}
	return key, nil
}
