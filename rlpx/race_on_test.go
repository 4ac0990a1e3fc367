//go:build race

package rlpx

// raceEnabled: under the race detector sync.Pool drops a random share of
// the buffers put back, so allocation counts are not meaningful.
const raceEnabled = true
