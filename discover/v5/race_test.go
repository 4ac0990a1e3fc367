//go:build race

package v5

// raceEnabled shrinks the big network tests under the race detector, which
// makes the pure-Go secp256k1 about ten times slower.
const raceEnabled = true
