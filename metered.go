package devp2p

import (
	"errors"
	"net"
	"sync/atomic"
)

// TrafficStats counts what went over connections: raw bytes (RLPx handshake,
// framing and MACs included) and devp2p messages (base protocol included).
type TrafficStats struct {
	BytesIn, BytesOut       uint64
	MessagesIn, MessagesOut uint64
}

// meter is a set of traffic counters. Each connection has one, and every
// update is added to the server's total as well, so both are always current
// without a collection pass.
type meter struct {
	bytesIn, bytesOut atomic.Uint64
	msgsIn, msgsOut   atomic.Uint64
	parent            *meter // server total, or nil
}

func (m *meter) addBytesIn(n int) {
	for ; m != nil; m = m.parent {
		m.bytesIn.Add(uint64(n))
	}
}

func (m *meter) addBytesOut(n int) {
	for ; m != nil; m = m.parent {
		m.bytesOut.Add(uint64(n))
	}
}

func (m *meter) addMsgIn() {
	for ; m != nil; m = m.parent {
		m.msgsIn.Add(1)
	}
}

func (m *meter) addMsgOut() {
	for ; m != nil; m = m.parent {
		m.msgsOut.Add(1)
	}
}

func (m *meter) stats() TrafficStats {
	return TrafficStats{
		BytesIn: m.bytesIn.Load(), BytesOut: m.bytesOut.Load(),
		MessagesIn: m.msgsIn.Load(), MessagesOut: m.msgsOut.Load(),
	}
}

// meteredConn counts the bytes read from and written to a connection.
type meteredConn struct {
	net.Conn
	m *meter
}

func (c *meteredConn) Read(b []byte) (int, error) {
	n, err := c.Conn.Read(b)
	if n > 0 {
		c.m.addBytesIn(n)
	}
	return n, err
}

func (c *meteredConn) Write(b []byte) (int, error) {
	n, err := c.Conn.Write(b)
	if n > 0 {
		c.m.addBytesOut(n)
	}
	return n, err
}

// CloseWrite half-closes the connection when the underlying one supports it
// (TCP), for transport.linger.
func (c *meteredConn) CloseWrite() error {
	if cw, ok := c.Conn.(interface{ CloseWrite() error }); ok {
		return cw.CloseWrite()
	}
	return errors.ErrUnsupported
}
