package dial

import (
	"fmt"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// EventKind says what an Event reports.
type EventKind uint8

const (
	// EventDial: a dial started. Reason is Why* (static, dynamic, warm, bootnode).
	EventDial EventKind = iota + 1
	// EventSkip: a candidate was not dialed. Reason is Skip*.
	EventSkip
	// EventDialDone: a dial task ended. Err and Class tell how.
	EventDialDone
	// EventResolve: a static node was looked up after a failed dial. Node is
	// the record found (nil if none); Reason is "found" or "not-found".
	EventResolve
	// EventPeerless: the node had no peer for PeerlessDelay; bootnodes are
	// dialed and OnPeerless is called.
	EventPeerless
)

// Why a dial started.
const (
	WhyStatic   = "static"   // a static node that is not connected
	WhyDynamic  = "dynamic"  // a discovery candidate filling a dynamic slot
	WhyWarm     = "warm"     // a good peer remembered from a previous run
	WhyBootnode = "bootnode" // the peerless fallback
)

// Why a candidate was skipped.
const (
	SkipSelf       = "self"        // the local node
	SkipConnected  = "connected"   // already a peer
	SkipDialing    = "dialing"     // a dial to it is running
	SkipStatic     = "static"      // a static node; the static logic dials it
	SkipRestricted = "restricted"  // outside NetRestrict
	SkipNoAddr     = "noaddr"      // no TCP endpoint
	SkipFamily     = "family"      // no address in a family of Config.Families
	SkipRecent     = "recent"      // dialed within HistoryExpiration
	SkipRecentIP   = "recent-ip"   // its (non-exempt) IP was dialed within HistoryExpiration
	SkipSubnet     = "subnet"      // its /24 (IPv6 /48) already holds 2 dynamic dials or peers
	SkipWideSubnet = "wide-subnet" // its /16 (IPv6 /32) already holds 4 dynamic dials or peers
	SkipBackoff    = "backoff"     // failed recently; its failure class backoff runs
	SkipFilter     = "filter"      // refused by Config.Filter
)

// Event is one decision of the scheduler, reported to Config.Trace.
type Event struct {
	Kind   EventKind
	Time   mclock.AbsTime
	ID     enode.ID
	Node   *enode.Node // the node concerned (nil for EventPeerless)
	Flags  Flags       // EventDial, EventDialDone: the connection flags
	Reason string      // Why* for EventDial, Skip* for EventSkip
	Source string      // EventDial, EventDialDone: the label of the candidate's source
	Class  FailureClass
	Err    error
}

func (e Event) String() string {
	id := e.ID.TerminalString()
	switch e.Kind {
	case EventDial:
		return fmt.Sprintf("dial %s because %s", id, e.Reason)
	case EventSkip:
		return fmt.Sprintf("skip %s: %s", id, e.Reason)
	case EventDialDone:
		if e.Err == nil {
			return fmt.Sprintf("done %s: ok", id)
		}
		return fmt.Sprintf("done %s: %v (%v)", id, e.Class, e.Err)
	case EventResolve:
		return fmt.Sprintf("resolve %s: %s", id, e.Reason)
	case EventPeerless:
		return "peerless"
	}
	return "unknown event"
}
