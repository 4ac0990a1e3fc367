//go:build !unix

package keccak

// processCPU is not measured here; benchmarks then report wall time only.
func processCPU() (ns int64, ok bool) { return 0, false }
