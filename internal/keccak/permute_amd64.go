//go:build amd64 && !purego

package keccak

import (
	"unsafe"

	"golang.org/x/sys/cpu"
)

// permuteBMI is Keccak-f[1600] in assembly (permute_amd64.s), written with
// the BMI1 and BMI2 instructions ANDN and RORX.
//
//go:noescape
func permuteBMI(a *[25]uint64)

// absorbAVX512 XORs each full block of blocks into a and permutes, with the
// state held in five ZMM registers (one plane each between blocks) from the
// first block to the last (absorb_avx512_amd64.s).
//
//go:noescape
func absorbAVX512(a *[25]uint64, blocks []byte)

// hasAVX512 and hasBMI report whether this CPU can run absorbAVX512 and
// permuteBMI (x/sys/cpu also checks that the OS saves the AVX-512
// registers). They are variables so that tests and benchmarks can force
// each path; permute and absorbBlocks take the first one set.
var (
	hasAVX512 = cpu.X86.HasAVX512F && cpu.X86.HasAVX512VL
	hasBMI    = cpu.X86.HasBMI1 && cpu.X86.HasBMI2
)

// zeroBlock lets absorbAVX512 permute without absorbing anything.
var zeroBlock [Rate]byte

func permuteAVX512(a *[25]uint64) { absorbAVX512(a, zeroBlock[:]) }

func permute(a *[25]uint64) {
	switch {
	case hasAVX512:
		permuteAVX512(a)
	case hasBMI:
		permuteBMI(a)
	default:
		permuteGeneric(a)
	}
}

// fusedChunk bounds the bytes one absorbAVX512 call takes (256 blocks,
// about 55 µs on Zen 5): the runtime cannot preempt assembly, so a long
// Write returns to Go code, where it can, between chunks.
const fusedChunk = 256 * Rate

// absorbBlocks XORs each full block of p into a and permutes.
func absorbBlocks(a *[25]uint64, p []byte) {
	if !hasAVX512 {
		absorbBlocksGeneric(a, p)
		return
	}
	for len(p) > fusedChunk {
		absorbAVX512(a, p[:fusedChunk])
		p = p[fusedChunk:]
	}
	absorbAVX512(a, p)
}

// planeConsts holds planeConstData from its first 64-byte boundary on,
// where absorbAVX512 reads it: a vector load that spans two cache
// lines costs two loads, and Go cannot align a variable to more than 32
// bytes.
var planeConsts [len(planeConstData) + 8]uint64

func init() {
	off := (64 - uintptr(unsafe.Pointer(&planeConsts))%64) % 64 / 8
	copy(planeConsts[off:], planeConstData[:])
}
