package devp2p

import (
	"log/slog"

	"github.com/devp2p-go/devp2p/internal/lograte"
	"github.com/devp2p-go/devp2p/mclock"
)

// newConnLog returns the logger for rejected and failed connections: any
// stranger can cause those, so their debug lines are rate-limited per
// message, with a count of what was suppressed.
func newConnLog(l *slog.Logger, clock mclock.Clock) *slog.Logger {
	return lograte.New(l, lograte.Config{Now: clock.Wall})
}
