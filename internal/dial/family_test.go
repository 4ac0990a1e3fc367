package dial

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// familyNode returns a node with ID i and the given addresses (either may
// be invalid) on TCP port 30303.
func familyNode(i int, ip4, ip6 netip.Addr) *enode.Node {
	var id enode.ID
	binary.BigEndian.PutUint64(id[24:], uint64(i)+1)
	var r enr.Record
	if ip4.IsValid() {
		r.Set(enr.IPv4(ip4))
	}
	if ip6.IsValid() {
		r.Set(enr.IPv6(ip6))
	}
	r.Set(enr.TCP(30303))
	return enode.SignNull(&r, id)
}

// TestFamilies: with Config.Families the scheduler dials only addresses of
// those families. A dual-stack node is dialed at the address of our family,
// a node with none in our family is skipped with SkipFamily, for dynamic
// candidates and static nodes alike.
func TestFamilies(t *testing.T) {
	v4 := netip.MustParseAddr("10.0.0.1")
	v6 := netip.MustParseAddr("fd00::1")
	tests := []struct {
		name     string
		families enode.Families
		// the address each node is dialed at, "" for a skip
		want4, want6, wantDual string
	}{
		{"v4 only", enode.FamilyV4, "10.0.0.1:30303", "", "10.0.0.3:30303"},
		{"v6 only", enode.FamilyV6, "", "[fd00::1]:30303", "[fd00::3]:30303"},
		{"both", enode.BothFamilies, "10.0.0.1:30303", "[fd00::1]:30303", "10.0.0.3:30303"},
	}
	for _, tt := range tests {
		for _, static := range []bool{false, true} {
			name := tt.name + "/dynamic"
			if static {
				name = tt.name + "/static"
			}
			t.Run(name, func(t *testing.T) {
				synctest.Test(t, func(t *testing.T) {
					only4 := familyNode(1, v4, netip.Addr{})
					only6 := familyNode(2, netip.Addr{}, v6)
					dual := familyNode(3, netip.MustParseAddr("10.0.0.3"), netip.MustParseAddr("fd00::3"))
					h := newHarness(t, Config{MaxDialPeers: 10, Families: tt.families})
					var mu sync.Mutex
					dialed := make(map[enode.ID]string)
					h.setDial(func(ctx context.Context, n *enode.Node) (net.Conn, error) {
						ep, _ := n.TCPEndpoint()
						mu.Lock()
						dialed[n.ID()] = ep.String()
						mu.Unlock()
						return hangDial(ctx, n)
					})
					if static {
						for _, n := range []*enode.Node{only4, only6, dual} {
							h.sched.AddStatic(n)
						}
						h.settle()
					} else {
						h.feed(only4, only6, dual)
					}
					mu.Lock()
					defer mu.Unlock()
					for _, c := range []struct {
						n    *enode.Node
						want string
					}{{only4, tt.want4}, {only6, tt.want6}, {dual, tt.wantDual}} {
						if got := dialed[c.n.ID()]; got != c.want {
							t.Errorf("node %s dialed at %q, want %q", short(c.n.ID()), got, c.want)
						}
						if c.want == "" && !slices.Equal(h.skipped(c.n.ID()), []string{SkipFamily}) {
							t.Errorf("node %s: skips %v, want [%s]", short(c.n.ID()), h.skipped(c.n.ID()), SkipFamily)
						}
					}
				})
			})
		}
	}
}
