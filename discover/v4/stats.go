package v4

import (
	"errors"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v4wire"
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

// packetTypeNames are the PacketStats slots of discv4 as metric label
// values; slot 0 counts the types outside the list.
var packetTypeNames = [...]string{
	0:                        "other",
	v4wire.PingPacket:        "ping",
	v4wire.PongPacket:        "pong",
	v4wire.FindnodePacket:    "findnode",
	v4wire.NeighborsPacket:   "neighbors",
	v4wire.ENRRequestPacket:  "enrrequest",
	v4wire.ENRResponsePacket: "enrresponse",
}

// PacketTypeName names the PacketStats slot kind, or returns "" for a slot
// discv4 does not use.
func PacketTypeName(kind int) string {
	if kind < 0 || kind >= len(packetTypeNames) {
		return ""
	}
	return packetTypeNames[kind]
}
