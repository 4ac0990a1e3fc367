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
// The "p2p" capability of the RLPx spec,
// https://github.com/ethereum/devp2p/blob/master/rlpx.md (Hello, Disconnect,
// Ping, Pong and the message-ID space), EIP-8 forward compatibility for
// Hello (version and extra elements ignored) and EIP-706 snappy compression
// (on when both sides announce p2p version 5).
//
// # Where things are
//
// The Server is a composition of parts, each with one owner; Start starts
// them in turn and pushes each one's Close on a stack that Stop unwinds.
// config.go and config_load.go hold Config, its defaults and TOML/JSON
// loading; server.go the lifecycle (Start, Stop, the management API);
// listen.go the accept loop (pending slots, NetRestrict, per-IP throttle);
// setup.go the connection setup of both directions (RLPx handshake, identity
// check, secured verdict, Hello, hello verdict); admission.go the peer set
// and its rules (self, duplicates and the tie-break of simultaneous dials,
// MaxPeers, the inbound share, trusted nodes); runloop.go the run loop, the
// one goroutine that owns the admission and dispatches to it; gate.go the
// public Gate and the Verdict events; discovery.go the discovery engines on
// their shared UDP socket; dialer.go the dial scheduler's wiring; nat.go the
// port mappings; handshake_hello.go the bounded Hello codec; peer.go a
// session (read loop, ping loop, protocol goroutines); protocol.go
// capability matching; inbound.go the limits on received messages;
// transport.go the RLPx transport with its deadlines;
// events.go, metered.go and nodeinfo.go what the server reports;
// metrics*.go the Prometheus metrics.
//
// # Admission
//
// A connection goes through three stages (Stage): accepted (inbound only),
// secured (RLPx done, node ID known) and hello (name and capabilities
// known). At each the server's own limits decide, and Config.Gate, an
// application's Gate, may refuse it too. Every verdict is reported to
// SubscribeVerdicts subscribers with its stage, reason, node ID and address.
//
//	cfg.Gate = devp2p.GateFuncs{Hello: func(id enode.ID, name string, caps []devp2p.Cap) error {
//		if strings.HasPrefix(name, "bad-client/") {
//			return devp2p.DiscUselessPeer
//		}
//		return nil
//	}}
//
// # Limits a remote cannot push past
//
// Hello (or a Disconnect instead of it) is at most 2 KiB, enforced by the
// RLPx layer before the frame body is read; it may carry at most 256
// capabilities and a 512-byte name. Pongs come from one goroutine per peer
// with a queue of 16; more than 32 pings in one ping interval drops the peer.
// Every later message is judged by its code and the size its snappy header
// claims before it is decompressed: base-protocol messages are at most
// 2 KiB, a sub-protocol's at most its Protocol.MaxMessageSize (default
// 10 MiB), and a reserved base code (0x04–0x0f) or a code outside every
// matched protocol drops the peer with DiscProtocolError. Decoded bytes are
// bounded per peer (Config.PeerInboundRate) and for all peers together
// (Config.InboundBudget). A write that does not finish in 20 s, or 30 s
// without anything read, ends the session.
//
// # Events
//
// SubscribeEvents delivers peer add/drop events (and, with EnableMsgEvents,
// one event per protocol message) without ever blocking the server: an
// event that does not fit in the subscriber's channel buffer is dropped and
// counted in Subscription.Dropped. A drop event is sent after the peer left
// the peer set, so reconnecting on it is not refused as a duplicate.
//
// # Metrics
//
// With Config.Metrics set to a prometheus.Registerer, the server registers
// its metrics there on Start (and removes them on Stop): peers, admission
// verdicts, dials by candidate source, messages and bytes by protocol and
// message code, discovery packets and table, NAT. Every label takes its
// values from a fixed set, so hostile peers cannot add series. Without it
// the server keeps no metrics. The library never uses the global registry:
//
//	reg := prometheus.NewRegistry()
//	cfg.Metrics = reg
//	http.Handle("/metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{}))
package devp2p
