// Package devp2p is a Go implementation of Ethereum's peer-to-peer networking
// stack: RLPx transport, the devp2p base protocol, sub-protocol multiplexing,
// the dial scheduler and node discovery.
//
// The root package holds the Server, the unit a node runs: it listens and
// dials, runs the RLPx and Hello handshakes, enforces peer limits and runs the
// sub-protocols an application registers. The layers below it live in their
// own packages (rlp, crypto, enr, enode, nodedb, rlpx, discover, nat) and can
// be used on their own.
//
// # Specs
//
// The "p2p" capability of specs/rlpx.md (Hello, Disconnect, Ping, Pong and
// the message-ID space), EIP-8 forward compatibility for Hello (version and
// extra elements ignored) and EIP-706 snappy compression (on when both sides
// announce p2p version 5).
//
// # Where things are
//
// config.go and config_load.go hold Config, its defaults and TOML/JSON
// loading; server.go the lifecycle (Start, Stop, the management API);
// listen.go the accept loop (pending slots, NetRestrict, per-IP throttle);
// setup.go the connection setup of both directions (RLPx handshake, identity
// check, first run-loop check, Hello, second check); runloop.go the run loop,
// the one goroutine that owns the peer set and applies the limits;
// handshake_hello.go the bounded Hello codec; peer.go a session (read loop,
// ping loop, protocol goroutines); protocol.go capability matching;
// transport.go the RLPx transport with its deadlines; events.go,
// metered.go and nodeinfo.go what the server reports.
//
// # Limits a remote cannot push past
//
// Hello (or a Disconnect instead of it) is at most 2 KiB, enforced by the
// RLPx layer before the frame body is read; it may carry at most 256
// capabilities and a 512-byte name. Pongs come from one goroutine per peer
// with a queue of 16; more than 32 pings in one ping interval drops the peer.
// A message code outside every matched protocol drops the peer with
// DiscProtocolError. A write that does not finish in 20 s, or 30 s without
// anything read, ends the session.
//
// # Events
//
// SubscribeEvents delivers peer add/drop events (and, with EnableMsgEvents,
// one event per protocol message) without ever blocking the server: an
// event that does not fit in the subscriber's channel buffer is dropped and
// counted in Subscription.Dropped. A drop event is sent after the peer left
// the peer set, so reconnecting on it is not refused as a duplicate.
package devp2p
