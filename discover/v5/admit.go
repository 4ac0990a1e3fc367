package v5

import (
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/discover"
)

// Admission (discover.Admitter): a datagram passes it before the codec
// unmasks its header or decrypts it. Replies need no byte credit here:
// WHOAREYOU is never larger than the smallest packet that triggers it, and
// every other reply goes through a session, which only a source that
// answered our challenge at its address holds.
const (
	// expectedReplies is how many datagrams of the reserved lane a request
	// of ours opens for its recipient's IP: a WHOAREYOU and the NODES
	// packets of one answer.
	expectedReplies = 1 + totalNodesRespLimit
	// expectWindow is how long that lane stays open.
	expectWindow = 2 * respTimeout
	// proveWindow is how long a completed handshake or an answer to our
	// request keeps the sender's IP in the reserved lane.
	proveWindow = 24 * time.Hour
)

// admitted reports whether a datagram from ip may be decoded. On a shared
// socket (Config.Unhandled) the discv4 engine that read it has admitted it.
func (t *UDPv5) admitted(ip netip.Addr, size int) bool {
	if t.cfg.Unhandled != nil {
		return true
	}
	return t.admit.Admit(ip, size)
}

// AdmitStats returns the admission counts (drops before decoding).
func (t *UDPv5) AdmitStats() discover.AdmitStats { return t.admit.Stats() }
