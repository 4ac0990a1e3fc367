package v4

import (
	"errors"
	"net/netip"

	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/netutil"
)

var (
	errNetRestrict = errors.New("not contained in netrestrict list")
	errFamily      = errors.New("address family not reachable from our socket")
)

// makeExpiration returns the expiration stamp for a packet sent now.
func (t *UDPv4) makeExpiration() uint64 {
	return uint64(t.cfg.Clock.Wall().Add(expiration).Unix())
}

// expired reports whether a packet's expiration stamp lies in the past.
func (t *UDPv4) expired(ts uint64) bool { return v4wire.Expired(ts, t.cfg.Clock.Wall()) }

// nodeFromWire checks and converts a node received in a Neighbors packet
// from sender: the key must be on the curve, the address must be relayable
// by sender, allowed by NetRestrict and in a family our socket reaches, and
// the UDP port nonzero.
func (t *UDPv4) nodeFromWire(sender netip.AddrPort, rn v4wire.Node) (*enode.Node, error) {
	ip := rn.IP.Unmap()
	if err := netutil.CheckRelayAddr(sender.Addr(), ip); err != nil {
		return nil, err
	}
	if t.cfg.NetRestrict != nil && !t.cfg.NetRestrict.Contains(ip) {
		return nil, errNetRestrict
	}
	if !t.families.Contains(ip) {
		return nil, errFamily
	}
	return rn.Enode()
}

// nodeFromPing builds the node that sent a ping from the packet's source
// address and the TCP port it announced.
// The key is parsed once per process while it stays in enode's memo.
func nodeFromPing(key v4wire.Pubkey, from netip.AddrPort, tcp uint16) (*enode.Node, error) {
	n, err := enode.NewV4Raw(key, from.Addr(), int(tcp), int(from.Port()))
	if err != nil {
		return nil, errors.Join(v4wire.ErrBadPoint, err)
	}
	return n, nil
}
