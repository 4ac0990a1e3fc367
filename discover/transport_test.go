package discover

import (
	"context"
	"errors"
	"net/netip"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// fakeTransport is an in-memory stand-in for a protocol engine: it knows a
// set of nodes, which of them are alive, and whom each one would return for
// a findnode. Dead nodes time out after fakeTimeout.
type fakeTransport struct {
	self *enode.Node
	tab  *Table

	mu        sync.Mutex
	dead      map[enode.ID]bool
	neighbors map[enode.ID][]*enode.Node // findnode answers; nil = all known nodes
	known     []*enode.Node
	pings     map[enode.ID]int
	queries   map[enode.ID]int
	lookups   int
}

const fakeTimeout = 500 * time.Millisecond

var errFakeTimeout = errors.New("fake timeout")

func newFakeTransport(self *enode.Node) *fakeTransport {
	return &fakeTransport{
		self:      self,
		dead:      map[enode.ID]bool{},
		neighbors: map[enode.ID][]*enode.Node{},
		pings:     map[enode.ID]int{},
		queries:   map[enode.ID]int{},
	}
}

func (tr *fakeTransport) Self() *enode.Node { return tr.self }

func (tr *fakeTransport) isDead(id enode.ID) bool {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.dead[id]
}

func (tr *fakeTransport) setDead(id enode.ID, dead bool) {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	tr.dead[id] = dead
}

func (tr *fakeTransport) Ping(ctx context.Context, n *enode.Node) (uint64, error) {
	tr.mu.Lock()
	tr.pings[n.ID()]++
	tr.mu.Unlock()
	if tr.isDead(n.ID()) {
		time.Sleep(fakeTimeout)
		return 0, errFakeTimeout
	}
	return n.Seq(), nil
}

func (tr *fakeTransport) RequestENR(ctx context.Context, n *enode.Node) (*enode.Node, error) {
	if tr.isDead(n.ID()) {
		time.Sleep(fakeTimeout)
		return nil, errFakeTimeout
	}
	return n, nil
}

func (tr *fakeTransport) query(ctx context.Context, n *enode.Node) ([]*enode.Node, error) {
	tr.mu.Lock()
	tr.queries[n.ID()]++
	dead := tr.dead[n.ID()]
	ns, ok := tr.neighbors[n.ID()]
	if !ok {
		ns = tr.known
	}
	tr.mu.Unlock()
	if dead {
		time.Sleep(fakeTimeout)
		return nil, errFakeTimeout
	}
	return ns, nil
}

func (tr *fakeTransport) NewSelfLookup(ctx context.Context) *Lookup {
	tr.mu.Lock()
	tr.lookups++
	tr.mu.Unlock()
	return tr.tab.NewLookup(ctx, tr.self.ID(), tr.query)
}

func (tr *fakeTransport) NewRandomLookup(ctx context.Context) *Lookup {
	tr.mu.Lock()
	tr.lookups++
	tr.mu.Unlock()
	var target enode.ID
	target[0] = byte(tr.lookups)
	return tr.tab.NewLookup(ctx, target, tr.query)
}

func (tr *fakeTransport) lookupCount() int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.lookups
}

// newNode makes a test node with the given ID and IP (UDP port 30303).
func newNode(id enode.ID, ip string) *enode.Node {
	var r enr.Record
	addr := netip.MustParseAddr(ip)
	if addr.Is4() {
		r.Set(enr.IPv4(addr))
	} else {
		r.Set(enr.IPv6(addr))
	}
	r.Set(enr.UDP(30303))
	r.Set(enr.TCP(30303))
	return enode.SignNull(&r, id)
}

// nodeAtDistance makes a node at log distance d from base, at ip.
func nodeAtDistance(base enode.ID, d int, ip string) *enode.Node {
	return newNode(enode.RandomID(base, d), ip)
}

// ipFor returns a public IPv4 address unique per i, in a /16 of its own
// (for i < 2500), so that no IP limit applies between them.
func ipFor(i int) string {
	return netip.AddrFrom4([4]byte{byte(20 + i/250), byte(i % 250), 0, 1}).String()
}

// newTestTable makes a started table over a fake transport. Call inside a
// synctest bubble.
func newTestTable(t *testing.T, cfg Config) (*Table, *fakeTransport) {
	t.Helper()
	var selfID enode.ID
	selfID[0], selfID[31] = 0x55, 0xaa
	tr := newFakeTransport(newNode(selfID, "11.200.0.1"))
	tab, err := NewTable(tr, cfg)
	if err != nil {
		t.Fatal(err)
	}
	tr.tab = tab
	return tab, tr
}

// bucketLen returns the number of live entries in bucket i.
func (t *Table) bucketLen(i int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.buckets[i].entries)
}

func (t *Table) replacementsLen(i int) int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return len(t.buckets[i].replacements)
}

func (t *Table) contains(id enode.ID) bool { return t.Node(id) != nil }

func (tr *fakeTransport) pingCount(id enode.ID) int {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return tr.pings[id]
}

// queryFor returns a QueryFunc under which every live node answers like a
// Kademlia node: with the BucketSize nodes closest to target in its own
// table, which holds up to BucketSize known nodes per log distance (dead
// ones included).
func (tr *fakeTransport) queryFor(target enode.ID) QueryFunc {
	return func(ctx context.Context, n *enode.Node) ([]*enode.Node, error) {
		tr.mu.Lock()
		tr.queries[n.ID()]++
		dead := tr.dead[n.ID()]
		known := tr.known
		tr.mu.Unlock()
		if dead {
			time.Sleep(fakeTimeout)
			return nil, errFakeTimeout
		}
		perDist := map[int]int{}
		var table []*enode.Node
		for _, k := range known {
			d := enode.LogDist(n.ID(), k.ID())
			if k.ID() != n.ID() && perDist[d] < BucketSize {
				perDist[d]++
				table = append(table, k)
			}
		}
		slices.SortFunc(table, func(a, b *enode.Node) int { return enode.DistCmp(target, a.ID(), b.ID()) })
		return table[:min(BucketSize, len(table))], nil
	}
}
