package v4

import "errors"

// Admission (discover.Admitter): every datagram passes it before the replay
// filter and signature recovery; replies to sources without an endpoint
// proof are paid for with their request bytes.
const (
	// expectedReplies is how many datagrams of the reserved lane a request
	// of ours opens for its recipient's IP: its reply, and its ping while
	// it bonds with us (ensureBond) or a second NEIGHBORS packet.
	expectedReplies = 2
	// expectWindow is how long that lane stays open: the reply timeout and
	// some slack for a reply that the matcher would still take.
	expectWindow = 2 * respTimeout
)

var errNoReplyCredit = errors.New("reply withheld: unproven source has no reply credit")

// proveWindow is how long a pong keeps its sender's IP in the reserved
// lane: as long as the endpoint proof it makes.
const proveWindow = bondExpiration
