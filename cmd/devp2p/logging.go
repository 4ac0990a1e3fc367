package main

import (
	"context"
	"io"
	"log/slog"
	"os"

	"github.com/urfave/cli/v3"
)

// logFormatFlag is global: every command that logs (node, devnet) writes
// in this format.
var logFormatFlag = &cli.StringFlag{
	Name:  "log.format",
	Value: "text",
	Usage: "format of the logs on stderr: text (key=value) or json (one object a line)",
}

// checkLogFormat refuses an unknown --log.format before any command runs.
func checkLogFormat(ctx context.Context, cmd *cli.Command) (context.Context, error) {
	switch f := cmd.String(logFormatFlag.Name); f {
	case "text", "json":
		return ctx, nil
	default:
		return ctx, flagError(logFormatFlag.Name, f, "want text or json")
	}
}

// newLogger maps --verbosity and --log.format to a slog handler on stderr.
func newLogger(cmd *cli.Command) (*slog.Logger, error) {
	v := cmd.Int("verbosity")
	var level slog.Level
	switch v {
	case 0:
		return slog.New(slog.NewTextHandler(io.Discard, nil)), nil
	case 1:
		level = slog.LevelError
	case 2:
		level = slog.LevelWarn
	case 3:
		level = slog.LevelInfo
	case 4:
		level = slog.LevelDebug
	case 5:
		level = slog.LevelDebug - 4
	default:
		return nil, flagError("verbosity", v, "want 0-5")
	}
	opts := &slog.HandlerOptions{Level: level}
	if cmd.String(logFormatFlag.Name) == "json" {
		return slog.New(slog.NewJSONHandler(os.Stderr, opts)), nil
	}
	return slog.New(slog.NewTextHandler(os.Stderr, opts)), nil
}
