package v4

import (
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

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

// TestReplayFilterDropsExpired: entries are
// dropped once their window has passed, also while the filter is far from
// full.
func TestReplayFilterDropsExpired(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	f := newReplayFilter(func() time.Time { return now })
	from := netip.MustParseAddrPort("20.0.0.1:30303")
	for i := range 100 {
		hash := make([]byte, 32)
		hash[0], hash[1] = byte(i), byte(i>>8)
		f.add(hash, from, v4wire.Pubkey{}, true)
	}
	if f.len() != 100 {
		t.Fatalf("filter holds %d entries, want 100", f.len())
	}
	now = now.Add(replayWindow / 2)
	f.add(make([]byte, 32), from, v4wire.Pubkey{}, true) // a copy: counted, not added
	f.add(append([]byte{0xff}, make([]byte, 31)...), from, v4wire.Pubkey{}, true)
	if f.len() != 101 {
		t.Fatalf("filter holds %d entries within the window, want 101", f.len())
	}
	now = now.Add(replayWindow)
	f.add(append([]byte{0xfe}, make([]byte, 31)...), from, v4wire.Pubkey{}, true)
	if f.len() != 1 {
		t.Fatalf("filter holds %d entries after the window, want 1 (the new one)", f.len())
	}
}

// TestReplayFilterShrinks: once a burst of packets has expired, the few
// entries left move to a map of their size (Go maps keep the room they grew
// to), and a burst that fills the filter is cut back to half.
func TestReplayFilterShrinks(t *testing.T) {
	now := time.Unix(1_700_000_000, 0)
	f := newReplayFilter(func() time.Time { return now })
	from := netip.MustParseAddrPort("20.0.0.1:30303")
	hashOf := func(i int) []byte {
		h := make([]byte, 32)
		h[0], h[1], h[2] = byte(i), byte(i>>8), byte(i>>16)
		return h
	}
	for i := range maxReplayHashes {
		f.add(hashOf(i), from, v4wire.Pubkey{}, true)
	}
	if f.len() != maxReplayHashes || f.peak != maxReplayHashes {
		t.Fatalf("after a burst: %d entries, peak %d; want %d", f.len(), f.peak, maxReplayHashes)
	}
	f.add(hashOf(maxReplayHashes), from, v4wire.Pubkey{}, true) // full: cut back
	if n := f.len(); n > maxReplayHashes/2+1 {
		t.Fatalf("a full filter kept %d entries, want at most %d", n, maxReplayHashes/2+1)
	}
	now = now.Add(replayWindow)
	f.add(hashOf(1<<20), from, v4wire.Pubkey{}, true) // sweeps the burst
	if f.len() != 1 {
		t.Fatalf("%d entries after the window, want 1", f.len())
	}
	if f.peak != 1 {
		t.Fatalf("peak %d after the burst expired, want 1 (the map was not rebuilt)", f.peak)
	}
	// The survivors are still found.
	if e, ok := f.seen[replayKey{[32]byte(hashOf(1 << 20)), from}]; !ok || e.handled != 1 {
		t.Fatal("the entry added after the sweep was lost")
	}
}
