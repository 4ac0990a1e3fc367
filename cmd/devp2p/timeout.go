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

// closer is an endpoint whose Close ends the requests running on it.
type closer interface{ Close() }

// untilTimeout runs f and gives up after d or when ctx ends (Ctrl-C):
// closing ep makes f's requests return, so f is never left running.
func untilTimeout(ctx context.Context, ep closer, d time.Duration, f func() error) error {
	done := make(chan error, 1)
	go func() { done <- f() }()
	timer := time.NewTimer(d)
	defer timer.Stop()
	select {
	case err := <-done:
		return err
	case <-timer.C:
		ep.Close()
		<-done
		return fmt.Errorf("no answer within %v", d)
	case <-ctx.Done():
		ep.Close()
		<-done
		return ctx.Err()
	}
}

// untilAnswer runs the request f again as long as it times out: UDP loses
// packets, and each discovery request waits only 500 ms (v4) or 700 ms (v5)
// for its reply. Any other outcome (an answer, a closed endpoint, a bad
// reply) ends the loop, so untilTimeout's Close ends it too.
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
