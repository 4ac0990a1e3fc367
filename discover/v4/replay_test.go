package v4

import (
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// TestReplayNeedsValidHash: a datagram that starts with the hash of a
// packet we handled, but whose body is something else, is not handled as
// that packet (the filter used to look at the 32-byte prefix alone).
func TestReplayNeedsValidHash(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer a.Close()
		aAddr, _ := a.Self().UDPEndpoint()
		p := newRawPeer(t, nw, testnet.PublicAddr(2))
		defer p.close()

		ping := &v4wire.Ping{Version: 4, From: v4wire.NewEndpoint(p.conn.AddrPort(), 0), To: v4wire.NewEndpoint(aAddr, 0), Expiration: future()}
		packet, _ := p.encode(ping)
		p.conn.WriteToUDPAddrPort(packet, aAddr)
		synctest.Wait()
		if len(p.received(v4wire.PongPacket)) != 1 {
			t.Fatal("ping not answered")
		}
		forged := append([]byte(nil), packet...)
		for i := 32; i < len(forged); i++ {
			forged[i] ^= 0x5a
		}
		p.conn.WriteToUDPAddrPort(forged, aAddr)
		synctest.Wait()
		if got := len(p.received(v4wire.PongPacket)); got != 1 {
			t.Fatalf("datagram with a cached hash prefix was handled: %d pongs", got)
		}
	})
}

// TestReplayKeyedBySource: once copies of a packet from one address are
// no longer answered, the same bytes from another address are judged on
// their own (the filter is keyed by hash and source).
func TestReplayKeyedBySource(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{})
		defer a.Close()
		aAddr, _ := a.Self().UDPEndpoint()
		p := newRawPeer(t, nw, testnet.PublicAddr(2))
		defer p.close()
		q := newRawPeer(t, nw, testnet.PublicAddr(3))
		defer q.close()

		ping := &v4wire.Ping{Version: 4, From: v4wire.NewEndpoint(p.conn.AddrPort(), 0), To: v4wire.NewEndpoint(aAddr, 0), Expiration: future()}
		packet, hash := p.encode(ping)
		for range maxReplayAnswers + 3 {
			p.conn.WriteToUDPAddrPort(packet, aAddr)
		}
		synctest.Wait()
		if got := len(p.received(v4wire.PongPacket)); got != maxReplayAnswers {
			t.Fatalf("%d pongs to the first source, want %d", got, maxReplayAnswers)
		}
		q.conn.WriteToUDPAddrPort(packet, aAddr)
		synctest.Wait()
		if got := len(q.received(v4wire.PongPacket)); got != 1 {
			t.Fatalf("%d pongs to the second source, want 1", got)
		}
		a.replays.mu.Lock()
		n := 0
		for k := range a.replays.seen {
			if k.hash == [32]byte(hash) {
				n++
			}
		}
		a.replays.mu.Unlock()
		if n != 2 {
			t.Fatalf("replay filter holds the packet %d times, want 2 (one per source)", n)
		}
	})
}
