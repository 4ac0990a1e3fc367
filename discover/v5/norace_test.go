//go:build !race

package v5

const raceEnabled = false
