//go:build !amd64 || purego

package k256

// useADX is never set here: there is no assembly for this platform (or the
// purego tag asked for none).
var useADX = false

func feMulADX(z, x, y *fe) { panic("k256: feMulADX without assembly") }

func feSqrADX(z, x *fe) { panic("k256: feSqrADX without assembly") }
