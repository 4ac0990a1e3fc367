package nat

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"net"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/huin/goupnp"
	"github.com/huin/goupnp/dcps/internetgateway2"
	"github.com/huin/goupnp/soap"
)

const (
	// upnpCallTimeout bounds one SOAP call to the gateway.
	upnpCallTimeout = 3 * time.Second
	// UPnP error codes (UPnP IGD WANIPConnection:2 spec, section 2.4.16).
	upnpErrConflict           = 718 // ConflictInMappingEntry: port taken by another host
	upnpErrOnlyPermanentLease = 725 // OnlyPermanentLeasesSupported (IGDv1 routers)
	// Device types searched for with SSDP.
	urnIGD1 = "urn:schemas-upnp-org:device:InternetGatewayDevice:1"
	urnIGD2 = "urn:schemas-upnp-org:device:InternetGatewayDevice:2"
	// randomPortMin is the lowest port tried when an IGDv1 gateway refuses
	// the requested one (it has no AddAnyPortMapping to choose one itself).
	randomPortMin = 1024
)

// UPnP returns the "upnp" mechanism: a UPnP Internet Gateway Device (IGDv1
// or IGDv2, WANIPConnection or WANPPPConnection service), found by SSDP
// multicast when first used.
func UPnP() Interface {
	return AnyOf("upnp", AnyTimeout, DiscoverUPnP)
}

// upnpClient is what the generated goupnp service clients have in common
// (WANIPConnection1/2, WANPPPConnection1).
type upnpClient interface {
	GetExternalIPAddressCtx(ctx context.Context) (string, error)
	AddPortMappingCtx(ctx context.Context, remoteHost string, extPort uint16, proto string, intPort uint16, intClient string, enabled bool, desc string, lease uint32) error
	DeletePortMappingCtx(ctx context.Context, remoteHost string, extPort uint16, proto string) error
	GetNATRSIPStatusCtx(ctx context.Context) (rsip, nat bool, err error)
}

// upnpAnyPort is IGDv2's AddAnyPortMapping: the gateway picks a free port
// when the requested one is taken.
type upnpAnyPort interface {
	AddAnyPortMappingCtx(ctx context.Context, remoteHost string, extPort uint16, proto string, intPort uint16, intClient string, enabled bool, desc string, lease uint32) (uint16, error)
}

// upnp is one WAN connection service of a gateway.
type upnp struct {
	client   upnpClient
	service  string // "IGDv2-IP2", "IGDv1-IP1", "IGDv1-PPP1"
	host     string // the gateway's address, for String
	internal net.IP // our address as the gateway sees it (the mapping target)

	mu sync.Mutex // one SOAP call at a time; some routers mishandle concurrent ones
}

func (n *upnp) String() string { return "upnp(" + n.service + " at " + n.host + ")" }

func (n *upnp) ExternalIP() (net.IP, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), upnpCallTimeout)
	defer cancel()
	s, err := n.client.GetExternalIPAddressCtx(ctx)
	if err != nil {
		return nil, fmt.Errorf("upnp: GetExternalIPAddress: %w", err)
	}
	ip := net.ParseIP(strings.TrimSpace(s))
	if ip == nil {
		return nil, fmt.Errorf("upnp: gateway reported invalid external IP %q", s)
	}
	return ip, nil
}

