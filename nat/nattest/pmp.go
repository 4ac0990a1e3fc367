package nattest

import (
	"encoding/binary"
	"errors"
	"fmt"
	"net"
	"sync"
)

// PMPPort is the NAT-PMP server port (RFC 6886 section 3). Clients always
// send there, so a fake gateway must bind 127.0.0.1:5351; only one can run
// on the host at a time.
const PMPPort = 5351

// ErrPMPPortBusy: 127.0.0.1:5351 is taken (another test's fake gateway).
var ErrPMPPortBusy = errors.New("nattest: 127.0.0.1:5351 is in use")

// PMP is a fake NAT-PMP gateway on 127.0.0.1:5351.
type PMP struct {
	conn *net.UDPConn
	done chan struct{}

	// Requests receives one line per request handled ("map tcp 30303->30303
	// 1200s", "delete udp 30303", "extip"). Buffered; overflow is dropped.
	Requests chan string

	mu       sync.Mutex
	extIP    net.IP
	mappings map[string]uint16 // "tcp/30303" (internal) -> external port
	force    map[string]uint16 // proto -> port granted to the next map request
	result   uint16            // result code for every request (0 = success)
}

// StartPMP starts a fake gateway that reports extIP as its external address.
func StartPMP(extIP net.IP) (*PMP, error) {
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1), Port: PMPPort})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrPMPPortBusy, err)
	}
	g := &PMP{
		conn:     conn,
		done:     make(chan struct{}),
		Requests: make(chan string, 100),
		extIP:    extIP.To4(),
		mappings: make(map[string]uint16),
		force:    make(map[string]uint16),
	}
	go g.serve()
	return g, nil
}

// Close stops the gateway and waits for its goroutine. Clients then get
// "connection refused", as from a router that went away.
func (g *PMP) Close() {
	g.conn.Close()
	<-g.done
}

// ForcePort makes the gateway grant port (instead of the requested one) to
// the next map request for proto, as a router does when the port is taken.
func (g *PMP) ForcePort(proto string, port uint16) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.force[proto] = port
}

// SetResult makes every later request fail with the given NAT-PMP result
// code (0 to succeed again).
func (g *PMP) SetResult(code uint16) {
	g.mu.Lock()
	defer g.mu.Unlock()
	g.result = code
}

// Mapping returns the external port mapped for proto/internal port, or 0.
func (g *PMP) Mapping(proto string, intport uint16) uint16 {
	g.mu.Lock()
	defer g.mu.Unlock()
	return g.mappings[fmt.Sprintf("%s/%d", proto, intport)]
}

// Mappings returns how many mappings exist.
func (g *PMP) Mappings() int {
	g.mu.Lock()
	defer g.mu.Unlock()
	return len(g.mappings)
}

func (g *PMP) serve() {
	defer close(g.done)
	buf := make([]byte, 64)
	for {
		n, from, err := g.conn.ReadFromUDP(buf)
		if err != nil {
			return
		}
		if resp := g.handle(buf[:n]); resp != nil {
			g.conn.WriteToUDP(resp, from)
		}
	}
}

func (g *PMP) note(s string) {
	select {
	case g.Requests <- s:
	default:
	}
}

func (g *PMP) handle(req []byte) []byte {
	if len(req) < 2 || req[0] != 0 {
		return nil
	}
	g.mu.Lock()
	defer g.mu.Unlock()
	op := req[1]
	switch {
	case op == 0 && len(req) == 2:
		resp := make([]byte, 12)
		resp[1] = 0x80
		binary.BigEndian.PutUint16(resp[2:], g.result)
		copy(resp[8:], g.extIP)
		g.note("extip")
		return resp
	case (op == 1 || op == 2) && len(req) == 12:
		proto := "udp"
		if op == 2 {
			proto = "tcp"
		}
		intport := binary.BigEndian.Uint16(req[4:])
		ext := binary.BigEndian.Uint16(req[6:])
		life := binary.BigEndian.Uint32(req[8:])
		key := fmt.Sprintf("%s/%d", proto, intport)
		resp := make([]byte, 16)
		resp[1] = 0x80 | op
		binary.BigEndian.PutUint16(resp[2:], g.result)
		binary.BigEndian.PutUint16(resp[8:], intport)
		if g.result != 0 {
			g.note(fmt.Sprintf("refused %s %d", proto, intport))
			return resp
		}
		if life == 0 { // delete (RFC 6886 section 3.4)
			delete(g.mappings, key)
			g.note(fmt.Sprintf("delete %s %d", proto, intport))
			return resp
		}
		if ext == 0 {
			ext = intport
		}
		if p, ok := g.force[proto]; ok {
			ext = p
			delete(g.force, proto)
		}
		g.mappings[key] = ext
		binary.BigEndian.PutUint16(resp[10:], ext)
		binary.BigEndian.PutUint32(resp[12:], life)
		g.note(fmt.Sprintf("map %s %d->%d %ds", proto, binary.BigEndian.Uint16(req[6:]), intport, life))
		return resp
	}
	return nil
}
