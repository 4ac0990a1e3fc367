package main

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/urfave/cli/v3"
)

// discEngine is what the ping, requestenr and resolve commands need of a
// discovery engine; v4.UDPv4 and v5.UDPv5 both have it, so one
// implementation of each command serves discv4 and discv5.
type discEngine interface {
	Ping(ctx context.Context, n *enode.Node) error
	RequestENR(ctx context.Context, n *enode.Node) (*enode.Node, error)
	Close()
}

// lookupFunc looks for the nodes closest to n in the network.
type lookupFunc func(ctx context.Context, n *enode.Node) []*enode.Node

// startEngine opens an engine with the command's flags and the given
// bootnodes.
type startEngine func(ctx context.Context, cmd *cli.Command, boot []*enode.Node) (discEngine, lookupFunc, error)

// queryArgs reads what every query command takes: the node and --timeout.
func queryArgs(ctx context.Context, cmd *cli.Command) (*enode.Node, time.Duration, error) {
	n, err := nodeArg(ctx, cmd)
	if err != nil {
		return nil, 0, err
	}
	timeout, err := timeoutFlag(cmd)
	if err != nil {
		return nil, 0, err
	}
	return n, timeout, nil
}

func pingCommand(start startEngine) cli.ActionFunc {
	return func(ctx context.Context, cmd *cli.Command) error {
		n, timeout, err := queryArgs(ctx, cmd)
		if err != nil {
			return err
		}
		disc, _, err := start(ctx, cmd, nil)
		if err != nil {
			return err
		}
		defer disc.Close()
		var took time.Duration
		err = untilTimeout(ctx, timeout, func(ctx context.Context) error {
			return untilAnswer(func() error {
				start := time.Now()
				err := disc.Ping(ctx, n)
				took = time.Since(start)
				return err
			})
		})
		if err != nil {
			return fmt.Errorf("ping %s: %v", endpointString(n), err)
		}
		fmt.Printf("pong from %s (%s) in %v\n", n.ID().TerminalString(), endpointString(n), took.Round(time.Microsecond))
		return nil
	}
}

func requestENRCommand(start startEngine) cli.ActionFunc {
	return func(ctx context.Context, cmd *cli.Command) error {
		n, timeout, err := queryArgs(ctx, cmd)
		if err != nil {
			return err
		}
		disc, _, err := start(ctx, cmd, nil)
		if err != nil {
			return err
		}
		defer disc.Close()
		var rec *enode.Node
		err = untilTimeout(ctx, timeout, func(ctx context.Context) error {
			return untilAnswer(func() (err error) {
				rec, err = disc.RequestENR(ctx, n)
				return err
			})
		})
		if err != nil {
			return fmt.Errorf("requestenr %s: %v", endpointString(n), err)
		}
		printRecord(os.Stdout, describeRecord(rec.Record()))
		return nil
	}
}

func resolveCommand(start startEngine) cli.ActionFunc {
	return func(ctx context.Context, cmd *cli.Command) error {
		n, timeout, err := queryArgs(ctx, cmd)
		if err != nil {
			return err
		}
		boot, err := parseNodeList(ctx, cmd.String("bootnodes"))
		if err != nil {
			return fmt.Errorf("--bootnodes: %v", err)
		}
		disc, lookup, err := start(ctx, cmd, boot)
		if err != nil {
			return err
		}
		defer disc.Close()
		if len(boot) == 0 {
			lookup = nil // nobody to ask where n went
		}
		var found *enode.Node
		err = untilTimeout(ctx, timeout, func(ctx context.Context) error {
			return untilAnswer(func() (err error) {
				found, err = resolveNode(ctx, disc, lookup, n)
				return err
			})
		})
		if err != nil {
			return fmt.Errorf("resolve %s (%s): %v", n.ID().TerminalString(), endpointString(n), err)
		}
		fmt.Println(found.String())
		return nil
	}
}

// resolveNode asks n for its record and, if it does not answer and lookup is
// set, looks for n in the network (it may have moved) and asks it there.
// Unlike the engines' Resolve, it tells "nobody answered" from an answer.
func resolveNode(ctx context.Context, disc discEngine, lookup lookupFunc, n *enode.Node) (*enode.Node, error) {
	rec, err := disc.RequestENR(ctx, n)
	if err == nil || lookup == nil {
		return rec, err
	}
	for _, c := range lookup(ctx, n) {
		if c.ID() != n.ID() {
			continue
		}
		if rec, cerr := disc.RequestENR(ctx, c); cerr == nil {
			return rec, nil
		}
	}
	return nil, err
}
