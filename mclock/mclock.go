package mclock

import "time"

// AbsTime is a point in monotonic time, in nanoseconds since an arbitrary
// origin. Only differences between AbsTimes of one clock mean anything.
type AbsTime int64

// Add returns t + d.
func (t AbsTime) Add(d time.Duration) AbsTime { return t + AbsTime(d) }

// Sub returns t - t2 as a duration.
func (t AbsTime) Sub(t2 AbsTime) time.Duration { return time.Duration(t - t2) }

// Clock is the interface components use for time, so that tests can swap in
// a Simulated clock.
type Clock interface {
	Now() AbsTime
	// Wall returns the calendar time, for what is stamped on packets or
	// stored across restarts (discv4 expirations, node database times).
	// Between two calls it moves as Now does, except that the System
	// clock follows adjustments of the host's clock.
	Wall() time.Time
	Sleep(time.Duration)
	NewTimer(time.Duration) ChanTimer
	After(time.Duration) <-chan AbsTime
	AfterFunc(d time.Duration, f func()) Timer
}

// Timer is a scheduled event that can be cancelled.
type Timer interface {
	// Stop cancels the timer. It returns false if the timer had already
	// fired or been stopped.
	Stop() bool
}

// ChanTimer is a Timer that delivers its firing time on a channel.
type ChanTimer interface {
	Timer
	// C returns the channel the timer fires on. It has a buffer of one.
	C() <-chan AbsTime
	// Reset stops the timer, discards a firing that was not received yet, and
	// schedules it to fire after d.
	Reset(d time.Duration)
}
