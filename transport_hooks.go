package devp2p

import (
	"net"
	"net/netip"
)

// Transport hooks let an in-process network (package sim) stand in for the
// operating system's sockets: Config.Listen replaces the TCP listener and
// Config.ListenUDP the discovery socket (Config.Dialer already replaces the
// TCP dialer). With the hooks nil the server uses net.Listen and
// net.ListenUDP, as before.

// ListenFunc opens the stream listener at a ListenAddr such as
// "10.0.0.1:30303". A listener whose Addr is a *net.TCPAddr has its port
// announced in the record and its remote addresses checked like TCP ones.
type ListenFunc func(addr string) (net.Listener, error)

// ListenUDPFunc opens discovery's datagram socket at addr (the IP and port of
// the stream listener).
type ListenUDPFunc func(addr netip.AddrPort) (PacketConn, error)

// PacketConn is the datagram socket discovery runs on, the method set the
// discovery engines use (discover.UDPConn). *net.UDPConn and
// discover/memnet.Conn implement it; LocalAddr must return a *net.UDPAddr.
type PacketConn interface {
	ReadFromUDPAddrPort(b []byte) (n int, addr netip.AddrPort, err error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (n int, err error)
	Close() error
	LocalAddr() net.Addr
}

// listenTCP opens the stream listener through Config.Listen or the OS.
func (srv *Server) listenTCP(addr string) (net.Listener, error) {
	if srv.cfg.Listen != nil {
		return srv.cfg.Listen(addr)
	}
	return net.Listen("tcp", addr)
}

// listenUDP opens the discovery socket through Config.ListenUDP or the OS.
func (srv *Server) listenUDP(laddr *net.UDPAddr) (PacketConn, error) {
	if srv.cfg.ListenUDP != nil {
		return srv.cfg.ListenUDP(laddr.AddrPort())
	}
	return net.ListenUDP("udp", laddr)
}
