package sim

import (
	"context"
	"runtime"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

// driver advances the simulated clock of a live run, once the servers are
// done with what the last step brought: no datagram delivered to a socket
// whose reader has not asked for the next one, and no datagram sent or
// connection opened for quiet of real time; it waits at most maxWait for
// that. After a step that delivered or sent something the next step is
// minStep; after a quiet one it goes to the next delivery if a datagram is
// in flight (at least minStep), and otherwise doubles up to maxStep. A
// network at rest costs few steps, and a timer that fires inside a long
// step makes its server act at the step's end: late by less than the
// step, never early.
type driver struct {
	clock            *mclock.Simulated
	fab              *Fabric
	minStep, maxStep time.Duration
	quiet, maxWait   time.Duration
	step             time.Duration
	lastActivity     int64
	lastDelivered    int64
	steps            int // clock steps taken so far
	cutShort         int // steps taken after maxWait, before the servers were done
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
			if d.fab.Activity() == before && d.fab.Unhandled() == 0 {
				break
			}
			if time.Now().After(deadline) {
				d.cutShort++
				break
			}
		}
		act, del := d.fab.Activity(), d.fab.Delivered()
		next, inFlight := d.fab.NextDelivery()
		switch {
		case act != d.lastActivity || del != d.lastDelivered:
			d.step = d.minStep
		case inFlight:
			d.step = min(max(d.minStep, next.Sub(d.clock.Now())), d.maxStep)
		default:
			d.step = min(2*d.step, d.maxStep)
		}
		d.lastActivity, d.lastDelivered = act, del
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
