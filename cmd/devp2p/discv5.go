package main

import (
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"net"
	"os"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/v5"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/nodedb"
)

const (
	// discv5RetryPause spaces the requests of ping and resolve when one
	// fails at once (a write error) rather than by timing out.
	discv5RetryPause = 250 * time.Millisecond
	// discv5StatusCheck is how often listen looks at its table size; it
	// prints a line when the size changed.
	discv5StatusCheck = time.Second
)

var (
	// discv5AnswerTimeout bounds ping and requestenr: a node that is up
	// answers within a second; the rest is for lost packets, sent again.
	discv5AnswerTimeout = &cli.DurationFlag{
		Name:  "timeout",
		Value: 5 * time.Second,
		Usage: "give up when NODE has not answered after this long",
	}
	// discv5ResolveTimeout leaves room for lookups through --bootnodes.
	discv5ResolveTimeout = &cli.DurationFlag{
		Name:  "timeout",
		Value: 20 * time.Second,
		Usage: "give up when no record of NODE was found after this long",
	}
	discv5NodekeyFlag = &cli.StringFlag{
		Name:  "nodekey",
		Usage: "key FILE (from 'devp2p key generate') for a stable node ID; default: a new key",
	}
)

var discv5Command = &cli.Command{
	Name:  "discv5",
	Usage: "talk to nodes over the discovery protocol v5 (UDP)",
	Commands: []*cli.Command{
		{
			Name:      "ping",
			Usage:     "send a PING to NODE and wait for its PONG",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag, discv5AnswerTimeout},
			Action:    discv5Ping,
		},
		{
			Name:      "requestenr",
			Usage:     "ask NODE for its current node record (FINDNODE at distance 0)",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag, discv5AnswerTimeout},
			Action:    discv5RequestENR,
		},
		{
			Name:      "resolve",
			Usage:     "find the newest record of NODE: ask it, or look it up via --bootnodes",
			ArgsUsage: "NODE",
			Flags:     []cli.Flag{discv4ListenFlag, discv4BootnodesFlag, discv5ResolveTimeout},
			Action:    discv5Resolve,
		},
		{
			Name:      "crawl",
			Usage:     "find the nodes of a discv5 network and write them to FILE (node-set JSON); an existing FILE is updated",
			ArgsUsage: "FILE",
			Flags:     []cli.Flag{discv4ListenFlag, discv4BootnodesFlag, crawlTimeoutFlag},
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

// startV5 opens a discv5 endpoint on --listen, with key or a throwaway key.
func startV5(cmd *cli.Command, key *ecdsa.PrivateKey, bootnodes []*enode.Node) (*v5.UDPv5, error) {
	addr, err := net.ResolveUDPAddr("udp", cmd.String("listen"))
	if err != nil {
		return nil, usageErrorf(cmd, "invalid --listen %q: %v", cmd.String("listen"), err)
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
		return nil, fmt.Errorf("--listen %s: %v", cmd.String("listen"), err)
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
	disc, err := v5.ListenV5(conn, ln, v5.Config{PrivateKey: key, DB: db, Bootnodes: bootnodes})
	if err != nil {
		conn.Close()
		db.Close()
		return nil, err
	}
	return disc, nil
}

func discv5Ping(ctx context.Context, cmd *cli.Command) error {
	n, err := nodeArg(ctx, cmd)
	if err != nil {
		return err
	}
	timeout, err := positiveTimeout(cmd)
	if err != nil {
		return err
	}
	disc, err := startV5(cmd, nil, nil)
	if err != nil {
		return err
	}
	defer disc.Close()
	start := time.Now()
	if err := askUntil(ctx, timeout, disc.Close, func() error { return disc.Ping(n) }); err != nil {
		return fmt.Errorf("ping %s: %v", endpointString(n), err)
	}
	fmt.Printf("pong from %s (%s) in %v\n", n.ID().TerminalString(), endpointString(n), time.Since(start).Round(time.Microsecond))
	return nil
}

func discv5RequestENR(ctx context.Context, cmd *cli.Command) error {
	n, err := nodeArg(ctx, cmd)
	if err != nil {
		return err
	}
	timeout, err := positiveTimeout(cmd)
	if err != nil {
		return err
	}
	disc, err := startV5(cmd, nil, nil)
	if err != nil {
		return err
	}
	defer disc.Close()
	var rec *enode.Node
	err = askUntil(ctx, timeout, disc.Close, func() (err error) {
		rec, err = disc.RequestENR(n)
		return err
	})
	if err != nil {
		return fmt.Errorf("requestenr %s: %v", endpointString(n), err)
	}
	printRecord(os.Stdout, describeRecord(rec.Record()))
	return nil
}

func discv5Resolve(ctx context.Context, cmd *cli.Command) error {
	n, err := nodeArg(ctx, cmd)
	if err != nil {
		return err
	}
	timeout, err := positiveTimeout(cmd)
	if err != nil {
		return err
	}
	boot, err := parseNodeList(ctx, cmd.String("bootnodes"))
	if err != nil {
		return usageErrorf(cmd, "--bootnodes: %v", err)
	}
	disc, err := startV5(cmd, nil, boot)
	if err != nil {
		return err
	}
	defer disc.Close()
	var found *enode.Node
	err = askUntil(ctx, timeout, disc.Close, func() error {
		rec, err := disc.RequestENR(n)
		if err == nil {
			found = rec
			return nil
		}
		// The node may have moved: the network knows where to.
		if len(boot) > 0 {
			for _, r := range disc.Lookup(n.ID()) {
				if r.ID() == n.ID() {
					found = r
					return nil
				}
			}
		}
		return err
	})
	if err != nil {
		return fmt.Errorf("resolve %s (%s): %v", n.ID().TerminalString(), endpointString(n), err)
	}
	if found.Seq() < n.Seq() {
		found = n // what we were given is newer than what we found
	}
	fmt.Println(found.String())
	return nil
}

func discv5Listen(ctx context.Context, cmd *cli.Command) error {
	if cmd.NArg() > 0 {
		return usageErrorf(cmd, "unexpected argument %q", cmd.Args().First())
	}
	var key *ecdsa.PrivateKey
	if file := cmd.String("nodekey"); file != "" {
		var err error
		if key, err = crypto.LoadECDSA(file); err != nil {
			return fmt.Errorf("invalid --nodekey: %v", err)
		}
	}
	boot, err := parseNodeList(ctx, cmd.String("bootnodes"))
	if err != nil {
		return usageErrorf(cmd, "--bootnodes: %v", err)
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

// positiveTimeout reads --timeout, which must be > 0.
func positiveTimeout(cmd *cli.Command) (time.Duration, error) {
	d := cmd.Duration("timeout")
	if d <= 0 {
		return 0, usageErrorf(cmd, "--timeout must be > 0, got %v", d)
	}
	return d, nil
}

// askUntil runs try until it succeeds or timeout passes. A request may
// be lost on the way (UDP), so one more is sent while time is left. When
// time is up it calls stop (closing the engine fails the request in flight)
// and waits for try to return.
func askUntil(ctx context.Context, timeout time.Duration, stop func(), try func() error) error {
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	done := make(chan error, 1)
	go func() {
		for {
			err := try()
			if err == nil || ctx.Err() != nil {
				done <- err
				return
			}
			select {
			case <-time.After(discv5RetryPause):
			case <-ctx.Done():
				done <- err
				return
			}
		}
	}()
	select {
	case err := <-done:
		if err != nil && ctx.Err() != nil {
			return noAnswer(timeout, err)
		}
		return err
	case <-ctx.Done():
		stop()
		if err := <-done; err == nil {
			return nil // it answered just in time
		}
		return noAnswer(timeout, nil)
	}
}

func noAnswer(timeout time.Duration, last error) error {
	if last == nil || errors.Is(last, context.DeadlineExceeded) {
		return fmt.Errorf("no answer within %v", timeout)
	}
	return fmt.Errorf("no answer within %v (last: %v)", timeout, last)
}
