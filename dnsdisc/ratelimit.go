package dnsdisc

import (
	"context"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

// rateLimiter is a token bucket on the injected clock: burst queries at
// once, then rate per second. It guards every entry lookup, cached or not,
// so that a client whose entries are all cached cannot spin (go-ethereum
// moved its limiter before the cache check for this reason).
type rateLimiter struct {
	clock mclock.Clock
	rate  float64 // tokens per second
	burst float64

	mu     sync.Mutex
	tokens float64
	last   mclock.AbsTime
}

func newRateLimiter(clock mclock.Clock, rate float64, burst int) *rateLimiter {
	return &rateLimiter{clock: clock, rate: rate, burst: float64(burst), tokens: float64(burst), last: clock.Now()}
}

// wait takes one token, waiting on the clock until there is one or ctx is
// done.
func (l *rateLimiter) wait(ctx context.Context) error {
	l.mu.Lock()
	now := l.clock.Now()
	l.tokens += time.Duration(now-l.last).Seconds() * l.rate
	l.tokens = min(l.tokens, l.burst)
	l.last = now
	l.tokens-- // reserve; a negative balance is the wait of this caller
	deficit := -l.tokens
	l.mu.Unlock()
	if deficit <= 0 {
		return nil
	}
	d := time.Duration(deficit / l.rate * float64(time.Second))
	t := l.clock.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C():
		return nil
	case <-ctx.Done():
		l.mu.Lock()
		l.tokens++ // give the reservation back
		l.mu.Unlock()
		return ctx.Err()
	}
}
