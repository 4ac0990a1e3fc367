// Package mclock is a monotonic clock that components take as a dependency,
// so that tests can run hours of protocol time in milliseconds.
//
// System reads the real monotonic clock. Simulated is a clock whose time
// moves only when a test says so (Run or AdvanceTo); its timers fire in
// deadline order on the goroutine that advances the clock.
//
// Example:
//
//	var clock mclock.Simulated
//	done := make(chan struct{})
//	go func() {
//		clock.Sleep(10 * time.Second) // blocks until the test moves time on
//		close(done)
//	}()
//	clock.WaitForTimers(1)      // the goroutine is now sleeping
//	clock.Run(10 * time.Second) // wakes it (timers fire in deadline order)
//	<-done
package mclock
