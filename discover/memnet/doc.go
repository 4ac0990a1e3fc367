// Package memnet is an in-memory datagram network for tests: each Conn has
// the methods of *net.UDPConn that the discovery engines use
// (ReadFromUDPAddrPort, WriteToUDPAddrPort, Close, LocalAddr), so that
// hundreds of discovery nodes can run in one test process without sockets.
//
// Delivery is like UDP on a perfect LAN: immediate, unordered only across
// senders, and lossy when a receiver's queue is full. Tests may install a
// Filter to drop, inspect or count packets. Blocking happens only on
// channels, so the network works inside a testing/synctest bubble.
//
//	nw := memnet.New()
//	a, _ := nw.Listen(netip.MustParseAddrPort("11.0.0.1:30303"))
//	b, _ := nw.Listen(netip.MustParseAddrPort("11.0.1.1:30303"))
//	a.WriteToUDPAddrPort([]byte("hi"), b.AddrPort())
package memnet
