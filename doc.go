// Package devp2p is a Go implementation of Ethereum's peer-to-peer networking
// stack: RLPx transport, the devp2p base protocol, sub-protocol multiplexing,
// the dial scheduler and node discovery.
//
// The root package holds the Server, the unit a node runs: it listens and
// dials, runs the RLPx and Hello handshakes, enforces peer limits and runs the
// sub-protocols an application registers. The layers below it live in their
// own packages (rlp, crypto, enr, enode, nodedb, rlpx, discover, nat) and can
// be used on their own.
package devp2p
