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
}

func bucketIndex(d int) int {
	if d <= bucketMinDist {
		return 0
	}
	return d - bucketMinDist - 1
}

func (m *model) subnetOf(n int32) uint32 {
	a := m.nodes[n].ip.As4()
	v := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
	return v >> (32 - m.cfg.Limits.SubnetBits)
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

// subnetCount counts the live entries of b in subnet s.
func (m *model) subnetCount(b *bucket, s uint32) int {
	c := 0
	for _, e := range b.entries {
		if m.subnetOf(e.n) == s {
			c++
		}
	}
	return c
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
	s := m.subnetOf(n)
	fits := t.subnets[s] < m.cfg.Limits.PerTable && m.subnetCount(b, s) < m.cfg.Limits.PerBucket
	if len(b.entries) < bucketSize && fits {
		b.entries = append(b.entries, entry{n: n, added: m.now})
		t.subnets[s]++
		t.count++
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
	t.subnets[m.subnetOf(n)]--
	t.count--
	for j := len(b.replacements) - 1; j >= 0; j-- {
		r := b.replacements[j]
		s := m.subnetOf(r)
		if t.subnets[s] < m.cfg.Limits.PerTable && m.subnetCount(b, s) < m.cfg.Limits.PerBucket {
			b.replacements = slices.Delete(b.replacements, j, j+1)
			b.entries = append(b.entries, entry{n: r, added: m.now})
			t.subnets[s]++
			t.count++
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
