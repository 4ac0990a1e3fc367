// Package nat makes a node reachable from behind a NAT: it maps the node's
// ports on the gateway and learns the external address peers reach it at.
//
// Mechanisms (all implement Interface, which is devp2p.Config's NAT):
//
//   - ExtIP: a fixed external address (ports forwarded by hand).
//   - UPnP: a UPnP Internet Gateway Device, IGDv1 or IGDv2, through its
//     WANIPConnection (v1, v2) or WANPPPConnection service (UPnP Forum,
//     "InternetGatewayDevice:2 Device Template", WANIPConnection:2 service).
//   - PMP: NAT-PMP, RFC 6886.
//   - STUN: learns the external address from a STUN server (RFC 8489
//     Binding request); maps nothing.
//   - Any: UPnP and NAT-PMP discovered side by side; the first gateway to
//     answer within AnyTimeout is used.
//
// Parse turns the text of a --nat flag or a config file's NAT field
// ("none", "any", "upnp", "pmp", "pmp:192.168.1.1", "extip:1.2.3.4",
// "stun", "stun:host:port") into a mechanism without any network traffic;
// discovery runs when the mechanism is first used.
//
// A Mapper keeps mappings alive: it maps the TCP and UDP ports, renews them
// at half their lifetime, asks for the same external port on every renewal
// so the node's record stays stable, reports only real changes of the
// external endpoint, and removes the mappings on Close. Its clock is
// injected, so tests drive renewals with simulated time.
//
//	n, err := nat.Parse("any")
//	if err != nil { … }
//	m := nat.StartMapper(n, 30303, 30303, nat.MapperConfig{
//		Changed: func(ep nat.Endpoints) { /* update the node record */ },
//	})
//	defer m.Close()
//
// The package uses the standard library and the UPnP (goupnp), NAT-PMP
// (go-nat-pmp) and STUN (pion/stun) client libraries only.
package nat
