//go:build amd64 && !purego

package k256

import "golang.org/x/sys/cpu"

// useADX selects feMulADX, on CPUs with BMI2 and ADX. Tests switch it off
// to exercise the generic code on the same machine.
var useADX = cpu.X86.HasBMI2 && cpu.X86.HasADX

// feMulADX sets z = x·y mod p (field_amd64.s).
//
//go:noescape
func feMulADX(z, x, y *fe)

// feSqrADX sets z = x² mod p (field_amd64.s).
//
//go:noescape
func feSqrADX(z, x *fe)
