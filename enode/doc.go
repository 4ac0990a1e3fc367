// Package enode is node identity for devp2p: the node ID, the Node (a
// verified EIP-778 record with its ID and endpoints cached), enode:// URLs,
// the "v4" identity scheme, Kademlia distances, node iterators and the local
// node's own record.
//
// Specs: node records (EIP-778, https://eips.ethereum.org/EIPS/eip-778) with
// the "v4" identity scheme (https://github.com/ethereum/devp2p/blob/master/enr.md),
// the record sequence number advertised in discv4 (EIP-868,
// https://eips.ethereum.org/EIPS/eip-868), and the enode URL format
// (https://ethereum.org/en/developers/docs/networking-layer/network-addresses/):
//
//	enode://<128 hex digits of the public key>@<IP or host name>:<TCP port>[?discport=<UDP port>]
//
// Host names: ParseV4 accepts a DNS name in place of the IP and keeps it
// unresolved (Node.Hostname), because parsing must not do network I/O and the
// name may only resolve later (containers, dynamic DNS). Nothing resolves it
// implicitly: the caller that wants to dial calls Node.Resolve with a
// resolver and deadline of its choice. A node with a host name and no IP has
// no endpoint (UDPEndpoint/TCPEndpoint report false) until resolved.
//
// Every public key that enters through a URL or a record's "secp256k1" entry
// is validated (on the curve, coordinates below p, not infinity; see
// docs/SECURITY.md); invalid keys are errors.
//
// Checks are done once: New remembers the "v4" records it verified (keyed by
// the hash of the whole signed record, so a different record with the same
// seq is verified on its own) and NewV4Raw the 64-byte keys it parsed, in
// bounded process-wide memos. Discovery, which sees the same records and
// keys in every lookup, pays for each once.
//
// LocalNode's endpoint in the record follows, unless SetStaticIP fixed it,
// the votes of other nodes (UDPEndpointStatement): one vote per IPv4 /24 or
// IPv6 /48, and a change needs the agreement of at least 3 subnets and a
// majority of all votes.
//
// Example:
//
//	n, err := enode.Parse(enode.ValidSchemes, "enr:-IS4Q...")
//	n, err := enode.ParseV4("enode://1dd9...a439@10.3.58.6:30303?discport=30301")
//	ep, ok := n.UDPEndpoint()
//
//	ln := enode.NewLocalNode(db, key)
//	ln.Set(enr.TCP(30303))
//	self := ln.Node() // signed, seq bumped only when something changed
package enode
