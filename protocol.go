package devp2p

import (
	"cmp"
	"fmt"
	"slices"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/rlpx"
)

// Protocol is a sub-protocol (a "capability") run over devp2p sessions.
type Protocol struct {
	// Name is the capability name, at most 8 ASCII characters (RLPx spec,
	// "Capability Messaging"). It is case-sensitive.
	Name string
	// Version is the protocol version. When both sides share several versions
	// of one name, the highest is run.
	Version uint
	// Length is the number of message codes the protocol uses: its messages
	// have codes 0…Length-1.
	Length uint64
	// MaxMessageSize is the largest message the protocol receives, in
	// bytes of payload once decompressed. A peer sending a larger one is
	// dropped (DiscProtocolError) before the message is decompressed.
	// Zero means DefaultMaxMessageSize; at most MaxMessageSizeLimit.
	MaxMessageSize uint32
	// Run is called in its own goroutine once a session with a peer sharing
	// the protocol is up. It should read messages from rw until it returns;
	// returning ends the session with the peer (nil: DiscQuitting, a
	// DiscReason: that reason, another error: DiscSubprotocolError). rw's
	// ReadMsg fails once the session ends.
	Run func(peer *Peer, rw MsgReadWriter) error
	// NodeInfo, if set, returns protocol metadata for Server.NodeInfo
	// (admin_nodeInfo "protocols").
	NodeInfo func() any
	// PeerInfo, if set, returns protocol metadata about a peer for
	// Server.PeersInfo (admin_peers "protocols").
	PeerInfo func(id enode.ID) any
	// DialCandidates, if set, is a source of nodes worth dialing for this
	// protocol; the server mixes it with its other sources.
	DialCandidates enode.Iterator
}

func (p Protocol) cap() Cap { return Cap{Name: p.Name, Version: p.Version} }

// Message size limits of a Protocol.
const (
	// DefaultMaxMessageSize is the limit of a Protocol that sets no
	// MaxMessageSize: 10 MiB, what go-ethereum allows eth and snap.
	DefaultMaxMessageSize = 10 << 20
	// MaxMessageSizeLimit is the largest MaxMessageSize: RLPx frames carry
	// less than 16 MiB (24-bit frame size), and so do decoded payloads.
	MaxMessageSizeLimit = rlpx.MaxMessageSize - 1
)

// maxMessageSize returns MaxMessageSize or its default.
func (p *Protocol) maxMessageSize() int {
	if p.MaxMessageSize == 0 {
		return DefaultMaxMessageSize
	}
	return int(p.MaxMessageSize)
}

// Cap is a capability as advertised in Hello: [name, version].
type Cap struct {
	Name    string
	Version uint
}

func (c Cap) String() string { return fmt.Sprintf("%s/%d", c.Name, c.Version) }

// cmpCap orders capabilities by name (byte order, as the spec's "alphabetic
// order" is case-sensitive), then by version.
func cmpCap(a, b Cap) int {
	if c := cmp.Compare(a.Name, b.Name); c != 0 {
		return c
	}
	return cmp.Compare(a.Version, b.Version)
}

// baseProtocolLength is the number of message codes reserved for the "p2p"
// capability; sub-protocol codes start after them (RLPx spec, "Message
// ID-based Multiplexing": https://github.com/ethereum/devp2p/blob/master/rlpx.md).
const baseProtocolLength = 16

// matchedProto is a protocol chosen for a session and its code offset.
type matchedProto struct {
	proto  *Protocol
	offset uint64
}

// matchProtocols picks, for every protocol name both sides support, the
// highest version both support, and gives the matches consecutive code
// ranges after the base protocol in name order. Both ends compute the same
// result from the same two capability lists. The result is sorted by offset.
func matchProtocols(ours []Protocol, theirs []Cap) []matchedProto {
	var best []*Protocol // at most one per name
	for i := range ours {
		p := &ours[i]
		if !slices.ContainsFunc(theirs, func(c Cap) bool { return c == p.cap() }) {
			continue
		}
		j := slices.IndexFunc(best, func(q *Protocol) bool { return q.Name == p.Name })
		switch {
		case j < 0:
			best = append(best, p)
		case p.Version > best[j].Version:
			best[j] = p
		}
	}
	slices.SortFunc(best, func(a, b *Protocol) int { return cmp.Compare(a.Name, b.Name) })
	matches := make([]matchedProto, len(best))
	offset := uint64(baseProtocolLength)
	for i, p := range best {
		matches[i] = matchedProto{proto: p, offset: offset}
		offset += p.Length
	}
	return matches
}

// hasMatchingProtocol reports whether any capability is shared, without
// building the match; used by the run loop's check.
func hasMatchingProtocol(ours []Protocol, theirs []Cap) bool {
	for i := range ours {
		if slices.Contains(theirs, ours[i].cap()) {
			return true
		}
	}
	return false
}
