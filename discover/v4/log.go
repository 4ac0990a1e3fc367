package v4

import (
	"context"
	"log/slog"
)

// levelTrace is below Debug: per-packet logs.
const levelTrace = slog.LevelDebug - 4

// logger skips building log records that are disabled; per-packet logging
// is on the hot path. Its Debug lines are rate-limited (internal/lograte):
// any stranger can make us drop a packet.
type logger struct{ l *slog.Logger }

func (l logger) debug(msg string, args ...any) {
	if l.l.Enabled(context.Background(), slog.LevelDebug) {
		l.l.Debug(msg, args...)
	}
}

func (l logger) trace(msg string, args ...any) {
	if l.l.Enabled(context.Background(), levelTrace) {
		l.l.Log(context.Background(), levelTrace, msg, args...)
	}
}
