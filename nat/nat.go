package nat

import (
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"time"
)

// Interface is a way to be reachable from outside a NAT: it maps ports on the
// gateway and reports the address the outside world sees. Its method set is
// devp2p.Config's NAT interface, so any mechanism plugs into the Server.
//
// Implementations are safe for concurrent use. Network calls carry their own
// deadlines, so no method blocks for long on a gateway that does not answer.
type Interface interface {
	// ExternalIP returns the address peers reach us at.
	ExternalIP() (net.IP, error)
	// AddMapping maps extport on the gateway to intport on this host for
	// lifetime and returns the external port actually mapped, which may
	// differ from extport when the gateway picks another one.
	AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error)
	// DeleteMapping removes a mapping made by AddMapping.
	DeleteMapping(protocol string, extport, intport int) error
	// String describes the mechanism, in the form Parse accepts where
	// possible ("upnp", "extip:1.2.3.4").
	String() string
}

// Errors callers may branch on.
var (
	// ErrNoGateway: discovery found no UPnP or NAT-PMP gateway in time.
	ErrNoGateway = errors.New("nat: no gateway found")
	// ErrBadSpec: Parse was given text it does not understand.
	ErrBadSpec = errors.New("nat: invalid NAT spec")
	// errBadProtocol: AddMapping/DeleteMapping got a protocol other than
	// "tcp" or "udp".
	errBadProtocol = errors.New("nat: protocol must be tcp or udp")
)

// specHelp lists the accepted forms, for error messages and flag help.
const specHelp = `want "none", "any", "upnp", "pmp[:<gateway IP>]", "extip:<IP>" or "stun[:<host:port>]"`

// Parse turns the text of a --nat flag or a config file's NAT field into a
// mechanism:
//
//	"" or "none"        no NAT handling (Parse returns nil, nil)
//	"any"               UPnP and NAT-PMP discovered side by side, first answer wins
//	"upnp"              UPnP IGDv1/IGDv2 (WANIPConnection or WANPPPConnection)
//	"pmp"               NAT-PMP, gateway guessed from the local networks
//	"pmp:192.168.1.1"   NAT-PMP at that gateway
//	"extip:1.2.3.4"     a fixed external IP; maps nothing (ports forwarded by hand)
//	"stun"              learn the external IP from public STUN servers; maps nothing
//	"stun:host:port"    ... from that STUN server
//
// Mechanism names are case-insensitive. Parse does no network I/O:
// discovery runs when the mechanism is first used.
func Parse(spec string) (Interface, error) {
	mech, arg, hasArg := strings.Cut(strings.TrimSpace(spec), ":")
	mech = strings.ToLower(mech)
	if hasArg && arg == "" {
		return nil, fmt.Errorf("%w %q: empty value after ':'; %s", ErrBadSpec, spec, specHelp)
	}
	switch mech {
	case "", "none", "off":
		if hasArg {
			break
		}
		return nil, nil
	case "any", "auto", "on":
		if hasArg {
			break
		}
		return Any(), nil
	case "upnp":
		if hasArg {
			break
		}
		return UPnP(), nil
	case "pmp", "natpmp", "nat-pmp":
		if !hasArg {
			return PMP(nil), nil
		}
		ip, err := parseIP(arg)
		if err != nil {
			return nil, fmt.Errorf("%w %q: gateway: %v", ErrBadSpec, spec, err)
		}
		return PMP(ip), nil
	case "extip":
		if !hasArg {
			return nil, fmt.Errorf("%w %q: extip needs an address, as in extip:1.2.3.4", ErrBadSpec, spec)
		}
		ip, err := parseIP(arg)
		if err != nil {
			return nil, fmt.Errorf("%w %q: %v", ErrBadSpec, spec, err)
		}
		return ExtIP(ip), nil
	case "stun":
		if !hasArg {
			return STUN(""), nil
		}
		if _, _, err := net.SplitHostPort(arg); err != nil {
			return nil, fmt.Errorf("%w %q: STUN server must be host:port: %v", ErrBadSpec, spec, err)
		}
		return STUN(arg), nil
	default:
		return nil, fmt.Errorf("%w %q: unknown mechanism %q; %s", ErrBadSpec, spec, mech, specHelp)
	}
	return nil, fmt.Errorf("%w %q: %s takes no value; %s", ErrBadSpec, spec, mech, specHelp)
}

// parseIP accepts a literal IPv4 or IPv6 address that can be someone's
// endpoint (not unspecified or multicast).
func parseIP(s string) (net.IP, error) {
	a, err := netip.ParseAddr(s)
	if err != nil {
		return nil, fmt.Errorf("%q is not an IP address", s)
	}
	a = a.Unmap()
	if a.IsUnspecified() || a.IsMulticast() || a.Zone() != "" {
		return nil, fmt.Errorf("%q cannot be an external address", s)
	}
	return net.IP(a.AsSlice()), nil
}

// ExtIP is a fixed external address, for hosts whose ports are forwarded by
// hand or that have a public address. It maps nothing: AddMapping reports the
// requested port as mapped.
type ExtIP net.IP

func (n ExtIP) ExternalIP() (net.IP, error) { return net.IP(n), nil }
func (n ExtIP) String() string              { return "extip:" + net.IP(n).String() }

// AddMapping does nothing: the port is assumed forwarded by hand.
func (ExtIP) AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error) {
	if err := checkMapping(protocol, extport, intport); err != nil {
		return 0, err
	}
	return uint16(extport), nil
}

// DeleteMapping does nothing.
func (ExtIP) DeleteMapping(string, int, int) error { return nil }

// checkMapping validates AddMapping's arguments, so that every mechanism
// rejects the same bad input the same way.
func checkMapping(protocol string, extport, intport int) error {
	if protocol != "tcp" && protocol != "udp" {
		return fmt.Errorf("%w, got %q", errBadProtocol, protocol)
	}
	if extport < 0 || extport > 65535 || intport <= 0 || intport > 65535 {
		return fmt.Errorf("nat: port out of range (external %d, internal %d)", extport, intport)
	}
	return nil
}

// lifetimeSeconds converts a mapping lifetime to the whole seconds both UPnP
// and NAT-PMP use, clamped to what fits in their 32-bit fields.
func lifetimeSeconds(d time.Duration) uint32 {
	s := d / time.Second
	switch {
	case s < 0:
		return 0
	case s > 1<<32-1:
		return 1<<32 - 1
	}
	return uint32(s)
}

// errZeroPort: a mechanism reported success but no port.
var errZeroPort = errors.New("nat: gateway granted external port 0")
