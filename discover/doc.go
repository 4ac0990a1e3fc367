// Package discover holds the Kademlia node table that the discovery protocol
// engines (discover/v4 and discover/v5) share: buckets ordered by last
// contact, replacement lists, per-subnet IP limits, revalidation of entries,
// refresh, iterative lookups and the iterators that feed the dialer.
//
// It implements the table of the Node Discovery Protocol v4
// (https://github.com/ethereum/devp2p/blob/master/discv4.md, "Kademlia Table"
// and "Recursive Lookup") with hardening against eclipse attacks
// (docs/SECURITY.md):
//
//   - 17 buckets. Log distances up to 239 share bucket 0: with random IDs a
//     node at log distance ≤ 239 turns up with probability 2^-16 per peer, so
//     separate buckets for them would stay empty forever.
//   - 16 live entries per bucket, least recently contacted first, and up to
//     10 replacements per bucket.
//   - At most 2 nodes per IPv4 /24 (IPv6 /48) in one bucket and 10 in the
//     whole table, and at most 3 per IPv4 /16 (IPv6 /32) in one bucket and
//     20 in the whole table. LAN addresses are exempt only as
//     TableConfig.LANExempt says: by default while our own address is a LAN
//     address too. The IPv6 unit is /48 because one end site gets a /48 for
//     free (netutil.DefaultSubnet6 explains it), so it is the IPv6 analogue
//     of "one operator's /24"; a /32 is one provider's allocation, as an
//     IPv4 /16.
//   - Revalidation pings new entries soon (within 10 s) and proven entries
//     every 5–10 min, bumps responders, and replaces silent entries with the
//     most recent replacement.
//   - Nodes that fail 5 findnode requests in a row are dropped.
//
// Applications normally use the table through an engine (discover/v4 or
// discover/v5), which creates it. An engine implements Transport; the table
// calls it for pings, ENR requests and refresh lookups. All methods are safe
// for concurrent use, and time comes from Config.Clock, so tests can run the
// table on simulated time.
//
// The package also holds the Admitter, which both engines consult for every
// datagram before any expensive work: token buckets per source IP, per
// subnet (IPv4 /24, IPv6 /64), per wide subnet (IPv4 /16, IPv6 /48) and for
// all unproven sources together, a reserved lane for sources that proved
// their address and for replies we asked for, and a reply credit that keeps
// what we send an unproven source within what it sent us. Engines make one
// from their Config.Admission unless given one (Config.Admitter) to share:
//
//	admit := discover.NewAdmitter(discover.AdmitConfig{}, clock)
//	v4cfg.Admitter, v5cfg.Admitter = admit, admit
//
// Example (inside a protocol engine):
//
//	tab, err := discover.NewTable(transport, discover.Config{
//		TableConfig: discover.TableConfig{DB: db, Bootnodes: boot},
//	})
//	...
//	tab.Start()
//	defer tab.Close()
//	nodes := tab.NewLookup(ctx, target, queryFunc).Run()
package discover
