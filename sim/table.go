package sim

import (
	"net/netip"
	"slices"

	"github.com/devp2p-go/devp2p/enode"
)

// Kademlia parameters of the modelled table, as in package discover.
const (
	bucketSize      = 16
	maxReplacements = 10
	nBuckets        = 17
	bucketMinDist   = 256 - nBuckets
	maxFindFails    = 5
)

// entry is a node in a table.
type entry struct {
	n         int32 // node index
	added     int64
	checked   int64 // last revalidation (0: never)
	findFails int
}

type bucket struct {
	entries      []entry
	replacements []int32
}

// table models package discover's table: live entries, replacements and the
// per-subnet limits. Owned by the model's event loop, like everything else.
type table struct {
	self    enode.ID
	buckets [nBuckets]bucket
	count   int
	subnets map[uint32]int // live entries per subnet
	wide    map[uint32]int // live entries per provider block
}

func bucketIndex(d int) int {
	if d <= bucketMinDist {
		return 0
	}
	return d - bucketMinDist - 1
}

func (m *model) subnetOf(n int32) uint32 { return m.prefixOf(n, m.cfg.Limits.SubnetBits) }
func (m *model) wideOf(n int32) uint32   { return m.prefixOf(n, m.cfg.Limits.WideBits) }

func (m *model) prefixOf(n int32, bits int) uint32 {
	a := m.nodes[n].ip.As4()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	return v >> (32 - bits)
}

// fits reports whether n may become a live entry of b in t under the
// subnet and provider-block limits.
func (m *model) fits(t *table, b *bucket, n int32) bool {
	l := &m.cfg.Limits
	s, w := m.subnetOf(n), m.wideOf(n)
	if t.subnets[s] >= l.PerTable || t.wide[w] >= l.PerTableWide {
		return false
	}
	inSubnet, inWide := 0, 0
	for _, e := range b.entries {
		if m.subnetOf(e.n) == s {
			inSubnet++
		}
		if m.wideOf(e.n) == w {
			inWide++
		}
	}
	return inSubnet < l.PerBucket && inWide < l.PerBucketWide
}

func (m *model) count(t *table, n int32, d int) {
	t.subnets[m.subnetOf(n)] += d
	t.wide[m.wideOf(n)] += d
	t.count += d
}

func (m *model) bucketOf(t *table, n int32) *bucket {
	return &t.buckets[bucketIndex(enode.LogDist(t.self, m.nodes[n].id))]
}

func (b *bucket) index(n int32) int {
	for i, e := range b.entries {
		if e.n == n {
			return i
		}
	}
	return -1
}

// add offers node n to the table of node self: it becomes a live entry if
// its bucket has room and the subnet limits allow, else a replacement.
func (m *model) add(self int32, n int32) {
	if n == self {
		return
	}
	t := &m.nodes[self].table
	b := m.bucketOf(t, n)
	if b.index(n) >= 0 {
		return
	}
	fits := m.fits(t, b, n)
	if len(b.entries) < bucketSize && fits {
		b.entries = append(b.entries, entry{n: n, added: m.now})
		m.count(t, n, +1)
		b.replacements = slices.DeleteFunc(b.replacements, func(r int32) bool { return r == n })
		return
	}
	if !fits && len(b.entries) < bucketSize {
		return // refused by the subnet limit, as discover refuses it
	}
	if i := slices.Index(b.replacements, n); i >= 0 {
		b.replacements = slices.Delete(b.replacements, i, i+1)
	}
	b.replacements = append(b.replacements, n)
	if len(b.replacements) > maxReplacements {
		b.replacements = b.replacements[1:]
	}
}

// remove drops n from self's table and promotes the newest replacement that
// fits the limits.
func (m *model) remove(self int32, n int32) {
	t := &m.nodes[self].table
	b := m.bucketOf(t, n)
	i := b.index(n)
	if i < 0 {
		return
	}
	b.entries = slices.Delete(b.entries, i, i+1)
	m.count(t, n, -1)
	for j := len(b.replacements) - 1; j >= 0; j-- {
		r := b.replacements[j]
		if m.fits(t, b, r) {
			b.replacements = slices.Delete(b.replacements, j, j+1)
			b.entries = append(b.entries, entry{n: r, added: m.now})
			m.count(t, r, +1)
			return
		}
	}
}

// clear empties a table (a restart).
func (t *table) clear() {
	for i := range t.buckets {
		t.buckets[i] = bucket{}
	}
	t.count = 0
	clear(t.subnets)
	clear(t.wide)
}

// closest returns up to k table entries closest to target.
func (m *model) closest(self int32, target enode.ID, k int) []int32 {
	t := &m.nodes[self].table
	var out []int32
	for i := range t.buckets {
		for _, e := range t.buckets[i].entries {
			out = append(out, e.n)
		}
	}
	m.sortByDistance(out, target)
	if len(out) > k {
		out = out[:k]
	}
	return out
}

func (m *model) sortByDistance(ns []int32, target enode.ID) {
	slices.SortFunc(ns, func(a, b int32) int {
		return enode.DistCmp(target, m.nodes[a].id, m.nodes[b].id)
	})
}

// entries returns every live entry of self's table, bucket by bucket.
func (m *model) entries(self int32) []int32 {
	t := &m.nodes[self].table
	out := make([]int32, 0, t.count)
	for i := range t.buckets {
		for _, e := range t.buckets[i].entries {
			out = append(out, e.n)
		}
	}
	return out
}

func ipFromUint(v uint32) netip.Addr {
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)})
}
