//go:build race

package k256

// iterations scales the random test loops: the race detector makes field
// arithmetic about ten times slower, and the edge cases run in full anyway.
func iterations(n int) int { return n / 10 }
