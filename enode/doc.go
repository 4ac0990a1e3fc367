// Package enode is node identity for devp2p: the node ID, the Node (a
// verified EIP-778 record with its ID and endpoints cached), enode:// URLs,
// the "v4" identity scheme, Kademlia distances, node iterators and the local
// node's own record.
//
// Specs: the "v4" identity scheme of https://github.com/ethereum/devp2p/blob/master/enr.md,
// EIP-778 (https://eips.ethereum.org/EIPS/eip-778), EIP-868 (the record
// sequence number advertised in discv4,
// https://eips.ethereum.org/EIPS/eip-868), and the enode URL format
// enode://<128 hex public key>@<ip or hostname>:<tcp port>[?discport=<udp port>]
// (https://ethereum.org/en/developers/docs/networking-layer/network-addresses/).
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
