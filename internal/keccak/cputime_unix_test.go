//go:build unix

package keccak

import "syscall"

// processCPU returns the CPU time this process has used so far, in
// nanoseconds, user and system, over all threads.
func processCPU() (ns int64, ok bool) {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0, false
	}
	return ru.Utime.Nano() + ru.Stime.Nano(), true
}
