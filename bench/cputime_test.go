package bench

import (
	"syscall"
	"testing"
	"time"
)

// processCPU returns the CPU time this process has used so far, user and
// system, over all threads.
func processCPU() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// cpuMeter reports the process CPU time per operation as the metric
// cpu-ns/op. On a shared machine wall-clock time also counts the time the
// benchmark waits for a core; CPU time counts only the work done (by every
// goroutine of the pair, and the kernel on their behalf), so it varies far
// less when other processes compete for the cores.
type cpuMeter struct{ start time.Duration }

func startCPU() cpuMeter { return cpuMeter{processCPU()} }

// report records the metric for b.N operations since startCPU.
func (m cpuMeter) report(b *testing.B) {
	if b.N > 0 {
		b.ReportMetric(float64(processCPU()-m.start)/float64(b.N), "cpu-ns/op")
	}
}
