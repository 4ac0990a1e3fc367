package lograte

import (
	"context"
	"log/slog"
	"sync"
	"time"
)

// Defaults of Config.
const (
	DefaultLines    = 20
	DefaultInterval = 10 * time.Second

	// maxKinds bounds the kinds tracked. Kinds are log messages, which
	// are constants in the code, so this is never reached in practice;
	// past it, all new kinds share one window.
	maxKinds = 256
)

// Config sets the limit. Zero fields take their defaults.
type Config struct {
	Lines    int           // records per kind per interval
	Interval time.Duration // length of a window
	// Now tells the time (pass an mclock.Clock's Wall to share a
	// simulated clock). Default time.Now.
	Now func() time.Time
}

// New returns a logger that writes to l's handler with the limit applied.
func New(l *slog.Logger, cfg Config) *slog.Logger {
	if cfg.Lines <= 0 {
		cfg.Lines = DefaultLines
	}
	if cfg.Interval <= 0 {
		cfg.Interval = DefaultInterval
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	st := &state{cfg: cfg, kinds: make(map[string]*window)}
	return slog.New(&handler{inner: l.Handler(), st: st})
}

// state is shared by a logger and those derived from it (With, WithGroup),
// so that they count together.
type state struct {
	cfg   Config
	mu    sync.Mutex
	kinds map[string]*window
}

type window struct {
	start      time.Time
	lines      int // written in this window
	suppressed int // dropped in this window
}

// allow reports whether a record of kind may be written now, and how many
// of its kind were suppressed in the window that just ended.
func (s *state) allow(kind string) (ok bool, suppressed int) {
	now := s.cfg.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	w := s.kinds[kind]
	if w == nil {
		if len(s.kinds) >= maxKinds {
			kind = ""
			w = s.kinds[kind]
		}
		if w == nil {
			w = &window{start: now}
			s.kinds[kind] = w
		}
	}
	if now.Sub(w.start) >= s.cfg.Interval {
		suppressed = w.suppressed
		*w = window{start: now}
	}
	if w.lines >= s.cfg.Lines {
		w.suppressed++
		return false, suppressed
	}
	w.lines++
	return true, suppressed
}

type handler struct {
	inner slog.Handler
	st    *state
}

// limited reports whether records at level l are subject to the limit.
func limited(l slog.Level) bool { return l >= slog.LevelDebug && l < slog.LevelInfo }

func (h *handler) Enabled(ctx context.Context, l slog.Level) bool { return h.inner.Enabled(ctx, l) }

func (h *handler) Handle(ctx context.Context, r slog.Record) error {
	if !limited(r.Level) {
		return h.inner.Handle(ctx, r)
	}
	ok, suppressed := h.st.allow(r.Message)
	if suppressed > 0 {
		note := slog.NewRecord(r.Time, r.Level, "Suppressed log lines", r.PC)
		note.AddAttrs(slog.String("kind", r.Message), slog.Int("count", suppressed))
		if err := h.inner.Handle(ctx, note); err != nil {
			return err
		}
	}
	if !ok {
		return nil
	}
	return h.inner.Handle(ctx, r)
}

func (h *handler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &handler{inner: h.inner.WithAttrs(attrs), st: h.st}
}

func (h *handler) WithGroup(name string) slog.Handler {
	return &handler{inner: h.inner.WithGroup(name), st: h.st}
}
