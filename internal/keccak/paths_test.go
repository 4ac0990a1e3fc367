package keccak

import "testing"

// A path is one way this package can run: the permutation it calls and
// whether full blocks go through a fused absorb.
type path struct {
	name           string
	avx512, bmi    bool // the values of hasAVX512 and hasBMI that force it
	available      bool // whether this CPU (and build) can run it
	permute        func(*[25]uint64)
	whyUnavailable string
}

// paths lists every path, with whether this machine can run it.
func paths() []path {
	return []path{
		{name: "generic", available: true, permute: permuteGeneric},
		{name: "bmi", bmi: true, available: hasBMI, permute: permuteBMI,
			whyUnavailable: "needs amd64 with BMI1 and BMI2, without the purego tag"},
		{name: "avx512", avx512: true, available: hasAVX512, permute: permuteAVX512,
			whyUnavailable: "needs amd64 with AVX-512F and AVX-512VL, without the purego tag"},
	}
}

// force sets hasAVX512 and hasBMI so that p runs, and returns a function
// that restores them.
func force(p path) (restore func()) {
	savedAVX512, savedBMI := hasAVX512, hasBMI
	hasAVX512, hasBMI = p.avx512, p.bmi
	return func() { hasAVX512, hasBMI = savedAVX512, savedBMI }
}

// forEachPath runs f once per path as a subtest, forcing that path for its
// duration; a path this machine cannot run is a skipped subtest that says why.
func forEachPath(t *testing.T, f func(t *testing.T)) {
	for _, p := range paths() {
		t.Run(p.name, func(t *testing.T) {
			if !p.available {
				t.Skipf("this CPU or build cannot run the %s path: it %s", p.name, p.whyUnavailable)
			}
			defer force(p)()
			f(t)
		})
	}
}

// pathNamed returns the path called name.
func pathNamed(name string) path {
	for _, p := range paths() {
		if p.name == name {
			return p
		}
	}
	panic("no path " + name)
}
