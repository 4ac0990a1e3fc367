package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v3"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := runApp(ctx, os.Args)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, errorLine(err))
		os.Exit(exitCode(err))
	}
}

// runApp runs the command line args and returns what went wrong.
func runApp(ctx context.Context, args []string) error {
	app, unknown := newApp()
	if err := app.Run(ctx, args); err != nil {
		return err
	}
	return unknown.err()
}

func newApp() (*cli.Command, *unknownCommand) {
	app := &cli.Command{
		Name:  "devp2p",
		Usage: "run an Ethereum devp2p node and the tools around one",
		Description: "devp2p is a Go implementation of Ethereum's peer-to-peer stack.\n" +
			"Start with 'devp2p devnet' to watch a small network form on this machine.",
		Version:               moduleVersion(),
		EnableShellCompletion: true,
		Flags:                 []cli.Flag{logFormatFlag},
		Before:                checkLogFormat,
		Commands: []*cli.Command{
			keyCommand,
			enrCommand,
			devnetCommand,
			nodeCommand,
			dnsCommand,
			discv4Command,
			discv5Command,
			nodesetCommand,
			rlpxCommand,
			simCommand,
		},
		// Errors are printed once, by main, as one line.
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
	}
	cli.VersionPrinter = printVersion
	unknown := new(unknownCommand)
	setUsageErrors(app, unknown)
	return app, unknown
}

// setUsageErrors makes every command report a bad flag or an unknown
// subcommand as one line naming the command, instead of a usage dump.
func setUsageErrors(cmd *cli.Command, unknown *unknownCommand) {
	cmd.OnUsageError = func(_ context.Context, cmd *cli.Command, err error, _ bool) error {
		if ferr := flagParseError(cmd, err); ferr != nil {
			return ferr
		}
		return usageErrorf(cmd, "%v", err)
	}
	cmd.CommandNotFound = unknown.record
	for _, sub := range cmd.Commands {
		setUsageErrors(sub, unknown)
	}
}
