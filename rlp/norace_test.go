//go:build !race

package rlp

const raceEnabled = false
