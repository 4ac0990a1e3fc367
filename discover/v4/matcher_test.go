package v4

import (
	"errors"
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
)

// TestRefusedPingBackNotSent: when the pending list is too crowded for an
// optional ping-back, the ping-back is refused before it is written: the
// pinging node gets its pong and nothing else.
func TestRefusedPingBackNotSent(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer a.Close()
		// Crowd the list up to the optional limit with requests that no
		// reply will match.
		ip := testnet.PublicAddr(99).Addr()
		for i := range maxPending / 2 {
			id := enode.ID{byte(i >> 8), byte(i)}
			if _, err := a.pending(id, ip, v4wire.PongPacket, false, func(v4wire.Packet) (bool, bool) { return false, false }); err != nil {
				t.Fatalf("request %d refused: %v", i, err)
			}
		}
		if _, err := a.pending(enode.ID{0xff}, ip, v4wire.PongPacket, true, nil); !errors.Is(err, errTooManyPending) {
			t.Fatalf("optional request in a crowded list: err %v, want %v", err, errTooManyPending)
		}

		p := newRawPeer(t, nw, testnet.PublicAddr(2))
		defer p.close()
		sentBefore := a.PacketsSent()
		p.bond(a)
		if n := len(p.received(v4wire.PongPacket)); n != 1 {
			t.Fatalf("peer got %d pongs, want 1", n)
		}
		if n := len(p.received(v4wire.PingPacket)); n != 0 {
			t.Fatalf("peer got %d ping-backs, want none (refused)", n)
		}
		if n := a.PacketsSent() - sentBefore; n != 1 {
			t.Fatalf("node sent %d packets, want 1 (the pong)", n)
		}
		// A request of our own still fits: only optional work is refused.
		if _, err := a.pending(enode.ID{0xfe}, ip, v4wire.PongPacket, false, nil); err != nil {
			t.Fatalf("own request refused: %v", err)
		}
	})
}
