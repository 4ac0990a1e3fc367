package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v5"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/nodedb"
)

// discv5StatusCheck is how often listen looks at its table size; it prints
// a line when the size changed.
const discv5StatusCheck = time.Second

var discv5NodekeyFlag = &cli.StringFlag{
	Name:  "nodekey",
	Usage: "key FILE (from 'devp2p key generate') for a stable node ID; default: a new key",
}

// discv5Command has discv4's commands, with the same flags, and listen.
var discv5Command = &cli.Command{
	Name:  "discv5",
	Usage: "talk to nodes over the discovery protocol v5 (UDP)",
	Commands: []*cli.Command{
		{
			Name:      "ping",
			Usage:     "send a PING to NODE and wait for its PONG",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag, discv4AnswerTimeout},
			Action:    pingCommand(startV5Engine),
		},
		{
			Name:      "requestenr",
			Usage:     "ask NODE for its current node record (FINDNODE at distance 0)",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag, discv4AnswerTimeout},
			Action:    requestENRCommand(startV5Engine),
		},
		{
			Name:      "resolve",
			Usage:     "find the newest record of NODE: ask it, or look it up via --bootnodes",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag, discv4BootnodesFlag, discv4ResolveTimeout},
			Action:    resolveCommand(startV5Engine),
		},
		{
			Name:      "crawl",
			Usage:     "find the nodes of a discv5 network and write them to FILE (node-set JSON); an existing FILE is updated",
			ArgsUsage: "FILE",
			Flags:     []cli.Flag{discv4ListenFlag, discv4BootnodesFlag, crawlTimeoutFlag, crawlRecheckFlag},
			Action: func(ctx context.Context, cmd *cli.Command) error {
				return runCrawl(ctx, cmd, func(boot []*enode.Node) (crawlEngine, error) {
					disc, err := startV5(cmd, nil, boot)
					if err != nil {
						return nil, err
					}
					return crawlTable{disc}, nil
				})
			},
		},
		{
			Name:   "listen",
			Usage:  "run a discv5 node (e.g. a bootnode) until interrupted; print its record, then its table size when it changes",
			Flags:  []cli.Flag{discv4ListenFlag, discv4BootnodesFlag, discv5NodekeyFlag},
			Action: discv5Listen,
		},
	},
}

// v5Endpoint is a discv5 engine and the in-memory node database it owns:
// Close closes both.
type v5Endpoint struct {
	*v5.UDPv5
	db *nodedb.DB
}

// Close stops the engine, then closes its database.
func (e *v5Endpoint) Close() {
	e.UDPv5.Close()
	e.db.Close()
}

// startV5 opens a discv5 endpoint on --listen, with key or a throwaway key.
func startV5(cmd *cli.Command, key *ecdsa.PrivateKey, bootnodes []*enode.Node) (*v5Endpoint, error) {
	listen := cmd.String("listen")
	if why := checkListenAddr(listen); why != "" {
		return nil, flagError("listen", listen, why)
	}
	addr, err := net.ResolveUDPAddr("udp", listen)
	if err != nil {
		return nil, flagError("listen", listen, err.Error())
	}
	if key == nil {
		if key, err = crypto.GenerateKey(); err != nil {
			return nil, err
		}
	}
	conn, err := net.ListenUDP("udp", addr)
	if err != nil {
		var opErr *net.OpError
		if errors.As(err, &opErr) {
			err = opErr.Err // without the address, which the message names already
		}
		return nil, fmt.Errorf("--listen %s: %v", listen, err)
	}
	db, err := nodedb.Open(nodedb.Config{})
	if err != nil {
		conn.Close()
		return nil, err
	}
	ln := enode.NewLocalNode(db, key)
	local := conn.LocalAddr().(*net.UDPAddr)
	ln.SetListenIP(local.AddrPort().Addr()) // only the families the socket serves
	ln.SetFallbackUDP(local.Port)
	disc, err := v5.ListenV5(conn, ln, v5.Config{PrivateKey: key, TableConfig: discover.TableConfig{DB: db, Bootnodes: bootnodes}})
	if err != nil {
		conn.Close()
		db.Close()
		return nil, err
	}
	return &v5Endpoint{disc, db}, nil
}

// startV5Engine opens a discv5 engine for the ping, requestenr and resolve
// commands (query.go).
func startV5Engine(ctx context.Context, cmd *cli.Command, boot []*enode.Node) (discEngine, lookupFunc, error) {
	disc, err := startV5(cmd, nil, boot)
	if err != nil {
		return nil, nil, err
	}
	lookup := func(ctx context.Context, n *enode.Node) []*enode.Node { return disc.Lookup(ctx, n.ID()) }
	return disc, lookup, nil
}

func discv5Listen(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() > 0 {
		return usageErrorf(cmd, "unexpected argument %q", cmd.Args().First())
	}
	var key *ecdsa.PrivateKey
	if file := cmd.String("nodekey"); file != "" {
		var err error
		if key, err = loadKeyFile(file); err != nil {
			return fmt.Errorf("--nodekey: %v", err)
		}
	}
	boot, err := parseNodeList(ctx, cmd.String("bootnodes"))
	if err != nil {
		return fmt.Errorf("--bootnodes: %v", err)
	}
	disc, err := startV5(cmd, key, boot)
	if err != nil {
		return err
	}
	defer disc.Close()
	self := disc.Self()
	fmt.Printf("node     %s\n", self.ID())
	fmt.Printf("enr      %s\n", self.String())
	check := time.NewTicker(discv5StatusCheck)
	defer check.Stop()
	last := -1
	for {
		select {
		case <-check.C:
			if n := disc.Table().Len(); n != last {
				fmt.Printf("table    %d nodes\n", n)
				last = n
			}
		case <-ctx.Done():
			fmt.Println("stopping")
			disc.Close()
			fmt.Println("stopped")
			return nil
		}
	}
}
