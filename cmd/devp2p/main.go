package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/urfave/cli/v3"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	err := newApp().Run(ctx, os.Args)
	stop()
	if err != nil {
		fmt.Fprintln(os.Stderr, "devp2p:", err)
		code := 1
		var coder cli.ExitCoder
		if errors.As(err, &coder) && coder.ExitCode() != 0 {
			code = coder.ExitCode()
		}
		os.Exit(code)
	}
}

func newApp() *cli.Command {
	app := &cli.Command{
		Name:  "devp2p",
		Usage: "run an Ethereum devp2p node and the tools around one",
		Description: "devp2p is a Go implementation of Ethereum's peer-to-peer stack.\n" +
			"Start with 'devp2p devnet' to watch a small network form on this machine.",
		EnableShellCompletion: true,
		Commands: []*cli.Command{
			keyCommand,
			enrCommand,
			devnetCommand,
			nodeCommand,
			discv4Command,
			rlpxCommand,
		},
		// Errors are printed once, by main, as one line.
		ExitErrHandler: func(context.Context, *cli.Command, error) {},
	}
	setUsageErrors(app)
	return app
}

// setUsageErrors makes every command report a bad flag as one line naming
// the command, instead of a usage dump.
func setUsageErrors(cmd *cli.Command) {
	cmd.OnUsageError = func(_ context.Context, cmd *cli.Command, err error, _ bool) error {
		return usageErrorf(cmd, "%v", err)
	}
	for _, sub := range cmd.Commands {
		setUsageErrors(sub)
	}
}

// usageErrorf reports a problem with the command line itself.
func usageErrorf(cmd *cli.Command, format string, args ...any) error {
	return fmt.Errorf("%s: %s (see '%s --help')", cmd.FullName(), fmt.Sprintf(format, args...), cmd.FullName())
}
