//go:build race

package devp2p

// raceEnabled: the race detector makes hashing 16 MiB take seconds.
const raceEnabled = true
