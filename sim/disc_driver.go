package sim

import (
	"context"
	"runtime"
	"runtime/metrics"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

// idleDriver advances the simulated clock of a discovery run one step at a
// time, each once the Go scheduler has nothing left to run: no goroutine
// runnable and none running but the driver's. That is the moment every
// datagram delivered so far has been handled and every reply sent, so the
// step cannot make a reply late.
//
// The live driver (driver, live.go) waits instead for the fabric to be
// quiet for a moment of real time. With thousands of engines on a machine
// that other processes share, the OS can pause the engines' threads for
// longer than that moment while they still have work; the clock then moves
// on, replies time out, and lookups fail for want of CPU rather than of the
// protocol. The scheduler's own counts do not depend on the OS's timing.
// MaxWait still bounds the wait, in case something never goes idle.
type idleDriver struct {
	clock   *mclock.Simulated
	step    time.Duration
	maxWait time.Duration
	forced  int // steps taken after MaxWait without the scheduler going idle

	samples []metrics.Sample
}

func newIdleDriver(clock *mclock.Simulated, step, maxWait time.Duration) *idleDriver {
	return &idleDriver{clock: clock, step: step, maxWait: maxWait, samples: []metrics.Sample{
		{Name: "/sched/goroutines/runnable:goroutines"},
		{Name: "/sched/goroutines/running:goroutines"},
	}}
}

// advanceTo moves the clock to end, one step at a time.
func (d *idleDriver) advanceTo(ctx context.Context, end mclock.AbsTime) error {
	for d.clock.Now() < end {
		if err := ctx.Err(); err != nil {
			return err
		}
		d.waitIdle()
		d.clock.Run(min(d.step, time.Duration(end-d.clock.Now())))
	}
	d.waitIdle() // let the last step's deliveries be handled before sampling
	return nil
}

// idleChecks is how many checks in a row must find the scheduler idle: the
// counts are approximate, and a goroutine woken by another may show up a
// moment late.
const idleChecks = 3

// waitIdle returns once the scheduler has been idle for idleChecks checks
// in a row, or after maxWait.
func (d *idleDriver) waitIdle() {
	deadline := time.Now().Add(d.maxWait)
	for idle := 0; idle < idleChecks; {
		runtime.Gosched()
		metrics.Read(d.samples)
		if d.samples[0].Value.Uint64() == 0 && d.samples[1].Value.Uint64() <= 1 {
			idle++
			continue
		}
		idle = 0
		if time.Now().After(deadline) {
			d.forced++
			return
		}
		// Leave the CPUs to the engines while they work.
		time.Sleep(50 * time.Microsecond)
	}
}
