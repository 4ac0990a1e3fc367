// Package bench runs the same work through devp2p and go-ethereum in one
// process, so that compare.sh can print the ratio of each pair (ours/theirs,
// time and allocations) with benchstat. It is a module of its own so that
// go-ethereum never enters the main module's dependencies.
package bench
