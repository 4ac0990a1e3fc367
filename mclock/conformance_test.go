package mclock

import (
	"slices"
	"sync"
	"testing"
	"testing/synctest"
	"time"
)

// TestConformance runs one behavioural test against both clocks. System runs
// in a synctest bubble so that its time is fake and the test deterministic.
func TestConformance(t *testing.T) {
	t.Run("Simulated", func(t *testing.T) {
		var c Simulated
		testClock(t, &c, c.Run)
	})
	t.Run("System", func(t *testing.T) {
		synctest.Test(t, func(t *testing.T) {
			testClock(t, System{}, func(d time.Duration) {
				time.Sleep(d)
				synctest.Wait() // let AfterFunc goroutines finish
			})
		})
	})
}

func testClock(t *testing.T, c Clock, advance func(time.Duration)) {
	start, wallStart := c.Now(), c.Wall()
	defer func() {
		// The wall clock moved as far as the monotonic one.
		if got, want := c.Wall().Sub(wallStart), c.Now().Sub(start); got != want {
			t.Errorf("wall clock moved %v, monotonic %v", got, want)
		}
	}()

	// A timer fires exactly at its deadline, not before.
	tm := c.NewTimer(time.Second)
	advance(999 * time.Millisecond)
	if len(tm.C()) != 0 {
		t.Fatal("timer fired early")
	}
	advance(time.Millisecond)
	select {
	case v := <-tm.C():
		if v.Sub(start) != time.Second {
			t.Fatalf("timer delivered %v after start, want 1s", v.Sub(start))
		}
	default:
		t.Fatal("timer did not fire at its deadline")
	}
	if tm.Stop() {
		t.Fatal("Stop after firing returned true")
	}

	// Reset re-arms relative to now; Stop cancels.
	tm.Reset(2 * time.Second)
	advance(time.Second)
	if !tm.Stop() {
		t.Fatal("Stop of pending timer returned false")
	}
	advance(5 * time.Second)
	if len(tm.C()) != 0 {
		t.Fatal("stopped timer fired")
	}

	// AfterFunc callbacks run in deadline order.
	var mu sync.Mutex
	var order []int
	for _, n := range []int{3, 1, 2} {
		c.AfterFunc(time.Duration(n)*time.Second, func() {
			mu.Lock()
			order = append(order, n)
			mu.Unlock()
		})
	}
	stopped := c.AfterFunc(time.Second, func() { t.Error("stopped AfterFunc ran") })
	if !stopped.Stop() {
		t.Fatal("AfterFunc Stop returned false")
	}
	advance(3 * time.Second)
	mu.Lock()
	if !slices.Equal(order, []int{1, 2, 3}) {
		t.Fatalf("callbacks ran in order %v", order)
	}
	mu.Unlock()

	// After delivers once the duration has passed.
	ch := c.After(time.Second)
	advance(time.Second)
	if len(ch) != 1 {
		t.Fatal("After did not fire")
	}
	if got := c.Now().Sub(start); got != 11*time.Second {
		t.Fatalf("clock advanced %v in total, want 11s", got)
	}
}
