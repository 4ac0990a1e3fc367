package v4

import (
	"errors"

	"github.com/devp2p-go/devp2p/discover"
)

// PacketStats returns the engine's packet counters: received and sent by
// packet type (v4wire.PingPacket…ENRResponsePacket), dropped by reason. They
// are live: read them whenever needed (metrics read them at scrape time).
func (t *UDPv4) PacketStats() *discover.PacketStats { return &t.stats }

// dropReason classifies a handler's refusal of a packet.
func dropReason(err error) discover.DropReason {
	switch {
	case errors.Is(err, errExpired):
		return discover.DropExpired
	case errors.Is(err, errUnsolicited):
		return discover.DropUnsolicited
	case errors.Is(err, errUnknownNode):
		return discover.DropNoEndpointProof
	}
	return discover.DropOther
}
