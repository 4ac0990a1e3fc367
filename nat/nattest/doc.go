// Package nattest has fake NAT gateways for tests: a NAT-PMP gateway (UDP),
// a UPnP Internet Gateway Device (HTTP: device description and SOAP control)
// and a STUN server (UDP). They listen on 127.0.0.1 only and record every
// request, so tests can check what a client asked for without any traffic
// leaving the host.
package nattest
