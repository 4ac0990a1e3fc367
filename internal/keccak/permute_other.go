//go:build !amd64 || purego

package keccak

// hasBMI is false where no assembly exists, so tests of the assembly path
// know to skip it.
var hasBMI = false

func permuteBMI(a *[25]uint64) { permuteGeneric(a) }

func permute(a *[25]uint64) { permuteGeneric(a) }
