//go:build race

package rlp

// raceEnabled: allocation counts are not exact under the race detector
// (sync.Pool drops items at random), so allocation tests skip.
const raceEnabled = true
