package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
)

// rlpxPingTimeout is the default bound of an rlpx ping: the TCP connect plus
// two handshake steps of at most 5 s each (rlpx.HandshakeTimeout).
const rlpxPingTimeout = 15 * time.Second

var rlpxCommand = &cli.Command{
	Name:  "rlpx",
	Usage: "talk to a node over RLPx (TCP)",
	Commands: []*cli.Command{
		{
			Name:      "ping",
			Usage:     "run the RLPx handshake and Hello exchange with NODE and show its Hello",
			ArgsUsage: "NODE (enode://... or enr:...)",
			Flags: []cli.Flag{
				&cli.DurationFlag{Name: "timeout", Value: rlpxPingTimeout, Usage: "give up after this long"},
			},
			Action: rlpxPing,
		},
	},
}

func rlpxPing(ctx context.Context, cmd *cli.Command) error {
	arg, err := oneArg(cmd, "NODE")
	if err != nil {
		return err
	}
	n, err := parseNode(ctx, arg)
	if err != nil {
		return err
	}
	key, err := crypto.GenerateKey()
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, cmd.Duration("timeout"))
	defer cancel()
	start := time.Now()
	info, err := devp2p.Probe(ctx, key, n)
	var reason devp2p.DiscReason
	switch {
	case errors.As(err, &reason):
		return fmt.Errorf("%s disconnected: %v", n.ID().TerminalString(), reason)
	case errors.Is(err, devp2p.ErrProbeWrongIdentity):
		return fmt.Errorf("%s: %v (its key gives node %s)", n.ID().TerminalString(), err, info.ID)
	case err != nil:
		return fmt.Errorf("%s: %v", n.ID().TerminalString(), err)
	}
	fmt.Printf("node     %s\n", info.ID)
	fmt.Printf("address  %s\n", info.RemoteAddr)
	fmt.Printf("name     %s\n", info.Name)
	fmt.Printf("version  %d\n", info.Version)
	caps := ""
	for i, c := range info.Caps {
		if i > 0 {
			caps += " "
		}
		caps += fmt.Sprintf("%s/%d", c.Name, c.Version)
	}
	if caps == "" {
		caps = "(none)"
	}
	fmt.Printf("caps     %s\n", caps)
	fmt.Printf("time     %v\n", time.Since(start).Round(time.Millisecond))
	return nil
}
