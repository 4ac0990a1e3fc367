package main

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"net"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/nodedb"
)

var (
	discv4ListenFlag = &cli.StringFlag{
		Name:  "listen",
		Value: "0.0.0.0:0",
		Usage: "UDP address to send from (port 0 picks a free port)",
	}
	discv4BootnodesFlag = &cli.StringFlag{
		Name:  "bootnodes",
		Usage: "nodes to start from: comma-separated enode/enr, or a file with one per line",
	}
	// discv4AnswerTimeout bounds ping and requestenr: a node that is up
	// answers within a second; the rest is for lost packets, which are
	// sent again after each 500 ms reply timeout.
	discv4AnswerTimeout = &cli.DurationFlag{
		Name:  "timeout",
		Value: 5 * time.Second,
		Usage: "give up when NODE has not answered after this long",
	}
	// discv4ResolveTimeout leaves room for lookups through --bootnodes.
	discv4ResolveTimeout = &cli.DurationFlag{
		Name:  "timeout",
		Value: 20 * time.Second,
		Usage: "give up when no record of NODE was found after this long",
	}
)

var discv4Command = &cli.Command{
	Name:  "discv4",
	Usage: "talk to nodes over the discovery protocol v4 (UDP)",
	Commands: []*cli.Command{
		{
			Name:      "ping",
			Usage:     "send a Ping to NODE and wait for its Pong",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag, discv4AnswerTimeout},
			Action:    pingCommand(startV4Engine),
		},
		{
			Name:      "requestenr",
			Usage:     "ask NODE for its current node record (EIP-868)",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag, discv4AnswerTimeout},
			Action:    requestENRCommand(startV4Engine),
		},
		{
			Name:      "resolve",
			Usage:     "find the newest record of NODE: ask it, or look it up via --bootnodes",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag, discv4BootnodesFlag, discv4ResolveTimeout},
			Action:    resolveCommand(startV4Engine),
		},
		crawlCommand,
	},
}

// v4Endpoint is a discv4 engine and the in-memory node database it owns:
// Close closes both.
type v4Endpoint struct {
	*v4.UDPv4
	db *nodedb.DB
}

// Close stops the engine, then closes its database.
func (e *v4Endpoint) Close() {
	e.UDPv4.Close()
	e.db.Close()
}

// startV4 opens a discv4 endpoint with a throwaway key on --listen.
func startV4(ctx context.Context, cmd *cli.Command, bootnodes []*enode.Node) (*v4Endpoint, error) {
	listen := cmd.String("listen")
	if why := checkListenAddr(listen); why != "" {
		return nil, flagError("listen", listen, why)
	}
	addr, err := net.ResolveUDPAddr("udp", listen)
	if err != nil {
		return nil, flagError("listen", listen, err.Error())
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		return nil, err
	}
	disc, err := listenV4(addr, key, bootnodes)
	if err != nil {
		return nil, fmt.Errorf("--listen %s: %v", listen, err)
	}
	return disc, nil
}

// listenV4 opens a discv4 endpoint on addr with its own in-memory node
// database.
func listenV4(addr *net.UDPAddr, key *ecdsa.PrivateKey, bootnodes []*enode.Node) (*v4Endpoint, error) {
	conn, err := net.ListenUDP("udp", addr)
	if err != nil {
		return nil, err
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
	disc, err := v4.ListenV4(conn, ln, v4.Config{
		PrivateKey:  key,
		TableConfig: discover.TableConfig{DB: db, Bootnodes: bootnodes},
	})
	if err != nil {
		conn.Close()
		db.Close()
		return nil, err
	}
	return &v4Endpoint{disc, db}, nil
}

// startV4Engine opens a discv4 engine for the ping, requestenr and resolve
// commands (query.go).
func startV4Engine(ctx context.Context, cmd *cli.Command, boot []*enode.Node) (discEngine, lookupFunc, error) {
	disc, err := startV4(ctx, cmd, boot)
	if err != nil {
		return nil, nil, err
	}
	return disc, disc.Lookup, nil
}

func nodeArg(ctx context.Context, cmd *cli.Command) (*enode.Node, error) {
	arg, err := oneArg(cmd, "NODE")
	if err != nil {
		return nil, err
	}
	n, err := parseNode(ctx, arg)
	if err != nil {
		return nil, usageErrorf(cmd, "%v", err)
	}
	if _, ok := n.UDPEndpoint(); !ok {
		return nil, usageErrorf(cmd, "node %s has no UDP endpoint", n.ID().TerminalString())
	}
	return n, nil
}

func endpointString(n *enode.Node) string {
	if ep, ok := n.UDPEndpoint(); ok {
		return ep.String()
	}
	return "no endpoint"
}
