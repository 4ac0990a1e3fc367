//go:build !amd64 || purego

package keccak

// hasBMI is false where no assembly exists, so tests and benchmarks leave
// the assembly path out.
var hasBMI = false

// permuteBMI exists here only so that the tests compile; it is never chosen.
func permuteBMI(a *[25]uint64) { permuteGeneric(a) }

func permute(a *[25]uint64) { permuteGeneric(a) }
