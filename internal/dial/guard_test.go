package dial

import (
	"fmt"
	"net/netip"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// Many made-up node IDs at one public address (dial amplification): the
// address is dialed once per dial history, not once per ID.
func TestDialAmplificationGuard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 16})
		h.setDial(failDial)
		victim := netip.MustParseAddr("203.0.113.5")
		var fakes []*enode.Node
		for i := range 10 {
			fakes = append(fakes, testNodeAt(i, victim, 30303+i))
		}
		h.feed(fakes...)
		if d := h.dials(); len(d) != 1 {
			t.Fatalf("%d dials to one address, want 1", len(d))
		}
		for _, n := range fakes[1:] {
			if got := h.skipped(n.ID()); !slices.Equal(got, []string{SkipRecentIP}) {
				t.Fatalf("skips %v, want [%s]", got, SkipRecentIP)
			}
		}
		h.run(DefaultHistoryExpiration, time.Second)
		h.feed(fakes[1:]...)
		if d := h.dials(); len(d) != 2 {
			t.Fatalf("%d dials after the history expired, want 2", len(d))
		}

		// LAN addresses are exempt: devnets run many nodes on one host.
		for i := range 5 {
			h.feed(testNodeAt(100+i, netip.MustParseAddr("127.0.0.1"), 40000+i))
		}
		if d := h.dials(); len(d) != 7 {
			t.Fatalf("%d dials, want 5 more to loopback", len(d))
		}
		// So are static nodes.
		static := testNodeAt(200, victim, 30303)
		h.sched.AddStatic(static)
		h.settle()
		if len(h.dialsOf(static.ID())) != 1 {
			t.Fatal("static node at a recently dialed address not dialed")
		}
	})
}

// One subnet takes at most two dynamic slots, counting dials and peers.
func TestSubnetGuard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 8})
		var sybils, honest []*enode.Node
		for i := range 6 {
			sybils = append(sybils, testNodeAt(i, netip.MustParseAddr(fmt.Sprintf("198.51.100.%d", 10+i)), 30303))
			honest = append(honest, testNodeAt(50+i, netip.MustParseAddr(fmt.Sprintf("%d.0.0.1", 20+i)), 30303))
		}
		h.feed(sybils...)
		h.feed(honest...)
		if got := h.numPeers(); got != 8 {
			t.Fatalf("%d peers, want 8", got)
		}
		inSubnet := 0
		for _, id := range h.dials() {
			if slices.Contains(ids(sybils), id) {
				inSubnet++
			}
		}
		if inSubnet != dynSubnetLimit {
			t.Fatalf("%d peers from one /24, want %d", inSubnet, dynSubnetLimit)
		}
		if got := h.skipped(sybils[2].ID()); !slices.Equal(got, []string{SkipSubnet}) {
			t.Fatalf("skips %v", got)
		}
		// A peer of that subnet leaves: its place may go to the subnet again.
		h.removePeer(sybils[0], nil)
		h.feed(sybils[2])
		if len(h.dialsOf(sybils[2].ID())) != 1 {
			t.Fatal("subnet slot not released by the departed peer")
		}
		if h.sched.subnetCount(sybils[2]) != dynSubnetLimit {
			t.Fatalf("subnet count %d", h.sched.subnetCount(sybils[2]))
		}
	})
}

// subnetCount reads the subnet guard on the loop goroutine.
func (s *Scheduler) subnetCount(n *enode.Node) int {
	_, k := guardKey(n)
	var c int
	s.inLoop(func() { c = s.subnets[k.subnet] })
	return c
}

// One provider's block (/16) takes at most dynWideLimit dynamic slots, even
// spread over many /24s; inbound peers count in the guards; and LAN
// addresses are guarded when Config.LANExempt says so.
func TestWideSubnetGuard(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 16})
		var sybils, honest []*enode.Node
		for i := range 10 {
			sybils = append(sybils, testNodeAt(i, netip.AddrFrom4([4]byte{45, 33, byte(i), 1}), 30303))
			honest = append(honest, testNodeAt(50+i, netip.AddrFrom4([4]byte{byte(20 + i), 0, 0, 1}), 30303))
		}
		h.feed(sybils...)
		h.feed(honest...)
		inBlock := 0
		for _, id := range h.dials() {
			if slices.Contains(ids(sybils), id) {
				inBlock++
			}
		}
		if inBlock != dynWideLimit {
			t.Fatalf("%d dials into one /16, want %d", inBlock, dynWideLimit)
		}
		if got := h.skipped(sybils[dynWideLimit].ID()); !slices.Equal(got, []string{SkipWideSubnet}) {
			t.Fatalf("skips %v, want [%s]", got, SkipWideSubnet)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 8})
		// Two inbound peers from a /24: no dynamic dial goes there.
		for i := range dynSubnetLimit {
			h.sched.PeerAdded(testNodeAt(100+i, netip.AddrFrom4([4]byte{45, 33, 7, byte(1 + i)}), 30303), Inbound)
		}
		cand := testNodeAt(1, netip.MustParseAddr("45.33.7.99"), 30303)
		h.feed(cand)
		if got := h.skipped(cand.ID()); !slices.Equal(got, []string{SkipSubnet}) {
			t.Fatalf("skips %v, want [%s]: inbound peers not counted", got, SkipSubnet)
		}
	})
	synctest.Test(t, func(t *testing.T) {
		h := newHarness(t, Config{MaxDialPeers: 8, LANExempt: func(netip.Addr) bool { return false }})
		var lan []*enode.Node
		for i := range 4 {
			lan = append(lan, testNodeAt(i, netip.AddrFrom4([4]byte{10, 0, 0, byte(1 + i)}), 30303))
		}
		h.feed(lan...)
		if d := h.dials(); len(d) != dynSubnetLimit {
			t.Fatalf("%d dials into one LAN /24 that is not exempt, want %d", len(d), dynSubnetLimit)
		}
	})
}
