package mclock

import "time"

// start is the origin of System time. time.Since uses the monotonic reading
// that time.Now carries, so wall-clock jumps do not affect AbsTime.
var start = time.Now()

// Now returns the current monotonic time of the System clock.
func Now() AbsTime { return AbsTime(time.Since(start)) }

// System is the real clock.
type System struct{}

var _ Clock = System{}

// Now returns the current monotonic time.
func (System) Now() AbsTime { return Now() }

// Wall returns time.Now().
func (System) Wall() time.Time { return time.Now() }

// Sleep blocks for d.
func (System) Sleep(d time.Duration) { time.Sleep(d) }

// NewTimer returns a timer that fires once after d.
func (System) NewTimer(d time.Duration) ChanTimer {
	t := &systemTimer{c: make(chan AbsTime, 1)}
	t.t = time.AfterFunc(d, t.fire)
	return t
}

// After returns a channel that receives the time once d has passed.
func (c System) After(d time.Duration) <-chan AbsTime { return c.NewTimer(d).C() }

// AfterFunc runs f on its own goroutine after d.
func (System) AfterFunc(d time.Duration, f func()) Timer { return time.AfterFunc(d, f) }

// systemTimer adapts time.Timer to deliver AbsTime values.
type systemTimer struct {
	t *time.Timer
	c chan AbsTime
}

func (t *systemTimer) fire() {
	select {
	case t.c <- Now():
	default: // a value is already waiting; like time.Timer, keep one
	}
}

func (t *systemTimer) C() <-chan AbsTime { return t.c }

func (t *systemTimer) Stop() bool { return t.t.Stop() }

func (t *systemTimer) Reset(d time.Duration) {
	t.t.Stop()
	// Drop a stale value so the next receive sees the new deadline. A fire
	// already running when Stop was called may still deliver one; callers
	// that care check the time they receive, as with time.Timer before Go 1.23.
	select {
	case <-t.c:
	default:
	}
	t.t.Reset(d)
}
