package mclock

import (
	"container/heap"
	"sync"
	"time"
)

// Simulated is a Clock whose time moves only when Run or AdvanceTo is called.
// Timers fire in deadline order (ties in the order they were scheduled) on the
// goroutine that advances the clock; AfterFunc callbacks run there too, with
// the clock's lock released, so they may schedule or stop timers. The zero
// value is ready to use, starting at time 0 (SimulatedEpoch on the wall
// clock). It is safe for concurrent use.
//
// A timer scheduled with d <= 0 is due at once and fires on the next Run,
// including Run(0). Sleep with d <= 0 returns at once.
type Simulated struct {
	runMu sync.Mutex // serialises Run and AdvanceTo

	mu        sync.Mutex
	cond      *sync.Cond // signalled when a timer is scheduled; created lazily
	now       AbsTime
	scheduled simTimerHeap
	seq       uint64 // tie-breaker: scheduling order
}

var _ Clock = (*Simulated)(nil)

// SimulatedEpoch is the wall-clock time of a Simulated clock at time 0. It is
// fixed so that simulations stamp the same times on every run.
var SimulatedEpoch = time.Date(2025, time.January, 1, 0, 0, 0, 0, time.UTC)

// simTimer is a timer of a Simulated clock.
type simTimer struct {
	s     *Simulated
	at    AbsTime
	seq   uint64
	index int          // position in s.scheduled; -1 when not scheduled
	do    func()       // AfterFunc callback; nil for channel timers
	ch    chan AbsTime // nil for AfterFunc timers
}

// Run moves time forward by d, firing every timer that falls due on the way.
func (s *Simulated) Run(d time.Duration) {
	s.mu.Lock()
	end := s.now.Add(d)
	s.mu.Unlock()
	s.AdvanceTo(end)
}

// AdvanceTo moves time forward to end, firing every timer due by then. If end
// is before the current time, only timers that are already due fire.
func (s *Simulated) AdvanceTo(end AbsTime) {
	s.runMu.Lock()
	defer s.runMu.Unlock()
	for {
		s.mu.Lock()
		if len(s.scheduled) == 0 || s.scheduled[0].at > end {
			if end > s.now {
				s.now = end
			}
			s.mu.Unlock()
			return
		}
		t := heap.Pop(&s.scheduled).(*simTimer)
		if t.at > s.now {
			s.now = t.at
		}
		if t.ch != nil {
			// Channel timers deliver under the lock (the send never blocks),
			// so a concurrent Reset cannot see a half-fired timer.
			select {
			case t.ch <- s.now:
			default: // a value is already waiting
			}
			s.mu.Unlock()
			continue
		}
		s.mu.Unlock()
		t.do()
	}
}

// ActiveTimers returns the number of timers that have not fired or been stopped.
func (s *Simulated) ActiveTimers() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.scheduled)
}

// WaitForTimers blocks until at least n timers are scheduled. A test uses it
// to know that a goroutine has reached its Sleep, After or timer before the
// test moves time forward.
func (s *Simulated) WaitForTimers(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.initLocked()
	for len(s.scheduled) < n {
		s.cond.Wait()
	}
}

// Now returns the current simulated time.
func (s *Simulated) Now() AbsTime {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.now
}

// Wall returns SimulatedEpoch plus the simulated time.
func (s *Simulated) Wall() time.Time { return SimulatedEpoch.Add(time.Duration(s.Now())) }

// Sleep blocks until the clock has moved d forward.
func (s *Simulated) Sleep(d time.Duration) {
	if d <= 0 {
		return
	}
	<-s.After(d)
}

// After returns a channel that receives the time once the clock has moved d forward.
func (s *Simulated) After(d time.Duration) <-chan AbsTime {
	return s.NewTimer(d).C()
}

// NewTimer returns a timer that fires once the clock has moved d forward.
func (s *Simulated) NewTimer(d time.Duration) ChanTimer {
	t := &simTimer{s: s, index: -1, ch: make(chan AbsTime, 1)}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scheduleLocked(t, d)
	return t
}

// AfterFunc runs f, on the goroutine that advances the clock, once the clock
// has moved d forward.
func (s *Simulated) AfterFunc(d time.Duration, f func()) Timer {
	t := &simTimer{s: s, index: -1, do: f}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.scheduleLocked(t, d)
	return t
}

func (s *Simulated) initLocked() {
	if s.cond == nil {
		s.cond = sync.NewCond(&s.mu)
	}
}

func (s *Simulated) scheduleLocked(t *simTimer, d time.Duration) {
	s.initLocked()
	t.at = s.now.Add(max(d, 0))
	t.seq = s.seq
	s.seq++
	heap.Push(&s.scheduled, t)
	s.cond.Broadcast()
}

// C returns the timer's channel (nil for AfterFunc timers).
func (t *simTimer) C() <-chan AbsTime { return t.ch }

// Stop cancels the timer; it reports whether the timer was still pending.
func (t *simTimer) Stop() bool {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if t.index < 0 {
		return false
	}
	heap.Remove(&t.s.scheduled, t.index)
	return true
}

// Reset reschedules the timer to fire d after the current simulated time,
// discarding a firing that was not received yet.
func (t *simTimer) Reset(d time.Duration) {
	t.s.mu.Lock()
	defer t.s.mu.Unlock()
	if t.index >= 0 {
		heap.Remove(&t.s.scheduled, t.index)
	}
	if t.ch != nil {
		select {
		case <-t.ch:
		default:
		}
	}
	t.s.scheduleLocked(t, d)
}

// simTimerHeap orders timers by deadline, then by scheduling order.
type simTimerHeap []*simTimer

func (h simTimerHeap) Len() int { return len(h) }
func (h simTimerHeap) Less(i, j int) bool {
	if h[i].at != h[j].at {
		return h[i].at < h[j].at
	}
	return h[i].seq < h[j].seq
}
func (h simTimerHeap) Swap(i, j int) {
	h[i], h[j] = h[j], h[i]
	h[i].index = i
	h[j].index = j
}
func (h *simTimerHeap) Push(x any) {
	t := x.(*simTimer)
	t.index = len(*h)
	*h = append(*h, t)
}
func (h *simTimerHeap) Pop() any {
	old := *h
	n := len(old)
	t := old[n-1]
	old[n-1] = nil
	t.index = -1
	*h = old[:n-1]
	return t
}
