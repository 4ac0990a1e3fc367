package nat

import (
	"context"
	"fmt"
	"net"
	"sync"
	"time"

	natpmp "github.com/jackpal/go-nat-pmp"
)

const (
	// pmpCallTimeout bounds one NAT-PMP request including the library's
	// retransmissions (RFC 6886 section 3.1: 250 ms, doubling).
	pmpCallTimeout = 3 * time.Second
	// pmpProbeTimeout bounds the probe of one guessed gateway during
	// discovery; a NAT-PMP gateway on the LAN answers within milliseconds.
	pmpProbeTimeout = time.Second
	// pmpDefaultLifetime is asked for when the caller passes 0 (UPnP's
	// "permanent"), since NAT-PMP reads lifetime 0 as "delete" (RFC 6886
	// section 3.3 recommends one hour).
	pmpDefaultLifetime = natpmp.RECOMMENDED_MAPPING_LIFETIME_SECONDS * time.Second
)

// PMP returns the NAT-PMP mechanism (RFC 6886) for the gateway at gw, or, if
// gw is nil, for the first of the likely gateways of the local networks
// (the .1 address of each private IPv4 network we are on) that answers.
func PMP(gw net.IP) Interface {
	if gw == nil {
		return AnyOf("pmp", AnyTimeout, DiscoverPMP)
	}
	return newPMP(gw, pmpCallTimeout)
}

func newPMP(gw net.IP, timeout time.Duration) *pmp {
	return &pmp{gw: gw, c: natpmp.NewClientWithTimeout(gw, timeout)}
}

// pmp is a NAT-PMP gateway. The library client sends to port 5351 of gw.
type pmp struct {
	gw net.IP
	c  *natpmp.Client
	mu sync.Mutex // one request at a time: replies carry no request ID
}

func (n *pmp) String() string { return "pmp:" + n.gw.String() }

func (n *pmp) ExternalIP() (net.IP, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	r, err := n.c.GetExternalAddress()
	if err != nil {
		return nil, fmt.Errorf("nat-pmp: external address from %v: %w", n.gw, err)
	}
	return net.IP(r.ExternalIPAddress[:]), nil
}

// AddMapping asks for extport; the gateway may grant another, which the
// caller should ask for on renewal (RFC 6886 section 3.3).
func (n *pmp) AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error) {
	if err := checkMapping(protocol, extport, intport); err != nil {
		return 0, err
	}
	if lifetime <= 0 {
		lifetime = pmpDefaultLifetime
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	r, err := n.c.AddPortMapping(protocol, intport, extport, int(max(lifetimeSeconds(lifetime), 1)))
	if err != nil {
		return 0, fmt.Errorf("nat-pmp: map %s port %d at %v: %w", protocol, intport, n.gw, err)
	}
	if r.MappedExternalPort == 0 || r.PortMappingLifetimeInSeconds == 0 {
		return 0, fmt.Errorf("nat-pmp: %v granted no mapping for %s port %d", n.gw, protocol, intport)
	}
	return r.MappedExternalPort, nil
}

// DeleteMapping sends the RFC 6886 section 3.4 delete request: external
// port 0 and lifetime 0 for the internal port.
func (n *pmp) DeleteMapping(protocol string, extport, intport int) error {
	if err := checkMapping(protocol, extport, intport); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, err := n.c.AddPortMapping(protocol, intport, 0, 0); err != nil {
		return fmt.Errorf("nat-pmp: delete %s port %d at %v: %w", protocol, intport, n.gw, err)
	}
	return nil
}

// DiscoverPMPAt probes the NAT-PMP gateway at gw (asks for its external
// address) and returns it if it answers within pmpProbeTimeout.
func DiscoverPMPAt(gw net.IP) Discoverer {
	return func(ctx context.Context) (Interface, error) {
		timeout := pmpProbeTimeout
		if d, ok := ctx.Deadline(); ok {
			timeout = min(timeout, time.Until(d))
		}
		if timeout <= 0 {
			return nil, ctx.Err()
		}
		probe := newPMP(gw, timeout)
		if _, err := probe.ExternalIP(); err != nil {
			return nil, err
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		return newPMP(gw, pmpCallTimeout), nil
	}
}

// DiscoverPMP probes the likely gateways of our networks side by side and
// returns the first that answers. Never used by tests.
func DiscoverPMP(ctx context.Context) (Interface, error) {
	gws := potentialGateways()
	if len(gws) == 0 {
		return nil, fmt.Errorf("nat-pmp: no private IPv4 network to look for a gateway on")
	}
	ds := make([]Discoverer, len(gws))
	for i, gw := range gws {
		ds[i] = DiscoverPMPAt(gw)
	}
	n, err := firstOf(ctx, ds)
	if err != nil {
		return nil, fmt.Errorf("nat-pmp: %w", err)
	}
	return n, nil
}

// potentialGateways guesses gateways: the first host address (.1) of every
// private IPv4 network of an interface that is up. Home routers sit there
// almost always; a wrong guess costs one unanswered probe.
func potentialGateways() []net.IP {
	ifaces, err := net.Interfaces()
	if err != nil {
		return nil
	}
	var gws []net.IP
	for _, iface := range ifaces {
		if iface.Flags&net.FlagUp == 0 || iface.Flags&net.FlagLoopback != 0 {
			continue
		}
		addrs, err := iface.Addrs()
		if err != nil {
			continue
		}
		for _, a := range addrs {
			ipnet, ok := a.(*net.IPNet)
			if !ok {
				continue
			}
			ip4, mask := ipnet.IP.To4(), ipnet.Mask
			if len(mask) == net.IPv6len {
				mask = mask[12:]
			}
			if ip4 == nil || !ip4.IsPrivate() || len(mask) != net.IPv4len {
				continue
			}
			gw := ip4.Mask(mask)
			gw[3] |= 1
			if !gw.Equal(ip4) {
				gws = append(gws, gw)
			}
		}
	}
	return gws
}
