package mclock

import (
	"slices"
	"sync"
	"testing"
	"time"
)

func TestSimulatedZeroValue(t *testing.T) {
	var c Simulated
	if c.Now() != 0 || c.ActiveTimers() != 0 {
		t.Fatal("zero value not at time 0 with no timers")
	}
	c.Run(5 * time.Second)
	if c.Now() != AbsTime(5*time.Second) {
		t.Fatalf("Now = %v after Run(5s)", c.Now())
	}
	c.AdvanceTo(AbsTime(time.Second)) // backwards: no-op
	if c.Now() != AbsTime(5*time.Second) {
		t.Fatal("AdvanceTo moved time backwards")
	}
	c.AdvanceTo(AbsTime(7 * time.Second))
	if c.Now() != AbsTime(7*time.Second) {
		t.Fatalf("Now = %v after AdvanceTo(7s)", c.Now())
	}
}

func TestSimulatedOrder(t *testing.T) {
	var c Simulated
	var got []int
	var at []AbsTime
	add := func(d time.Duration, id int) {
		c.AfterFunc(d, func() {
			got = append(got, id)
			at = append(at, c.Now())
		})
	}
	add(3*time.Second, 3)
	add(1*time.Second, 1)
	add(2*time.Second, 2)
	add(2*time.Second, 22) // same deadline: scheduling order
	add(10*time.Second, 10)
	if n := c.ActiveTimers(); n != 5 {
		t.Fatalf("ActiveTimers = %d", n)
	}
	c.Run(500 * time.Millisecond)
	if len(got) != 0 {
		t.Fatalf("fired early: %v", got)
	}
	c.Run(2500 * time.Millisecond) // now = 3s: 1, 2, 22, 3 fire
	if want := []int{1, 2, 22, 3}; !slices.Equal(got, want) {
		t.Fatalf("fired %v, want %v", got, want)
	}
	wantAt := []AbsTime{AbsTime(time.Second), AbsTime(2 * time.Second), AbsTime(2 * time.Second), AbsTime(3 * time.Second)}
	if !slices.Equal(at, wantAt) {
		t.Fatalf("callbacks saw times %v, want %v", at, wantAt)
	}
	if c.ActiveTimers() != 1 {
		t.Fatalf("ActiveTimers = %d, want 1", c.ActiveTimers())
	}
}

// A callback may schedule more timers; those due within the same Run fire in it.
func TestSimulatedChainedCallbacks(t *testing.T) {
	var c Simulated
	count := 0
	var tick func()
	tick = func() {
		count++
		c.AfterFunc(time.Second, tick)
	}
	c.AfterFunc(time.Second, tick)
	c.Run(10 * time.Second)
	if count != 10 {
		t.Fatalf("ticked %d times in 10s, want 10", count)
	}
	if c.ActiveTimers() != 1 {
		t.Fatalf("ActiveTimers = %d", c.ActiveTimers())
	}
}

func TestSimulatedStop(t *testing.T) {
	var c Simulated
	fired := false
	tm := c.AfterFunc(time.Second, func() { fired = true })
	if !tm.Stop() {
		t.Fatal("Stop of pending timer returned false")
	}
	if tm.Stop() {
		t.Fatal("second Stop returned true")
	}
	c.Run(2 * time.Second)
	if fired {
		t.Fatal("stopped timer fired")
	}
	tm2 := c.AfterFunc(time.Second, func() {})
	c.Run(time.Second)
	if tm2.Stop() {
		t.Fatal("Stop after firing returned true")
	}
	// Stop from inside a callback, of a timer due at the same instant.
	var later Timer
	laterFired := false
	c.AfterFunc(time.Second, func() { later.Stop() })
	later = c.AfterFunc(time.Second, func() { laterFired = true })
	c.Run(time.Second)
	if laterFired {
		t.Fatal("timer stopped by an earlier callback still fired")
	}
}

