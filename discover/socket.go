package discover

import (
	"errors"
	"log/slog"
	"net"
	"net/netip"
)

// UDPConn is the socket a protocol engine runs on. *net.UDPConn implements
// it, and so does discover/memnet.Conn for tests.
type UDPConn interface {
	ReadFromUDPAddrPort(b []byte) (n int, addr netip.AddrPort, err error)
	WriteToUDPAddrPort(b []byte, addr netip.AddrPort) (n int, err error)
	Close() error
	LocalAddr() net.Addr
}

var _ UDPConn = (*net.UDPConn)(nil)

// ReadPacket is a datagram read from a socket, as one engine hands it to
// another that shares the socket (discv4 passes what it cannot decode to
// discv5).
type ReadPacket struct {
	Data []byte
	Addr netip.AddrPort
}

// ReadLoop reads datagrams from conn into one buffer of bufSize bytes and
// calls handle for each, until reading fails or handle returns false. handle
// must not keep data. Read timeouts are skipped; the error that ends the
// loop is logged at Debug unless closing is closed (the engine closed conn).
func ReadLoop(conn UDPConn, bufSize int, closing <-chan struct{}, log *slog.Logger, handle func(from netip.AddrPort, data []byte) bool) {
	buf := make([]byte, bufSize)
	for {
		n, from, err := conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			var ne net.Error
			if errors.As(err, &ne) && ne.Timeout() {
				continue
			}
			select {
			case <-closing:
			default:
				log.Debug("UDP read error", "err", err)
			}
			return
		}
		if !handle(from, buf[:n]) {
			return
		}
	}
}
