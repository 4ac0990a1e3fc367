package sim

import (
	"context"
	"math"
	"runtime"
	"runtime/metrics"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

// idleDriver advances the simulated clock of a discovery run one step at a
// time, each once the Go scheduler has nothing left to run: no goroutine
// runnable, none running but the driver's, and none in a cgo call (the
// secp256k1 library) beyond those that always are. That is the moment every
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
	// notInGo is the number of goroutines that sit in a system or cgo
	// call when the process is idle (the signal and profiler goroutines,
	// say): the lowest count seen, or the count when MaxWait ran out.
	notInGo uint64
}

func newIdleDriver(clock *mclock.Simulated, step, maxWait time.Duration) *idleDriver {
	return &idleDriver{clock: clock, step: step, maxWait: maxWait, samples: []metrics.Sample{
		{Name: "/sched/goroutines/runnable:goroutines"},
		{Name: "/sched/goroutines/running:goroutines"},
		{Name: "/sched/goroutines/not-in-go:goroutines"},
	}, notInGo: math.MaxUint64}
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
		notInGo := d.samples[2].Value.Uint64()
		d.notInGo = min(d.notInGo, notInGo)
		if d.samples[0].Value.Uint64() == 0 && d.samples[1].Value.Uint64() <= 1 && notInGo <= d.notInGo {
			idle++
			continue
		}
		idle = 0
		if time.Now().After(deadline) {
			d.forced++
			d.notInGo = notInGo // a goroutine may stay in a system call for good
			return
		}
		// Leave the CPUs to the engines while they work.
		time.Sleep(50 * time.Microsecond)
	}
}
