// Package netutil holds the small IP-address helpers the discovery table, the
// dialer and the Server share:
//
//   - Netlist: a list of CIDR prefixes (the Server's NetRestrict), parsed from
//     "10.0.0.0/8,192.168.0.0/16" and storable in TOML/JSON config files.
//   - DistinctNetSet: at most Limit addresses per subnet, the IP-diversity rule
//     that protects the Kademlia table against eclipse attacks (Marcus, Heilman,
//     Goldberg 2018; see docs/SECURITY.md).
//   - Subnet, HostKey and the SubnetBits/WideSubnet prefix lengths: what
//     counts as one host (an IPv4 address, an IPv6 /64), one operator (/24,
//     /48) and one provider (/16, /32) in the diversity limits.
//   - LANExemption: whether LAN sources skip those limits; by default only
//     while our own address is a LAN address too.
//   - IsLAN, IsSpecialNetwork, CheckRelayAddr: which addresses may be relayed
//     to whom. Special-purpose blocks follow the IANA IPv4/IPv6 Special-Purpose
//     Address Registries (RFC 6890 and its updates).
//   - IPTracker: predicts our own external endpoint from what other nodes say
//     they see (discv4 PONG "to", discv5 PONG), one vote per IPv4 /24 or IPv6
//     /48, moving only when a majority of at least a few subnets agrees; and
//     whether the NAT is full-cone.
//
// The package imports only the standard library and mclock (the tracker's
// clock), and uses net/netip throughout. IPv4-mapped IPv6 addresses (::ffff:a.b.c.d) are unmapped before
// any check, so an address has one meaning whichever form it arrives in.
//
// Example:
//
//	restrict, err := netutil.ParseNetlist("10.0.0.0/8, 192.168.0.0/16")
//	if err != nil { ... }
//	if !restrict.Contains(remote.Addr()) { reject() }
//
//	if err := netutil.CheckRelayAddr(sender, nodeIP); err != nil {
//		// don't tell sender about nodeIP
//	}
package netutil
