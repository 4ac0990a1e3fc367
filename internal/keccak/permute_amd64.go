//go:build amd64 && !purego

package keccak

import "golang.org/x/sys/cpu"

// permuteBMI is Keccak-f[1600] in assembly (permute_amd64.s), written with
// the BMI1 and BMI2 instructions ANDN and RORX.
//
//go:noescape
func permuteBMI(a *[25]uint64)

// hasBMI reports whether this CPU can run permuteBMI. It is a variable so
// that tests can force the generic path.
var hasBMI = cpu.X86.HasBMI1 && cpu.X86.HasBMI2

func permute(a *[25]uint64) {
	if hasBMI {
		permuteBMI(a)
	} else {
		permuteGeneric(a)
	}
}
