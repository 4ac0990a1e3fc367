package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/urfave/cli/v3"

	"github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/discover/v5"
)

// timeoutFlag reads the command's --timeout, which must be positive.
func timeoutFlag(cmd *cli.Command) (time.Duration, error) {
	d := cmd.Duration("timeout")
	if d <= 0 {
		return 0, flagError("timeout", d, "want a positive duration")
	}
	return d, nil
}

// untilTimeout runs f with a context that ends after d or when ctx ends
// (Ctrl-C). f's requests take that context, so they return when it ends
// and f is never left running. The engine stays open for the caller.
func untilTimeout(ctx context.Context, d time.Duration, f func(ctx context.Context) error) error {
	tctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	err := f(tctx)
	switch {
	case err == nil:
		return nil
	case ctx.Err() != nil:
		return ctx.Err()
	case tctx.Err() != nil:
		return fmt.Errorf("no answer within %v", d)
	}
	return err
}

// untilAnswer runs the request f again as long as it times out: UDP loses
// packets, and each discovery request waits only 500 ms (v4) or 700 ms (v5)
// for its reply. Any other outcome (an answer, a closed endpoint, a bad
// reply, a context that ended) ends the loop, so untilTimeout's deadline
// ends it too.
func untilAnswer(f func() error) error {
	for {
		err := f()
		if err == nil || !isReplyTimeout(err) {
			return err
		}
	}
}

func isReplyTimeout(err error) bool {
	return errors.Is(err, v4.ErrTimeout) || errors.Is(err, v5.ErrTimeout)
}
