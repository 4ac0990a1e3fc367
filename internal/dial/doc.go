// Package dial is the dial scheduler of the devp2p Server: it decides which
// nodes to connect to and when.
//
// # What it does
//
// Dynamic dials fill Config.MaxDialPeers outbound slots (the Server sets it
// to MaxPeers / DialRatio, so that inbound connections can never take every
// slot: a countermeasure against eclipse attacks, see docs/SECURITY.md). Static nodes are
// dialed whenever they are not connected, whatever the slots say, with a
// capped exponential backoff, and their endpoint is looked up again through
// Config.Resolver when a dial fails. At most Config.MaxActiveDials (16) dials
// run at once and each TCP dial is cut after Config.DialTimeout (15 s).
//
// Candidates come from an enode.Iterator (mix several sources with
// enode.FairMix). A separate goroutine reads it, and only while a dynamic
// slot is free, so a slow discovery source never blocks the scheduler. A
// candidate is never dialed when it is the local node, already connected or
// being dialed, outside Config.NetRestrict, dialed within the last
// Config.HistoryExpiration (35 s), backing off after a failure, or refused by
// the application's Config.Filter; those checks come before a slot is spent.
// Stats.Sources counts candidates, dials and peers per source: the labels of
// the mix's sources (enode.FairMix.AddNamedSource) and "static", "warm" and
// "bootnode" for the scheduler's own.
//
// Two guards go beyond go-ethereum for dynamic dials to public addresses
// (docs/SECURITY.md): each IP is dialed at most once per HistoryExpiration
// whatever node ID discovery attaches to it, so forged records cannot turn
// the node into a connection flood against a victim (dial amplification);
// and no candidate is dialed dynamically once two dials or peers share its
// /24 (IPv6: /48) or four its /16 (IPv6: /32), so an attacker holding one
// subnet, or one provider's block, cannot fill the outbound slots
// (eclipse). Static nodes are exempt, and so are the addresses
// Config.LANExempt names (by default LAN addresses).
//
// Beyond go-ethereum's p2p/dial.go, the scheduler remembers:
//
//   - why each dial or session failed (FailureClass, from Classify), and
//     backs the node off for a time that depends on the class: a full node
//     is retried within minutes, one that broke the protocol after hours
//     (see Backoff);
//   - which peers were good (Config.DB, a PeerMemory such as nodedb.DB), so
//     that after a restart they are dialed first (warm restart);
//   - that it has no peer at all: after Config.PeerlessDelay it dials the
//     bootnodes and calls Config.OnPeerless so the Server can re-seed
//     discovery, instead of waiting for the network to come back on its own.
//
// # Concurrency and time
//
// One goroutine owns all state; AddStatic, RemoveStatic, PeerAdded,
// PeerRemoved and Stats hand their work to it over channels and return
// quickly even while every dial slot is busy. All timing goes through the
// injected mclock.Clock, so tests run hours of scheduling with
// mclock.Simulated. Config.Trace reports every decision ("dial n because
// static", "skip n: recent") for tests and metrics.
//
// # Example
//
//	sched := dial.New(dial.Config{
//		Self:         self.ID(),
//		MaxDialPeers: maxPeers / dialRatio,
//		Bootnodes:    bootnodes,
//		DB:           db,
//		Clock:        mclock.System{},
//	}, enode.Filter(mix, onMyNetwork), srv.setupConn)
//	defer sched.Stop()
//	sched.AddStatic(node)
//	// The Server reports every peer it adds and removes:
//	sched.PeerAdded(n, dial.DynDialed)
//	sched.PeerRemoved(n, dial.DynDialed, reason)
package dial
