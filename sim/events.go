package sim

import "container/heap"

// event is one step of the model: fn runs at time at. Events at the same
// time run in the order they were scheduled (seq), and everything runs on
// one goroutine, so a run depends only on its seed.
type event struct {
	at  int64 // nanoseconds of simulated time
	seq uint64
	fn  func()
}

type eventQueue []event

func (q eventQueue) Len() int { return len(q) }
func (q eventQueue) Less(i, j int) bool {
	if q[i].at != q[j].at {
		return q[i].at < q[j].at
	}
	return q[i].seq < q[j].seq
}
func (q eventQueue) Swap(i, j int) { q[i], q[j] = q[j], q[i] }
func (q *eventQueue) Push(x any)   { *q = append(*q, x.(event)) }
func (q *eventQueue) Pop() any {
	old := *q
	e := old[len(old)-1]
	old[len(old)-1] = event{}
	*q = old[:len(old)-1]
	return e
}

// scheduler is the model's clock and event queue.
type scheduler struct {
	now   int64
	seq   uint64
	queue eventQueue
}

func (s *scheduler) after(d int64, fn func()) {
	heap.Push(&s.queue, event{at: s.now + max(d, 0), seq: s.seq, fn: fn})
	s.seq++
}

// runUntil runs every event due by end and leaves the clock at end.
func (s *scheduler) runUntil(end int64) {
	for len(s.queue) > 0 && s.queue[0].at <= end {
		e := heap.Pop(&s.queue).(event)
		s.now = e.at
		e.fn()
	}
	s.now = end
}
