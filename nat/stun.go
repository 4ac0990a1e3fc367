package nat

import (
	"errors"
	"fmt"
	"net"
	"time"

	"github.com/pion/stun/v3"
)

const (
	// stunTimeout bounds the exchange with one STUN server.
	stunTimeout = 3 * time.Second
	// stunRTO is the first retransmission timeout, doubled on every resend
	// (RFC 8489 section 6.2.1 recommends 500 ms).
	stunRTO = 500 * time.Millisecond
	// stunMaxResponse is the largest answer read; a Binding success with
	// the usual attributes is under 100 bytes, and UDP datagrams beyond the
	// path MTU are not expected (RFC 8489 section 6.1).
	stunMaxResponse = 1500
)

// DefaultSTUNServers are asked in order by the "stun" mechanism without a
// server. They are public servers run by large operators.
var DefaultSTUNServers = []string{
	"stun.l.google.com:19302",
	"stun1.l.google.com:19302",
	"stun.cloudflare.com:3478",
}

// STUN returns the "stun" mechanism: it learns the external IP by sending a
// STUN Binding request (RFC 8489) to server, or to DefaultSTUNServers in
// turn if server is empty. It maps nothing: AddMapping reports the requested
// port as mapped, which holds for a host whose ports are forwarded by hand
// or that sits behind an endpoint-independent (full-cone) NAT.
func STUN(server string) Interface {
	s := &stunNAT{name: "stun", servers: DefaultSTUNServers}
	if server != "" {
		s.name, s.servers = "stun:"+server, []string{server}
	}
	return s
}

type stunNAT struct {
	name    string
	servers []string
}

func (s *stunNAT) String() string { return s.name }

func (s *stunNAT) ExternalIP() (net.IP, error) {
	var errs []error
	for _, server := range s.servers {
		ip, err := stunQuery(server, stunTimeout)
		if err == nil {
			return ip, nil
		}
		errs = append(errs, fmt.Errorf("%s: %w", server, err))
	}
	return nil, fmt.Errorf("stun: %w", errors.Join(errs...))
}

// AddMapping maps nothing (see STUN).
func (s *stunNAT) AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error) {
	if err := checkMapping(protocol, extport, intport); err != nil {
		return 0, err
	}
	return uint16(extport), nil
}

// DeleteMapping does nothing.
func (s *stunNAT) DeleteMapping(string, int, int) error { return nil }

// stunQuery sends a Binding request to server and returns the address it saw
// us at. Answers that are not for our transaction are ignored.
func stunQuery(server string, timeout time.Duration) (net.IP, error) {
	conn, err := net.Dial("udp", server)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	req, err := stun.Build(stun.TransactionID, stun.BindingRequest, stun.Fingerprint)
	if err != nil {
		return nil, err
	}
	deadline := time.Now().Add(timeout)
	buf := make([]byte, stunMaxResponse)
	for rto := stunRTO; ; rto *= 2 {
		if _, err := conn.Write(req.Raw); err != nil {
			return nil, err
		}
		next := time.Now().Add(rto)
		if next.After(deadline) {
			next = deadline
		}
		conn.SetReadDeadline(next)
		for {
			n, err := conn.Read(buf)
			if err != nil {
				var ne net.Error
				if errors.As(err, &ne) && ne.Timeout() && time.Now().Before(deadline) {
					break // resend
				}
				return nil, err
			}
			ip, err := parseBindingResponse(buf[:n], req.TransactionID)
			if errors.Is(err, errNotOurs) {
				continue
			}
			return ip, err
		}
	}
}

var errNotOurs = errors.New("not an answer to our request")

// parseBindingResponse decodes an answer to the Binding request with
// transaction ID tid and returns the mapped address it carries.
func parseBindingResponse(b []byte, tid [stun.TransactionIDSize]byte) (net.IP, error) {
	if !stun.IsMessage(b) {
		return nil, errNotOurs
	}
	m := &stun.Message{Raw: append([]byte(nil), b...)}
	if err := m.Decode(); err != nil {
		return nil, errNotOurs
	}
	if m.TransactionID != tid {
		return nil, errNotOurs
	}
	if m.Type != stun.BindingSuccess {
		var code stun.ErrorCodeAttribute
		if code.GetFrom(m) == nil {
			return nil, fmt.Errorf("server answered %v: %v", m.Type, code)
		}
		return nil, fmt.Errorf("server answered %v", m.Type)
	}
	var xor stun.XORMappedAddress
	if err := xor.GetFrom(m); err == nil {
		return xor.IP, nil
	}
	// RFC 3489 servers send only MAPPED-ADDRESS.
	var mapped stun.MappedAddress
	if err := mapped.GetFrom(m); err == nil {
		return mapped.IP, nil
	}
	return nil, errors.New("answer carries no mapped address")
}
