package devp2p

import (
	"fmt"
	"testing"

	"github.com/devp2p-go/devp2p/internal/dial"
)

func TestMatchProtocols(t *testing.T) {
	run := func(*Peer, MsgReadWriter) error { return nil }
	p := func(name string, version uint, length uint64) Protocol {
		return Protocol{Name: name, Version: version, Length: length, Run: run}
	}
	type want struct {
		name    string
		version uint
		offset  uint64
	}
	tests := []struct {
		name   string
		ours   []Protocol
		theirs []Cap
		want   []want
	}{
		{
			name: "none shared",
			ours: []Protocol{p("eth", 68, 17)}, theirs: []Cap{{"eth", 67}, {"snap", 1}},
		},
		{
			name:   "highest shared version wins",
			ours:   []Protocol{p("eth", 66, 17), p("eth", 67, 17), p("eth", 68, 17)},
			theirs: []Cap{{"eth", 68}, {"eth", 66}, {"eth", 69}},
			want:   []want{{"eth", 68, 16}},
		},
		{
			name:   "name order and consecutive offsets",
			ours:   []Protocol{p("snap", 1, 8), p("eth", 68, 17), p("bzz", 1, 3)},
			theirs: []Cap{{"snap", 1}, {"bzz", 1}, {"eth", 68}},
			want:   []want{{"bzz", 1, 16}, {"eth", 68, 19}, {"snap", 1, 36}},
		},
		{
			name: "case-sensitive byte order",
			ours: []Protocol{p("b", 1, 2), p("B", 1, 2)}, theirs: []Cap{{"b", 1}, {"B", 1}},
			want: []want{{"B", 1, 16}, {"b", 1, 18}},
		},
		{
			name: "duplicate remote caps",
			ours: []Protocol{p("eth", 68, 17)}, theirs: []Cap{{"eth", 68}, {"eth", 68}},
			want: []want{{"eth", 68, 16}},
		},
	}
	for _, tt := range tests {
		got := matchProtocols(tt.ours, tt.theirs)
		if len(got) != len(tt.want) {
			t.Errorf("%s: %d matches, want %d", tt.name, len(got), len(tt.want))
			continue
		}
		for i, w := range tt.want {
			g := got[i]
			if g.proto.Name != w.name || g.proto.Version != w.version || g.offset != w.offset {
				t.Errorf("%s: match %d is %s at %d, want %s/%d at %d", tt.name, i, g.proto.cap(), g.offset, w.name, w.version, w.offset)
			}
		}
		if has := hasMatchingProtocol(tt.ours, tt.theirs); has != (len(tt.want) > 0) {
			t.Errorf("%s: hasMatchingProtocol %v", tt.name, has)
		}
	}
}

func TestDiscReasons(t *testing.T) {
	names := map[DiscReason]string{
		0x00: "disconnect requested", 0x01: "network error", 0x02: "breach of protocol",
		0x03: "useless peer", 0x04: "too many peers", 0x05: "already connected",
		0x06: "incompatible p2p protocol version", 0x07: "invalid node identity",
		0x08: "client quitting", 0x09: "unexpected identity", 0x0a: "connected to self",
		0x0b: "read timeout", 0x10: "subprotocol error", 0x0c: "unknown disconnect reason 12",
	}
	for r, want := range names {
		if r.Error() != want {
			t.Errorf("%#x: %q, want %q", uint8(r), r.Error(), want)
		}
	}
	classes := map[DiscReason]dial.FailureClass{
		DiscTooManyPeers: dial.TooManyPeers, DiscAlreadyConnected: dial.AlreadyConnected,
		DiscUselessPeer: dial.UselessPeer, DiscSelf: dial.UselessPeer, DiscQuitting: dial.Quitting,
		DiscRequested: dial.Requested, DiscReadTimeout: dial.NetworkError,
		DiscProtocolError: dial.ProtocolBreach, DiscUnexpectedIdentity: dial.ProtocolBreach,
	}
	for r, want := range classes {
		if got := dial.Classify(forDial(r)); got != want {
			t.Errorf("%v classified %v, want %v", r, got, want)
		}
	}
	if got := dial.Classify(forDial(fmt.Errorf("wrapped: %w", newPeerError(DiscTooManyPeers, "x")))); got != dial.TooManyPeers {
		t.Errorf("peerError classified %v", got)
	}
	if reasonOr(errProtocolReturned, DiscSubprotocolError) != DiscQuitting {
		t.Error("protocol returning nil should quit")
	}
}
