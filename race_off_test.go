//go:build !race

package devp2p

const raceEnabled = false
