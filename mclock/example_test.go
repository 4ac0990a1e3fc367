package mclock_test

import (
	"fmt"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
)

func ExampleSimulated() {
	var clock mclock.Simulated
	done := make(chan mclock.AbsTime)
	go func() {
		done <- <-clock.After(10 * time.Second) // the time the timer fired
	}()
	clock.WaitForTimers(1) // the goroutine is asleep now
	clock.Run(time.Minute)
	fmt.Println(time.Duration(<-done))
	// Output: 10s
}
