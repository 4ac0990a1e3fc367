// Package sim simulates devp2p networks of many nodes in one process, on
// simulated time, and reports how they behave: how fast they form, whether
// lookups find the truly closest nodes, what they cost, and how they
// survive churn, partitions and Sybil identities.
//
// It has two engines, because one cannot give both things we want.
//
// # The model: deterministic and large
//
// Run drives a discrete-event model of discv4 (discv4.md:
// https://github.com/ethereum/devp2p/blob/master/discv4.md) and of the
// Server's dialing. Every node's table, bonds, lookups, revalidation,
// refresh, dial slots and node database live in plain data owned by one
// event loop; events at equal times run in the order they were scheduled,
// and every random choice comes from one generator seeded by Config.Seed.
// So the same Config gives the same CSV byte for byte, ten thousand nodes
// fit in a few hundred MiB, and an hour of network time takes seconds.
// The model follows package discover's parameters (16 entries and 10
// replacements per bucket, the per-/24 limits, alpha 3, the 500 ms reply
// timeout, 24 h endpoint proofs, 30 min refresh, database seeding) and
// counts bytes with the sizes of real packets encoded by discover/v4wire.
// It does not run the real engines, so a change to their code shows up in
// the model only when the model is changed with it (TableLimits carries
// the table's limits).
//
// Why not the real engines for this? Each discv4 engine, table and Server
// runs several goroutines; with thousands of them the order in which the
// Go scheduler runs them decides which packet arrives first, which node
// enters a bucket and which random number each draw gets. A simulated
// clock (mclock.Simulated) makes time fast but not the interleaving
// repeatable, and testing/synctest only exists inside tests and does not
// order goroutines either. Making the engines themselves steppable would
// change every engine; the model keeps the protocol's decisions and drops
// the goroutines.
//
// # Live runs: whole servers
//
// RunLive starts real devp2p.Servers (discv4 and RLPx, sub-protocol
// sessions) on a Fabric: discover/memnet for datagrams, delivered after the
// link's latency (fixed per pair of hosts, so datagrams between two hosts
// keep their order) on an mclock.Simulated clock or lost, and net.Pipe
// stream connections between listeners and dialers that carry TCP
// addresses. The servers get the fabric through Config.Listen,
// Config.ListenUDP and Config.Dialer. Hosts behind a NAT take datagrams
// only from addresses they sent to within 30 s and refuse inbound
// connections; a partition (Fabric.SetPartition) drops what crosses it and
// closes the connections across. A driver advances the clock once the
// servers have read every datagram delivered to them and the fabric has
// been quiet for a moment of real time (no datagram, no connection), so a
// heavily loaded machine slows the run instead of making replies time
// out. After a step in which something happened the next is
// LiveConfig.Step; over quiet time it jumps to the next delivery, or
// doubles up to LiveConfig.MaxStep when nothing is in flight, so a network
// at rest costs few steps.
// Live runs are not repeatable: the seed fixes addresses, latencies,
// losses and the scenario's events, the scheduler the rest.
//
// LiveConfig adds the scenarios' events to a run: Churn (servers leave
// for good and new ones join, as Poisson processes), Partition (a share of
// the servers cut off for a window, then healed), Sybil (attacker
// identities from a few /24 blocks) and Restart (servers stopped and
// started again with their node database, a file under a temporary
// directory, optionally with the bootnodes gone). A Sybil is a Server that
// only accepts connections plus a discv4 responder written here on
// discover/v4wire: it answers pings, pings honest servers to enter their
// tables, and answers every FINDNODE with the Sybils closest to the target.
// The engine and the Server run unchanged, so what keeps the honest share
// up is their own limits. Each LiveSample measures the running honest
// servers: the share with ≥ PeersK peers, the share in the largest
// connected piece of the honest peer graph, the honest shares of peers and
// of table entries, table fill and traffic; LiveSummary says when the
// network first formed (the cold start) and how long it took to form again
// after a heal or a restart.
//
// # Discovery runs: real discv4 engines, many of them
//
// RunDiscovery runs only discovery, so that ten thousand real engines fit:
// each node is a discover/v4 engine with its own key, LocalNode and
// (unless DiscoveryConfig.NoNodeDB) in-memory node database, on a Fabric
// socket at a public address drawn from DiscoveryConfig.Subnets, some of
// them behind a NAT. The bootnodes start first, the others evenly over
// DiscoveryConfig.Ramp. Every Sample it records table fill and runs
// lookups for random targets from random nodes, each compared with the
// true 16 closest reachable nodes by XOR distance at its start. The
// latency of a link is fixed per pair of hosts, as in a live run, because
// datagrams that overtake each other break discv4's bonding: a findnode
// that arrives before the pong sent just ahead of it is refused. Unlike a
// live run, the clock moves on only when the Go scheduler has no goroutine
// left to run (runtime/metrics), not after a moment of quiet, so that a
// loaded machine makes the run slower but never a reply late.
// WriteDiscoveryCSV and DiscoveryReport give the CSV and the report.
//
// Each datagram is signed and recovered once, and a bootstrapping node
// handles about a thousand, so a discovery run costs CPU time in
// proportion: 10,000 engines without node databases and with new entries
// pinged within 10 min (DiscoveryConfig.NoNodeDB, NewNodeCheck) took 929 s
// of CPU time, 8 min 27 s on two cores, and 6.72 GiB for 90 simulated
// seconds (GOMEMLIMIT=7GiB, the pure-Go secp256k1 backend; README.md has
// the run), and every table filled.
//
// # Scenarios and output
//
// Scenarios holds the ready-made model scenarios (bootstrap, churn,
// partition, sybil, restart), and LiveScenarios their live counterparts,
// each with a check of its expected outcome (the tests run a small version
// of every one): live bootstrap wants every server with ≥ 3 peers in one
// connected network; churn ≥ 80% with ≥ 3 peers while servers come and go;
// partition the network split by the cut and whole again after the heal;
// sybil the honest shares of peers and table entries ≥ 50% with half the
// identities Sybils; restart the network formed again from the node
// databases alone. WriteCSV and WriteLiveCSV write one row per sample;
// ModelReport and LiveReport build an HTML report whose charts are inline
// SVG drawn here, so it opens offline. The devp2p command runs them:
//
//	devp2p sim bootstrap --nodes 10000 --seed 1 --out sim-out
//	devp2p sim live sybil --nodes 200 --out sim-out
//	devp2p sim discovery --nodes 10000 --no-nodedb
//
// From Go:
//
//	res, err := sim.Run(ctx, sim.Scenarios["sybil"].Build(1000, 1), nil)
//	if err != nil { ... }
//	sim.WriteCSV(os.Stdout, res.Samples)
//
//	sc := sim.LiveScenarios["partition"]
//	lres, err := sim.RunLive(ctx, sc.Build(100, 1), nil)
//	if err == nil { err = sc.Check(lres) }
package sim
