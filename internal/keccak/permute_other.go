//go:build !amd64 || purego

package keccak

// hasAVX512 and hasBMI are false where no assembly exists, so tests and
// benchmarks leave the assembly paths out.
var (
	hasAVX512 = false
	hasBMI    = false
)

// permuteBMI, permuteAVX512 and absorbAVX512 exist here only so that the
// tests compile; they are never chosen.
func permuteBMI(a *[25]uint64)                  { permuteGeneric(a) }
func permuteAVX512(a *[25]uint64)               { permuteGeneric(a) }
func absorbAVX512(a *[25]uint64, blocks []byte) { absorbBlocksGeneric(a, blocks) }

func permute(a *[25]uint64) { permuteGeneric(a) }

func absorbBlocks(a *[25]uint64, p []byte) { absorbBlocksGeneric(a, p) }
