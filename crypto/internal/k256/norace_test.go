//go:build !race

package k256

func iterations(n int) int { return n }
