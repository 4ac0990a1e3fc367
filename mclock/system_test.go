package mclock

import (
	"testing"
	"testing/synctest"
	"time"
)

func TestAbsTime(t *testing.T) {
	a := AbsTime(10)
	if a.Add(5) != 15 || a.Sub(3) != 7 {
		t.Fatal("Add/Sub wrong")
	}
}

func TestSystemNowMonotonic(t *testing.T) {
	prev := Now()
	for range 1000 {
		n := System{}.Now()
		if n < prev {
			t.Fatalf("time went backwards: %v < %v", n, prev)
		}
		prev = n
	}
}

// The System tests run in a synctest bubble, where the time package uses a
// fake clock that jumps forward when every goroutine is blocked.
func TestSystemTimers(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var c Clock = System{}
		start := c.Now()
		c.Sleep(time.Second)
		if d := c.Now().Sub(start); d != time.Second {
			t.Fatalf("Sleep(1s) took %v", d)
		}

		v := <-c.After(2 * time.Second)
		if d := v.Sub(start); d != 3*time.Second {
			t.Fatalf("After delivered %v after start, want 3s", d)
		}

		fired := make(chan struct{})
		c.AfterFunc(time.Second, func() { close(fired) })
		<-fired

		tm := c.NewTimer(time.Hour)
		tm.Reset(time.Second)
		before := c.Now()
		v = <-tm.C()
		if d := v.Sub(before); d != time.Second {
			t.Fatalf("Reset timer fired after %v, want 1s", d)
		}

		// Reset discards a value that was never received.
		tm.Reset(time.Second)
		time.Sleep(2 * time.Second)
		synctest.Wait()
		before = c.Now()
		tm.Reset(time.Second)
		if v := <-tm.C(); v.Sub(before) != time.Second {
			t.Fatalf("stale value after Reset: %v", v.Sub(before))
		}

		if tm.Stop() {
			t.Fatal("Stop of a fired timer returned true")
		}
		tm2 := c.NewTimer(time.Second)
		if !tm2.Stop() {
			t.Fatal("Stop of pending timer returned false")
		}
		time.Sleep(2 * time.Second)
		synctest.Wait()
		if len(tm2.C()) != 0 {
			t.Fatal("stopped timer fired")
		}
		at := c.AfterFunc(time.Second, func() { t.Error("stopped AfterFunc ran") })
		if !at.Stop() {
			t.Fatal("AfterFunc Stop returned false")
		}
		time.Sleep(2 * time.Second)
	})
}
