package discover

import (
	"slices"

	"github.com/devp2p-go/devp2p/enode"
)

// This file holds every change to the buckets. The functions run on
// Table.loop (or in Start before loop runs) and take t.mu themselves.

// admissible returns n as it may enter the table, with its endpoint in a
// family the socket reaches (a dual-stack record seen by an IPv6-only node
// enters with its IPv6 address), or nil if it may not enter at all.
func (t *Table) admissible(n *enode.Node) *enode.Node {
	if n == nil || n.ID() == t.selfID {
		return nil
	}
	if n = n.ForFamilies(t.families()); n == nil {
		return nil
	}
	ep, ok := n.UDPEndpoint()
	if !ok || ep.Port() == 0 || !ep.Addr().IsValid() || ep.Addr().IsUnspecified() {
		return nil
	}
	if t.cfg.NetRestrict != nil && !t.cfg.NetRestrict.Contains(ep.Addr()) {
		return nil
	}
	return n
}

// families returns the address families of Config.Families, both when unset.
func (t *Table) families() enode.Families {
	if t.cfg.Families == 0 {
		return enode.BothFamilies
	}
	return t.cfg.Families
}

func (t *Table) handleAdd(op addOp) {
	n := t.admissible(op.n)
	if n == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.bucketOf(n.ID())
	if e, i := b.find(n.ID()); e != nil {
		if op.inbound {
			e.lastContact, e.contacted = t.cfg.Clock.Now(), true
			t.updateRecord(b, e, n)
			b.bump(i)
		}
		return
	}
	if len(b.entries) < BucketSize {
		t.addEntry(b, n)
		return
	}
	t.addReplacement(b, n)
}

// addEntry appends n to the live entries of b if the IP limits allow it.
func (t *Table) addEntry(b *bucket, n *enode.Node) bool {
	ip := n.IPAddr()
	if !t.ips.add(ip) {
		t.cfg.Logger.Debug("Table IP limit reached", "id", n.ID(), "ip", ip)
		return false
	}
	if !b.ips.add(ip) {
		t.ips.remove(ip)
		t.cfg.Logger.Debug("Bucket IP limit reached", "id", n.ID(), "ip", ip)
		return false
	}
	if i := b.findReplacement(n.ID()); i >= 0 {
		b.replIPs.remove(b.replacements[i].ip())
		b.replacements = slices.Delete(b.replacements, i, i+1)
	}
	now := t.cfg.Clock.Now()
	b.entries = append(b.entries, &tableNode{
		Node:      n,
		addedAt:   now,
		nextCheck: now.Add(t.randDuration(0, t.cfg.NewNodeCheck)),
	})
	t.count++
	return true
}

// addReplacement remembers n as a candidate for b. The newest candidate is
// last; the oldest falls off when the list is full.
func (t *Table) addReplacement(b *bucket, n *enode.Node) {
	if i := b.findReplacement(n.ID()); i >= 0 {
		e := b.replacements[i]
		b.replacements = append(slices.Delete(b.replacements, i, i+1), e)
		return
	}
	if !b.replIPs.add(n.IPAddr()) {
		return
	}
	b.replacements = append(b.replacements, &tableNode{Node: n})
	if len(b.replacements) > maxReplacements {
		b.replIPs.remove(b.replacements[0].ip())
		b.replacements = slices.Delete(b.replacements, 0, 1)
	}
}

// updateRecord replaces e's record with n if n is newer. An IP change must
// pass the IP limits, else the old record stays.
func (t *Table) updateRecord(b *bucket, e *tableNode, n *enode.Node) {
	if n.Seq() <= e.Seq() {
		return
	}
	if n = n.ForFamilies(t.families()); n == nil {
		return // the new record has no address we can reach: keep the old
	}
	oldIP, newIP := e.ip(), n.IPAddr()
	if oldIP != newIP {
		t.ips.remove(oldIP)
		b.ips.remove(oldIP)
		if !t.ips.add(newIP) {
			t.ips.add(oldIP)
			b.ips.add(oldIP)
			return
		}
		if !b.ips.add(newIP) {
			t.ips.remove(newIP)
			t.ips.add(oldIP)
			b.ips.add(oldIP)
			return
		}
	}
	e.Node = n
}

// bump moves entry i to the end of the bucket (most recently contacted).
func (b *bucket) bump(i int) {
	e := b.entries[i]
	copy(b.entries[i:], b.entries[i+1:])
	b.entries[len(b.entries)-1] = e
}

// removeEntry deletes e from its bucket and promotes the newest replacement
// that fits the IP limits. Caller holds t.mu.
func (t *Table) removeEntry(b *bucket, e *tableNode) {
	_, i := b.find(e.ID())
	if i < 0 || b.entries[i] != e {
		return
	}
	b.entries = slices.Delete(b.entries, i, i+1)
	t.ips.remove(e.ip())
	b.ips.remove(e.ip())
	t.count--
	for j := len(b.replacements) - 1; j >= 0; j-- {
		r := b.replacements[j]
		b.replIPs.remove(r.ip())
		b.replacements = slices.Delete(b.replacements, j, j+1)
		if t.addEntry(b, r.Node) {
			break
		}
		// It does not fit the IP limits now; keep it as a candidate.
		b.replacements = slices.Insert(b.replacements, j, r)
		b.replIPs.add(r.ip())
	}
}

// handleFind counts failed findnode calls and drops nodes that fail too often.
func (t *Table) handleFind(r findResult) {
	t.mu.Lock()
	defer t.mu.Unlock()
	b := t.bucketOf(r.n.ID())
	e, _ := b.find(r.n.ID())
	if e == nil {
		return
	}
	if !r.failed {
		e.findFails = 0
		return
	}
	e.findFails++
	if e.findFails >= maxFindnodeFailures {
		t.cfg.Logger.Debug("Removing node after failed findnode calls", "id", e.ID(), "fails", e.findFails)
		t.removeEntry(b, e)
	}
}
