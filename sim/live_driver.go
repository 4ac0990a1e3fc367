package sim

import (
	"context"
	"runtime"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

// driver advances the simulated clock of a live run, once the fabric has
// been quiet (no datagram sent, no connection opened) for quiet of real
// time, or after maxWait even if it was not. While datagrams are in flight
// it steps to the next delivery (at least minStep); while none is, the step
// doubles up to maxStep as long as the fabric stays idle, and falls back to
// minStep when a connection opens. A network at rest costs few steps, and
// a timer that fires inside a long step makes its server act at the step's
// end: late by less than the step, never early.
type driver struct {
	clock            *mclock.Simulated
	fab              *Fabric
	minStep, maxStep time.Duration
	quiet, maxWait   time.Duration
	step             time.Duration
	lastActivity     int64
	steps            int // clock steps taken so far
}

func (d *driver) advanceTo(ctx context.Context, end mclock.AbsTime) error {
	if d.step == 0 {
		d.step = d.minStep
	}
	for d.clock.Now() < end {
		if err := ctx.Err(); err != nil {
			return err
		}
		deadline := time.Now().Add(d.maxWait)
		for {
			before := d.fab.Activity()
			pause(d.quiet)
			if d.fab.Activity() == before || time.Now().After(deadline) {
				break
			}
		}
		act := d.fab.Activity()
		if next, ok := d.fab.NextDelivery(); ok {
			d.step = min(max(d.minStep, next.Sub(d.clock.Now())), d.maxStep)
		} else if act == d.lastActivity {
			d.step = min(2*d.step, d.maxStep)
		} else {
			d.step = d.minStep
		}
		d.lastActivity = act
		d.steps++
		d.clock.Run(min(d.step, time.Duration(end-d.clock.Now())))
	}
	return nil
}

// pause lets the servers' goroutines run for about d of real time.
func pause(d time.Duration) {
	end := time.Now().Add(d)
	for time.Now().Before(end) {
		runtime.Gosched()
		time.Sleep(d / 4)
	}
}
