package v5

import (
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v5wire"
)

// Packet type slots of PacketStats: the messages keep their own numbers
// (v5wire.PingMsg…TalkRespMsg, also when they arrive in a handshake packet);
// the two packet kinds without a message get the slots after them.
const (
	KindWhoareyou = 7 // WHOAREYOU challenges
	KindUnknown   = 8 // packets we hold no session for (they get a WHOAREYOU)
)

// PacketStats returns the engine's packet counters: received and sent by
// type slot, dropped by reason. They are live: read them whenever needed
// (metrics read them at scrape time).
func (t *UDPv5) PacketStats() *discover.PacketStats { return &t.stats }

// kindSlot maps a packet's kind to its PacketStats slot.
func kindSlot(kind byte) int {
	switch kind {
	case v5wire.WhoareyouPacket:
		return KindWhoareyou
	case v5wire.UnknownPacket:
		return KindUnknown
	}
	return int(kind)
}

// packetTypeNames are the PacketStats slots of discv5 as metric label
// values; slot 0 counts the kinds outside the list.
var packetTypeNames = [...]string{
	0:                  "other",
	v5wire.PingMsg:     "ping",
	v5wire.PongMsg:     "pong",
	v5wire.FindnodeMsg: "findnode",
	v5wire.NodesMsg:    "nodes",
	v5wire.TalkReqMsg:  "talkreq",
	v5wire.TalkRespMsg: "talkresp",
	KindWhoareyou:      "whoareyou",
	KindUnknown:        "unknown",
}

// PacketTypeName names the PacketStats slot kind, or returns "" for a slot
// discv5 does not use.
func PacketTypeName(kind int) string {
	if kind < 0 || kind >= len(packetTypeNames) {
		return ""
	}
	return packetTypeNames[kind]
}
