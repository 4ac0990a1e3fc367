package dnsdisc

import (
	"log/slog"
	"testing"
)

// testLogger writes to t.Log at Debug, so that the logging of hostile
// values runs in every test.
func testLogger(t testing.TB) *slog.Logger {
	return slog.New(slog.NewTextHandler(tWriter{t}, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

type tWriter struct{ t testing.TB }

func (w tWriter) Write(b []byte) (int, error) {
	w.t.Log(string(b))
	return len(b), nil
}
