package sim

import (
	"math/rand/v2"
	"net/netip"
	"slices"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// Timing of the modelled discv4 engine and table (discv4.md and package
// discover's defaults).
const (
	respTimeout     = int64(500 * time.Millisecond)
	bondExpiration  = int64(24 * time.Hour)
	refreshInterval = int64(30 * time.Minute)
	emptyRetry      = int64(10 * time.Second)
	revalTick       = int64(5 * time.Second)
	newNodeCheck    = int64(10 * time.Second)
	provenNodeCheck = int64(10 * time.Minute)
	seedCount       = 30
	seedMaxAge      = int64(5 * 24 * time.Hour)
	dialTick        = int64(time.Second)
	maxDialsRunning = 3 // per node; the Server runs up to 16, but a node needs only a few
)

// node is one identity of the model. Fields are owned by the event loop.
type node struct {
	id        enode.ID
	ip        netip.Addr
	sybil     bool
	reachable bool // accepts unsolicited datagrams and connections
	boot      bool
	online    bool
	gen       uint32 // bumped when the node stops, so its pending events die

	table    table
	proofs   map[int32]int64 // when n last answered our ping (n's endpoint proven to us)
	pingedBy map[int32]int64 // when n last pinged us (we are proven to n)
	sentTo   map[int32]int64 // when we last sent to n (opens our NAT for n)
	db       map[int32]int64 // node database: nodes that answered a ping, and when

	peers  map[int32]bool // true: we dialed it
	dialed int
	dials  []int32 // dials running
}

// model is a running simulation (see Run).
type model struct {
	cfg   Config
	rand  *rand.Rand
	sizes *packetSizes
	scheduler

	nodes     []node
	sybils    []int32 // Sybil identities, for their lies
	usedIPs   map[netip.Addr]bool
	bootnodes []int32

	partitioned bool
	splitOctet  byte // first octet where the upper half of the partition starts
	sampleStats
}

func (m *model) online(n int32) bool { return m.nodes[n].online }

// newNode creates a node with a fresh identity and address; it is offline
// until start.
func (m *model) newNode(ip netip.Addr, sybil bool) int32 {
	var id enode.ID
	for i := 0; i < len(id); i += 8 {
		v := m.rand.Uint64()
		for j := range 8 {
			id[i+j] = byte(v >> (8 * j))
		}
	}
	idx := int32(len(m.nodes))
	m.nodes = append(m.nodes, node{
		id: id, ip: ip, sybil: sybil, reachable: true,
		table:    table{self: id, subnets: make(map[uint32]int), wide: make(map[uint32]int)},
		proofs:   make(map[int32]int64),
		pingedBy: make(map[int32]int64),
		sentTo:   make(map[int32]int64),
		db:       make(map[int32]int64),
		peers:    make(map[int32]bool),
	})
	m.usedIPs[ip] = true
	return idx
}

// randomIP picks an unused address in one of the prefixes.
func (m *model) randomIP(prefixes []netip.Prefix) netip.Addr {
	for {
		p := prefixes[m.rand.IntN(len(prefixes))]
		a := p.Addr().As4()
		base := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
		size := uint32(1) << (32 - p.Bits())
		ip := ipFromUint(base + 1 + m.rand.Uint32N(size-2)) // no network or broadcast address
		if !m.usedIPs[ip] {
			return ip
		}
	}
}

// start brings n online: seeds its table from the database (or, for a new
// node, the bootnodes) and starts its refresh, revalidation and dial loops.
func (m *model) start(n int32) {
	nd := &m.nodes[n]
	nd.online = true
	nd.gen++
	gen := nd.gen
	if !nd.sybil {
		m.seed(n)
		m.every(n, gen, revalTick, m.rand.Int64N(revalTick), m.revalidate)
		m.every(n, gen, dialTick, m.rand.Int64N(dialTick), m.dial)
		m.refresh(n, gen)
	}
}

// seed adds the bootnodes and the freshest database nodes, as the table's
// start does.
func (m *model) seed(n int32) {
	nd := &m.nodes[n]
	var seeds []int32
	for s, at := range nd.db {
		if m.now-at < seedMaxAge {
			seeds = append(seeds, s)
		}
	}
	// Map order is random: sort before taking, so that runs repeat.
	slices.Sort(seeds)
	m.rand.Shuffle(len(seeds), func(i, j int) { seeds[i], seeds[j] = seeds[j], seeds[i] })
	if len(seeds) > seedCount {
		seeds = seeds[:seedCount]
	}
	for _, s := range seeds {
		m.add(n, s)
	}
	for _, b := range m.bootnodes {
		m.add(n, b)
	}
}

// stop takes n offline: its events die, its peers lose it.
func (m *model) stop(n int32) {
	nd := &m.nodes[n]
	nd.online = false
	nd.gen++
	m.dropPeers(n, func(int32) bool { return true })
	nd.table.clear()
	clear(nd.proofs)
	clear(nd.pingedBy)
	clear(nd.sentTo)
	nd.dials = nil
}

// every runs f for n every period (first after delay) while n stays in gen.
func (m *model) every(n int32, gen uint32, period, delay int64, f func(int32)) {
	var tick func()
	tick = func() {
		if m.nodes[n].gen != gen {
			return
		}
		f(n)
		m.after(period, tick)
	}
	m.after(delay, tick)
}

// alive reports whether n is still the incarnation gen.
func (m *model) alive(n int32, gen uint32) bool { return m.nodes[n].online && m.nodes[n].gen == gen }

// refresh runs a self lookup and a random lookup, then again after
// refreshInterval, or after emptyRetry while the table is empty.
func (m *model) refresh(n int32, gen uint32) {
	if !m.alive(n, gen) {
		return
	}
	if m.nodes[n].table.count == 0 {
		m.seed(n)
	}
	m.lookup(n, m.nodes[n].id, nil)
	m.lookup(n, m.randomID(), nil)
	next := refreshInterval
	if m.nodes[n].table.count == 0 {
		next = emptyRetry
	}
	m.after(next, func() { m.refresh(n, gen) })
}

func (m *model) randomID() enode.ID {
	var id enode.ID
	for i := 0; i < len(id); i += 8 {
		v := m.rand.Uint64()
		for j := range 8 {
			id[i+j] = byte(v >> (8 * j))
		}
	}
	return id
}

// revalidate pings the entry most overdue for a check: new entries within
// newNodeCheck, proven ones every provenNodeCheck. A failed ping removes it.
func (m *model) revalidate(n int32) {
	t := &m.nodes[n].table
	var due *entry
	for i := range t.buckets {
		for j := range t.buckets[i].entries {
			e := &t.buckets[i].entries[j]
			limit := provenNodeCheck
			if e.checked == 0 {
				limit = newNodeCheck
			}
			if m.now-max(e.checked, e.added) >= limit && (due == nil || e.checked < due.checked) {
				due = e
			}
		}
	}
	if due == nil {
		return
	}
	target := due.n
	due.checked = m.now
	m.ping(n, target, nil, func(ok bool) {
		if !ok {
			m.remove(n, target)
		}
	})
}
