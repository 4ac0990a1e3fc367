package nattest

import (
	"net"

	"github.com/pion/stun/v3"
)

// STUN is a fake STUN server on 127.0.0.1 that answers every Binding
// request with a fixed mapped address.
type STUN struct {
	conn *net.UDPConn
	done chan struct{}
	ext  net.IP
}

// StartSTUN starts a server that reports ext as the client's address.
func StartSTUN(ext net.IP) (*STUN, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		return nil, err
	}
	s := &STUN{conn: conn, done: make(chan struct{}), ext: ext}
	go s.serve()
	return s, nil
}

// Addr is the server's host:port.
func (s *STUN) Addr() string { return s.conn.LocalAddr().String() }

// Close stops the server and waits for its goroutine.
func (s *STUN) Close() {
	s.conn.Close()
	<-s.done
}

func (s *STUN) serve() {
	defer close(s.done)
	buf := make([]byte, 1500)
	for {
		n, from, err := s.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		req := &stun.Message{Raw: append([]byte(nil), buf[:n]...)}
		if req.Decode() != nil || req.Type != stun.BindingRequest {
			continue
		}
		resp, err := stun.Build(
			stun.NewTransactionIDSetter(req.TransactionID),
			stun.BindingSuccess,
			&stun.XORMappedAddress{IP: s.ext, Port: from.Port},
			stun.Fingerprint,
		)
		if err != nil {
			continue
		}
		s.conn.WriteToUDP(resp.Raw, from)
	}
}
