package v4wire

import (
	"errors"
	"fmt"
	"math"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// Expired reports whether the expiration timestamp ts (UNIX seconds, as
// carried in every packet) lies before now. Packets are sent with now + 20 s
// (discv4.md: "Packets containing a time stamp that lies in the past are
// expired"); checking this first is cheap and rejects replays.
func Expired(ts uint64, now time.Time) bool {
	// Timestamps above MaxInt64 are negative as signed 64-bit seconds, which
	// is how other clients read the field (go-ethereum's discv4 conformance
	// suite sends -20 s, wrapped, as "in the past" and expects no reply).
	// Treating them as expired also denies a sender a packet that never
	// expires and so could be replayed once it has left the replay filter.
	if ts > math.MaxInt64 {
		return true
	}
	sec := now.Unix()
	return int64(ts) < sec || (int64(ts) == sec && now.Nanosecond() > 0)
}

// ErrInvalidNode is returned by (Node).Enode for a Neighbors entry that
// cannot be a node.
var ErrInvalidNode = errors.New("v4wire: invalid node")

// Enode converts a Neighbors entry to a node. It rejects keys that are not
// points on secp256k1 (ErrBadPoint) and entries without a valid IP or with
// UDP port 0 (ErrInvalidNode). Whether the IP may be relayed by the sender
// is the caller's check (netutil.CheckRelayAddr).
func (n Node) Enode() (*enode.Node, error) {
	if !n.IP.IsValid() || n.IP.IsUnspecified() {
		return nil, fmt.Errorf("%w: bad IP %v", ErrInvalidNode, n.IP)
	}
	if n.UDP == 0 {
		return nil, fmt.Errorf("%w: UDP port 0", ErrInvalidNode)
	}
	// NewV4Raw parses each distinct key once per process (a lookup sees the
	// same keys from many peers).
	node, err := enode.NewV4Raw(n.ID, n.IP, int(n.TCP), int(n.UDP))
	if err != nil {
		return nil, errors.Join(ErrBadPoint, err)
	}
	return node, nil
}

// NewNode makes a Neighbors entry from a node. The node must have an IP.
func NewNode(n *enode.Node) Node {
	return Node{
		IP:  n.IPAddr().Unmap(),
		UDP: uint16(n.UDP()),
		TCP: uint16(n.TCP()),
		ID:  EncodePubkey(n.Pubkey()),
	}
}
