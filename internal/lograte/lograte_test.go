package lograte

import (
	"bytes"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

func newTestLogger(clock mclock.Clock) (*slog.Logger, *bytes.Buffer) {
	var buf bytes.Buffer
	base := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug - 4}))
	return New(base, Config{Lines: 3, Interval: time.Second, Now: clock.Wall}), &buf
}

func count(buf *bytes.Buffer, s string) int { return strings.Count(buf.String(), s) }

func TestLimitPerKind(t *testing.T) {
	var clock mclock.Simulated
	log, buf := newTestLogger(&clock)
	for range 100 {
		log.Debug("bad packet", "n", 1)
		log.Debug("bad conn")
	}
	if n := count(buf, "msg=\"bad packet\""); n != 3 {
		t.Fatalf("%d bad packet lines in the first window, want 3", n)
	}
	if n := count(buf, "msg=\"bad conn\""); n != 3 {
		t.Fatalf("%d bad conn lines, want 3 (kinds are limited separately)", n)
	}
	if count(buf, "Suppressed") != 0 {
		t.Fatal("suppressed line before the window ended")
	}
	clock.Run(time.Second)
	log.Debug("bad packet")
	if !strings.Contains(buf.String(), `msg="Suppressed log lines" kind="bad packet" count=97`) {
		t.Fatalf("no suppressed count:\n%s", buf)
	}
	if n := count(buf, "msg=\"bad packet\""); n != 4 {
		t.Fatalf("%d bad packet lines after the window, want 4", n)
	}
	// A window without drops reports none.
	clock.Run(time.Second)
	log.Debug("bad packet")
	if n := count(buf, "Suppressed"); n != 1 {
		t.Fatalf("%d suppressed lines, want 1", n)
	}
}

// TestUnlimitedLevels: Info and above, and trace levels below Debug, pass.
func TestUnlimitedLevels(t *testing.T) {
	var clock mclock.Simulated
	log, buf := newTestLogger(&clock)
	for range 10 {
		log.Info("status")
		log.Log(t.Context(), slog.LevelDebug-4, "trace")
	}
	if count(buf, "msg=status") != 10 || count(buf, "msg=trace") != 10 {
		t.Fatalf("unlimited levels were limited:\n%s", buf)
	}
}

// TestDerivedLoggersShare: loggers made with With count together.
func TestDerivedLoggersShare(t *testing.T) {
	var clock mclock.Simulated
	log, buf := newTestLogger(&clock)
	a, b := log.With("peer", "a"), log.WithGroup("g")
	for range 5 {
		a.Debug("x")
		b.Debug("x")
	}
	if n := count(buf, "msg=x"); n != 3 {
		t.Fatalf("%d lines, want 3", n)
	}
}

func TestKindsBounded(t *testing.T) {
	var clock mclock.Simulated
	log, _ := newTestLogger(&clock)
	for i := range 10 * maxKinds {
		log.Debug(strings.Repeat("k", i%1000) + string(rune('a'+i%26)))
	}
	st := log.Handler().(*handler).st
	if n := len(st.kinds); n > maxKinds+1 {
		t.Fatalf("%d kinds tracked", n)
	}
}
