package main

import (
	"errors"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"strings"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/admin"
)

// ipcFile is the admin API's unix socket inside --datadir.
const ipcFile = "devp2p.ipc"

// adminFlags are the flags of `devp2p node` for the admin API.
var adminFlags = []cli.Flag{
	&cli.StringFlag{Name: "rpc.addr", Usage: "serve the admin API (JSON-RPC over HTTP and WebSocket) at this address, e.g. 127.0.0.1:8545; off by default, loopback only unless --rpc.allow-remote"},
	&cli.BoolFlag{Name: "rpc.allow-remote", Usage: "allow an --rpc.addr that is not loopback; needs --rpc.secret"},
	&cli.StringFlag{Name: "rpc.secret", Usage: "file holding a bearer token that HTTP and WebSocket clients must send (Authorization: Bearer <token>), at least 16 characters"},
	&cli.BoolFlag{Name: "ipc", Value: true, Usage: "serve the admin API on the unix socket " + ipcFile + " in --datadir (--ipc=false disables)"},
}

func init() { nodeCommand.Flags = append(nodeCommand.Flags, adminFlags...) }

// adminConfig builds the admin API's config from the flags and the
// --config file's keys (node_file_keys.go). It refuses what would expose
// the API: a non-loopback address without --rpc.allow-remote and a secret.
func adminConfig(cmd *cli.Command, app nodeFileKeys, log *slog.Logger) (admin.Config, error) {
	if cmd.IsSet("rpc.addr") {
		app.RPCAddr = cmd.String("rpc.addr")
	}
	if cmd.IsSet("rpc.allow-remote") {
		app.RPCAllowRemote = cmd.Bool("rpc.allow-remote")
	}
	if cmd.IsSet("rpc.secret") {
		app.RPCSecretFile = cmd.String("rpc.secret")
	}
	ipc := app.IPC == nil || *app.IPC
	if cmd.IsSet("ipc") {
		ipc = cmd.Bool("ipc")
	}
	cfg := admin.Config{HTTPAddr: app.RPCAddr, AllowRemote: app.RPCAllowRemote, Logger: log}
	if app.RPCSecretFile != "" {
		data, err := os.ReadFile(app.RPCSecretFile)
		if err != nil {
			return cfg, fileError("--rpc.secret", app.RPCSecretFile, err)
		}
		cfg.Secret = strings.TrimSpace(string(data))
		if len(cfg.Secret) < admin.MinSecretLen {
			// Never echo the secret.
			return cfg, fmt.Errorf("--rpc.secret %s: the token is %d characters, want at least %d", app.RPCSecretFile, len(cfg.Secret), admin.MinSecretLen)
		}
	}
	if cfg.HTTPAddr != "" {
		if why := checkListenAddr(cfg.HTTPAddr); why != "" {
			return cfg, flagError("rpc.addr", cfg.HTTPAddr, why)
		}
	}
	if ipc {
		cfg.IPCPath = filepath.Join(nodeDataDir(cmd), ipcFile)
	}
	switch err := cfg.Validate(); {
	case errors.Is(err, admin.ErrRemoteNotAllowed):
		return cfg, flagError("rpc.addr", cfg.HTTPAddr, "not a loopback address; the admin API changes the node's peers, so serving it remotely needs --rpc.allow-remote and --rpc.secret FILE")
	case errors.Is(err, admin.ErrNoSecret):
		return cfg, errors.New("--rpc.allow-remote needs --rpc.secret FILE: a bearer token that clients must send")
	case errors.Is(err, admin.ErrIPCPathTooLong):
		return cfg, fmt.Errorf("%v; or pass --ipc=false", err)
	case err != nil:
		return cfg, err
	}
	return cfg, nil
}

// nodeDataDir is the data directory of `devp2p node`, as nodeConfig
// finds it.
func nodeDataDir(cmd *cli.Command) string {
	if d := cmd.String("datadir"); d != "" {
		return d
	}
	return defaultDataDir()
}

// startAdmin starts the admin API of a running node, as adminConfig
// built and checked it, and prints where it listens. The returned function
// stops it.
func startAdmin(cfg admin.Config, srv *devp2p.Server) (func(), error) {
	if cfg.HTTPAddr == "" && cfg.IPCPath == "" {
		return func() {}, nil
	}
	api, err := admin.New(srv, cfg)
	if err != nil {
		return nil, err
	}
	if a := api.HTTPAddr(); a != nil {
		fmt.Printf("rpc      http://%s/ ws://%s/\n", a, a)
	}
	if p := api.IPCPath(); p != "" {
		fmt.Printf("ipc      %s\n", p)
	}
	return func() { api.Close() }, nil
}
