package discover

import (
	"net/netip"
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// TestTableFamilies: with Config.Families the table keeps a dual-stack node
// at the address of the socket's family, refuses a node with no address
// there, and keeps the old record when a newer one has none.
func TestTableFamilies(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		tab, tr := newTestTable(t, Config{TableConfig: TableConfig{Families: enode.FamilyV6}})
		self := tr.self.ID()
		only4 := nodeAtDistance(self, 256, "11.0.0.1")
		only6 := nodeAtDistance(self, 255, "2a00::1")
		dualID := enode.RandomID(self, 254)
		dual := func(seq uint64, ip4, ip6 string) *enode.Node {
			var r enr.Record
			if ip4 != "" {
				r.Set(enr.IPv4(netip.MustParseAddr(ip4)))
			}
			if ip6 != "" {
				r.Set(enr.IPv6(netip.MustParseAddr(ip6)))
			}
			r.Set(enr.UDP(30303))
			r.SetSeq(seq)
			return enode.SignNull(&r, dualID)
		}
		for _, n := range []*enode.Node{only4, only6, dual(1, "11.0.0.3", "2a00::3")} {
			tab.handleAdd(addOp{n: n})
		}
		if tab.contains(only4.ID()) {
			t.Error("IPv4-only node in an IPv6 table")
		}
		if !tab.contains(only6.ID()) {
			t.Error("IPv6 node not added")
		}
		got := tab.Node(dualID)
		if got == nil || got.IPAddr() != netip.MustParseAddr("2a00::3") {
			t.Fatalf("dual-stack node in the table as %v, want at 2a00::3", got)
		}
		// A newer record without IPv6 does not replace it; one with a new
		// IPv6 address does.
		tab.handleAdd(addOp{n: dual(2, "11.0.0.3", ""), inbound: true})
		if got := tab.Node(dualID); got.Seq() != 1 {
			t.Errorf("record without IPv6 replaced the entry (seq %d)", got.Seq())
		}
		tab.handleAdd(addOp{n: dual(3, "11.0.0.3", "2a00::4"), inbound: true})
		if got := tab.Node(dualID); got.Seq() != 3 || got.IPAddr() != netip.MustParseAddr("2a00::4") {
			t.Errorf("entry %v seq %d, want 2a00::4 seq 3", got.IPAddr(), got.Seq())
		}
	})
}