// AddMapping asks for extport. When the gateway refuses it (typically
// because another host holds it), an IGDv2 gateway is asked to pick a port
// (AddAnyPortMapping) and an IGDv1 gateway is offered one random port. The
// caller should ask for the returned port on renewal, so it stays stable.
func (n *upnp) AddMapping(protocol string, extport, intport int, name string, lifetime time.Duration) (uint16, error) {
	if err := checkMapping(protocol, extport, intport); err != nil {
		return 0, err
	}
	if extport == 0 {
		extport = intport
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	proto := strings.ToUpper(protocol)
	lease := lifetimeSeconds(lifetime)
	err := n.add(uint16(extport), proto, uint16(intport), name, &lease)
	if err == nil {
		return uint16(extport), nil
	}
	var fault *soap.SOAPFaultError
	if !errors.As(err, &fault) {
		// No answer at all (network error, timeout): asking again in
		// another way would only double the wait.
		return 0, fmt.Errorf("upnp: AddPortMapping: %w", err)
	}
	if any, ok := n.client.(upnpAnyPort); ok {
		ctx, cancel := context.WithTimeout(context.Background(), upnpCallTimeout)
		defer cancel()
		p, err2 := any.AddAnyPortMappingCtx(ctx, "", uint16(extport), proto, uint16(intport), n.internal.String(), true, name, lease)
		if err2 == nil && p != 0 {
			return p, nil
		}
		return 0, fmt.Errorf("upnp: AddPortMapping: %w; AddAnyPortMapping: %v", err, err2)
	}
	if !isUPnPError(err, upnpErrConflict) {
		return 0, fmt.Errorf("upnp: AddPortMapping: %w", err)
	}
	p := uint16(randomPortMin + rand.IntN(65536-randomPortMin))
	if err2 := n.add(p, proto, uint16(intport), name, &lease); err2 != nil {
		return 0, fmt.Errorf("upnp: AddPortMapping: %w; random port %d: %v", err, p, err2)
	}
	return p, nil
}

// add runs AddPortMapping, falling back to a permanent lease on gateways that
// support only those (it then sets *lease to 0).
func (n *upnp) add(extport uint16, proto string, intport uint16, name string, lease *uint32) error {
	ctx, cancel := context.WithTimeout(context.Background(), upnpCallTimeout)
	defer cancel()
	err := n.client.AddPortMappingCtx(ctx, "", extport, proto, intport, n.internal.String(), true, name, *lease)
	if isUPnPError(err, upnpErrOnlyPermanentLease) && *lease != 0 {
		*lease = 0
		err = n.client.AddPortMappingCtx(ctx, "", extport, proto, intport, n.internal.String(), true, name, 0)
	}
	return err
}

func (n *upnp) DeleteMapping(protocol string, extport, intport int) error {
	if err := checkMapping(protocol, extport, intport); err != nil {
		return err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	ctx, cancel := context.WithTimeout(context.Background(), upnpCallTimeout)
	defer cancel()
	if err := n.client.DeletePortMappingCtx(ctx, "", uint16(extport), strings.ToUpper(protocol)); err != nil {
		return fmt.Errorf("upnp: DeletePortMapping: %w", err)
	}
	return nil
}

func isUPnPError(err error, code int) bool {
	var fault *soap.SOAPFaultError
	return errors.As(err, &fault) && fault.Detail.UPnPError.Errorcode == code
}

// DiscoverUPnP finds a UPnP gateway by SSDP multicast on the local network
// (IGDv2 and IGDv1 searched side by side). Never used by tests.
func DiscoverUPnP(ctx context.Context) (Interface, error) {
	type found struct {
		devs []goupnp.MaybeRootDevice
		err  error
	}
	urns := []string{urnIGD2, urnIGD1}
	results := make([]found, len(urns))
	var wg sync.WaitGroup
	for i, urn := range urns {
		wg.Go(func() {
			results[i].devs, results[i].err = goupnp.DiscoverDevicesCtx(ctx, urn)
		})
	}
	wg.Wait()
	var errs []error
	for _, r := range results { // IGDv2 first: it can pick a free port for us
		if r.err != nil {
			errs = append(errs, r.err)
		}
		for _, d := range r.devs {
			if d.Err != nil {
				errs = append(errs, d.Err)
				continue
			}
			internal := d.LocalAddr
			if internal == nil {
				internal = localAddrFor(d.Location)
			}
			n, err := fromRootDevice(ctx, d.Root, d.Location, internal)
			if err == nil {
				return n, nil
			}
			errs = append(errs, err)
		}
	}
	if len(errs) == 0 {
		errs = append(errs, errors.New("no UPnP gateway answered"))
	}
	return nil, fmt.Errorf("upnp: %w", errors.Join(errs...))
}

// DiscoverUPnPAt uses the gateway whose root device description is at
// rootURL (the LOCATION an SSDP answer would carry), without multicast
// discovery. This is how tests point the client at a fake gateway, and how a
// user whose network drops multicast can name the router.
func DiscoverUPnPAt(rootURL string) Discoverer {
	return func(ctx context.Context) (Interface, error) {
		loc, err := url.Parse(rootURL)
		if err != nil {
			return nil, fmt.Errorf("upnp: bad root device URL: %w", err)
		}
		root, err := goupnp.DeviceByURLCtx(ctx, loc)
		if err != nil {
			return nil, fmt.Errorf("upnp: %w", err)
		}
		return fromRootDevice(ctx, root, loc, localAddrFor(loc))
	}
}

// fromRootDevice picks the gateway's first WAN connection service that
// reports NAT enabled: WANIPConnection:2, then :1, then WANPPPConnection:1.
func fromRootDevice(ctx context.Context, root *goupnp.RootDevice, loc *url.URL, internal net.IP) (*upnp, error) {
	gen := "IGDv1"
	if root.Device.DeviceType == urnIGD2 {
		gen = "IGDv2"
	}
	var candidates []*upnp
	if cs, err := internetgateway2.NewWANIPConnection2ClientsFromRootDevice(root, loc); err == nil {
		for _, c := range cs {
			candidates = append(candidates, &upnp{client: c, service: gen + "-IP2"})
		}
	}
	if cs, err := internetgateway2.NewWANIPConnection1ClientsFromRootDevice(root, loc); err == nil {
		for _, c := range cs {
			candidates = append(candidates, &upnp{client: c, service: gen + "-IP1"})
		}
	}
	if cs, err := internetgateway2.NewWANPPPConnection1ClientsFromRootDevice(root, loc); err == nil {
		for _, c := range cs {
			candidates = append(candidates, &upnp{client: c, service: gen + "-PPP1"})
		}
	}
	if len(candidates) == 0 {
		return nil, fmt.Errorf("gateway at %s has no WAN connection service", loc)
	}
	var errs []error
	for _, n := range candidates {
		n.host, n.internal = loc.Host, internal
		cctx, cancel := context.WithTimeout(ctx, upnpCallTimeout)
		_, natEnabled, err := n.client.GetNATRSIPStatusCtx(cctx)
		cancel()
		switch {
		case err != nil:
			errs = append(errs, fmt.Errorf("%s: GetNATRSIPStatus: %w", n.service, err))
		case !natEnabled:
			errs = append(errs, fmt.Errorf("%s: NAT not enabled", n.service))
		default:
			return n, nil
		}
	}
	return nil, fmt.Errorf("gateway at %s: %w", loc, errors.Join(errs...))
}

// localAddrFor returns our address on the route to the gateway at loc: the
// address the gateway should forward to. Connecting a UDP socket sends no
// packet; it only asks the kernel for the route.
func localAddrFor(loc *url.URL) net.IP {
	if loc == nil {
		return nil
	}
	host := loc.Hostname()
	port := loc.Port()
	if port == "" {
		port = "80"
	}
	c, err := net.Dial("udp", net.JoinHostPort(host, port))
	if err != nil {
		return nil
	}
	defer c.Close()
	return c.LocalAddr().(*net.UDPAddr).IP
}
