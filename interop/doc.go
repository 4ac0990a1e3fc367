// Package interop holds tests that run devp2p against go-ethereum, which is
// imported from the Go module proxy as a test oracle only. It is a module of
// its own so that go-ethereum never enters the main module's dependencies.
package interop
