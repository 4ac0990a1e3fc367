package main

import (
	"context"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/crypto"
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
)

var discv4Command = &cli.Command{
	Name:  "discv4",
	Usage: "talk to nodes over the discovery protocol v4 (UDP)",
	Commands: []*cli.Command{
		{
			Name:      "ping",
			Usage:     "send a Ping to NODE and wait for its Pong",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag},
			Action:    discv4Ping,
		},
		{
			Name:      "requestenr",
			Usage:     "ask NODE for its current node record (EIP-868)",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag},
			Action:    discv4RequestENR,
		},
		{
			Name:      "resolve",
			Usage:     "find the newest record of NODE: ask it, or look it up via --bootnodes",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag, discv4BootnodesFlag},
			Action:    discv4Resolve,
		},
		crawlCommand,
	},
}

// startV4 opens a discv4 endpoint with a throwaway key on --listen.
func startV4(ctx context.Context, cmd *cli.Command, bootnodes []*enode.Node) (*v4.UDPv4, error) {
	addr, err := net.ResolveUDPAddr("udp", cmd.String("listen"))
	if err != nil {
		return nil, usageErrorf(cmd, "invalid --listen %q: %v", cmd.String("listen"), err)
	}
	conn, err := net.ListenUDP("udp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen: %v", err)
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		conn.Close()
		return nil, err
	}
	db, _ := nodedb.Open("")
	ln := enode.NewLocalNode(db, key)
	local := conn.LocalAddr().(*net.UDPAddr)
	ip := local.IP
	if ip.IsUnspecified() {
		ip = net.IP{127, 0, 0, 1}
	}
	ln.SetFallbackIP(ip)
	ln.SetFallbackUDP(local.Port)
	disc, err := v4.ListenV4(conn, ln, v4.Config{PrivateKey: key, DB: db, Bootnodes: bootnodes})
	if err != nil {
		conn.Close()
		db.Close()
		return nil, err
	}
	return disc, nil
}

func discv4Ping(ctx context.Context, cmd *cli.Command) error {
	n, err := nodeArg(ctx, cmd)
	if err != nil {
		return err
	}
	disc, err := startV4(ctx, cmd, nil)
	if err != nil {
		return err
	}
	defer disc.Close()
	start := time.Now()
	if err := disc.Ping(n); err != nil {
		return fmt.Errorf("ping %s: %v", endpointString(n), err)
	}
	fmt.Printf("pong from %s (%s) in %v\n", n.ID().TerminalString(), endpointString(n), time.Since(start).Round(time.Microsecond))
	return nil
}

func discv4RequestENR(ctx context.Context, cmd *cli.Command) error {
	n, err := nodeArg(ctx, cmd)
	if err != nil {
		return err
	}
	disc, err := startV4(ctx, cmd, nil)
	if err != nil {
		return err
	}
	defer disc.Close()
	rec, err := disc.RequestENR(n)
	if err != nil {
		return fmt.Errorf("requestenr %s: %v", endpointString(n), err)
	}
	printRecord(os.Stdout, describeRecord(rec.Record()))
	return nil
}

func discv4Resolve(ctx context.Context, cmd *cli.Command) error {
	n, err := nodeArg(ctx, cmd)
	if err != nil {
		return err
	}
	boot, err := parseNodeList(ctx, cmd.String("bootnodes"))
	if err != nil {
		return usageErrorf(cmd, "--bootnodes: %v", err)
	}
	disc, err := startV4(ctx, cmd, boot)
	if err != nil {
		return err
	}
	defer disc.Close()
	r := disc.Resolve(n)
	if r.Record().Signature() == nil {
		return fmt.Errorf("no record of %s found", n.ID().TerminalString())
	}
	fmt.Println(r.String())
	return nil
}

// nodeArg parses the single NODE argument.
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
