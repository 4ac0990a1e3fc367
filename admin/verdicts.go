package admin

import (
	"sync"
	"time"

	"github.com/devp2p-go/devp2p"
)

// verdictLog keeps the most recent admission verdicts of the server in a
// ring, for devp2p_verdicts. Its loop is the only reader of the
// subscription; the ring is read under mu by the API.
type verdictLog struct {
	ch   chan *devp2p.Verdict
	sub  *devp2p.Subscription
	sync chan chan struct{} // list asks the loop to take what is in ch first
	quit chan struct{}
	done chan struct{}
	now  func() time.Time

	mu   sync.Mutex
	ring []Verdict // oldest at next when full
	next int
	full bool
}

// verdictBuffer is the subscription's channel buffer: a burst of refused
// connections larger than this before the loop runs is counted as missed.
const verdictBuffer = 256

func newVerdictLog(srv *devp2p.Server, size int) *verdictLog {
	l := &verdictLog{
		ch:   make(chan *devp2p.Verdict, verdictBuffer),
		sync: make(chan chan struct{}),
		quit: make(chan struct{}),
		done: make(chan struct{}),
		now:  time.Now,
		ring: make([]Verdict, size),
	}
	l.sub = srv.SubscribeVerdicts(l.ch)
	go l.loop()
	return l
}

func (l *verdictLog) loop() {
	defer close(l.done)
	for {
		select {
		case v := <-l.ch:
			l.add(verdictOf(v, l.now()))
		case done := <-l.sync:
			for len(l.ch) > 0 {
				l.add(verdictOf(<-l.ch, l.now()))
			}
			close(done)
		case <-l.quit:
			return
		}
	}
}

func (l *verdictLog) add(v Verdict) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.ring[l.next] = v
	l.next++
	if l.next == len(l.ring) {
		l.next, l.full = 0, true
	}
}

// list returns the recorded verdicts, oldest first, including every
// verdict the server gave before the call.
func (l *verdictLog) list() VerdictLog {
	done := make(chan struct{})
	select {
	case l.sync <- done:
		<-done
	case <-l.done:
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	out := VerdictLog{Verdicts: make([]Verdict, 0, len(l.ring)), Missed: l.sub.Dropped()}
	if l.full {
		out.Verdicts = append(out.Verdicts, l.ring[l.next:]...)
	}
	out.Verdicts = append(out.Verdicts, l.ring[:l.next]...)
	return out
}

func (l *verdictLog) close() {
	l.sub.Unsubscribe()
	close(l.quit)
	<-l.done
}