func TestSimulatedChanTimer(t *testing.T) {
	var c Simulated
	tm := c.NewTimer(time.Second)
	select {
	case <-tm.C():
		t.Fatal("fired before Run")
	default:
	}
	c.Run(time.Second)
	select {
	case v := <-tm.C():
		if v != AbsTime(time.Second) {
			t.Fatalf("received %v, want 1s", v)
		}
	default:
		t.Fatal("did not fire")
	}
	// Reset after firing re-arms it relative to now.
	tm.Reset(2 * time.Second)
	c.Run(time.Second)
	if len(tm.C()) != 0 {
		t.Fatal("fired early after Reset")
	}
	c.Run(time.Second)
	if v := <-tm.C(); v != AbsTime(3*time.Second) {
		t.Fatalf("received %v, want 3s", v)
	}
	// Reset discards an unreceived firing.
	tm.Reset(time.Second)
	c.Run(time.Second)
	tm.Reset(time.Second)
	if len(tm.C()) != 0 {
		t.Fatal("Reset kept a stale value")
	}
	// Reset of a pending timer moves its deadline.
	tm.Reset(5 * time.Second)
	c.Run(time.Second)
	if len(tm.C()) != 0 || c.ActiveTimers() != 1 {
		t.Fatal("Reset of pending timer did not reschedule it")
	}
	if !tm.Stop() {
		t.Fatal("Stop of pending timer returned false")
	}
	c.Run(10 * time.Second)
	if len(tm.C()) != 0 {
		t.Fatal("stopped timer fired")
	}
}

func TestSimulatedZeroDuration(t *testing.T) {
	var c Simulated
	c.Sleep(0)  // must not block
	c.Sleep(-1) // must not block
	ch := c.After(0)
	fired := false
	c.AfterFunc(-time.Second, func() { fired = true })
	c.Run(0)
	if !fired || len(ch) != 1 {
		t.Fatal("zero/negative-duration timers did not fire on Run(0)")
	}
	if c.Now() != 0 {
		t.Fatal("time moved")
	}
}

func TestSimulatedSleepAndWaitForTimers(t *testing.T) {
	var c Simulated
	const n = 5
	var wg sync.WaitGroup
	woke := make(chan AbsTime, n)
	for i := range n {
		wg.Go(func() {
			c.Sleep(time.Duration(i+1) * time.Second)
			woke <- c.Now()
		})
	}
	c.WaitForTimers(n)
	c.Run(n * time.Second)
	wg.Wait()
	close(woke)
	count := 0
	for v := range woke {
		count++
		if v < AbsTime(time.Second) {
			t.Errorf("woke at %v", v)
		}
	}
	if count != n {
		t.Fatalf("%d sleepers woke, want %d", count, n)
	}
}

func TestSimulatedAfter(t *testing.T) {
	var c Simulated
	done := make(chan AbsTime)
	go func() { done <- <-c.After(time.Minute) }()
	c.WaitForTimers(1)
	c.Run(time.Hour)
	if v := <-done; v != AbsTime(time.Minute) {
		t.Fatalf("After delivered %v, want 1m", v)
	}
}

// TestSimulatedConcurrent hammers the clock from several goroutines; run with
// -race. Every goroutine it starts is joined before it returns.
func TestSimulatedConcurrent(t *testing.T) {
	var c Simulated
	const workers, rounds = 8, 50
	var wg sync.WaitGroup
	var mu sync.Mutex
	fired := 0
	for range workers {
		wg.Go(func() {
			for i := range rounds {
				tm := c.NewTimer(time.Duration(i%5) * time.Millisecond)
				c.AfterFunc(time.Millisecond, func() {
					mu.Lock()
					fired++
					mu.Unlock()
				})
				if i%3 == 0 {
					tm.Stop()
				} else {
					tm.Reset(time.Millisecond)
				}
				c.Now()
				c.ActiveTimers()
			}
		})
	}
	stop := make(chan struct{})
	runnerDone := make(chan struct{})
	go func() {
		defer close(runnerDone)
		for {
			select {
			case <-stop:
				return
			default:
				c.Run(time.Millisecond)
			}
		}
	}()
	wg.Wait()
	close(stop)
	<-runnerDone
	c.Run(time.Second)
	if fired != workers*rounds {
		t.Fatalf("%d callbacks ran, want %d", fired, workers*rounds)
	}
}

func TestSimulatedImplementsClock(t *testing.T) {
	var c Clock = new(Simulated)
	ch := c.After(time.Second)
	c.(*Simulated).Run(time.Second)
	if len(ch) != 1 {
		t.Fatal("After through the interface did not fire")
	}
}
