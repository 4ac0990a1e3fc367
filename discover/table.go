package discover

import (
	"context"
	"errors"
	"math/rand/v2"
	"slices"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// Table is the Kademlia node table. Create it with NewTable, start it with
// Start and stop it with Close.
type Table struct {
	cfg    Config
	tr     Transport
	selfID enode.ID

	// mu guards the fields below. They are written only by loop (and by
	// Start before loop runs); other goroutines take mu to read them.
	mu      sync.Mutex
	buckets [nBuckets]*bucket
	ips     ipLimit // table-wide IP limit over all live entries
	count   int     // live entries

	randMu sync.Mutex
	rand   *rand.Rand

	// Requests to loop.
	addCh      chan addOp
	findCh     chan findResult
	refreshReq chan chan struct{}

	ctx       context.Context // cancelled by Close; ends refresh lookups
	cancel    context.CancelFunc
	closeReq  chan struct{}
	closed    chan struct{}
	startOnce sync.Once
	closeOnce sync.Once
	started   bool
}

// bucket holds the nodes at one range of log distances from us.
type bucket struct {
	entries      []*tableNode // live entries, least recently contacted first
	replacements []*tableNode // candidates, most recently seen last
	ips          ipLimit      // over entries
	replIPs      ipLimit      // over replacements
}

type addOp struct {
	n       *enode.Node
	inbound bool // the node contacted us and proved its endpoint
}

type findResult struct {
	n      *enode.Node
	failed bool
}

var errClosed = errors.New("table closed")

// NewTable creates a table for the local node of tr. Call Start to seed it
// and begin revalidation and refresh.
func NewTable(tr Transport, cfg Config) (*Table, error) {
	self := tr.Self()
	if self == nil {
		return nil, errors.New("discover: transport has no local node")
	}
	var seed [32]byte
	for i := range seed {
		seed[i] = byte(rand.Uint32())
	}
	t := &Table{
		cfg:        cfg.withDefaults(),
		tr:         tr,
		selfID:     self.ID(),
		rand:       rand.New(rand.NewChaCha8(seed)),
		addCh:      make(chan addOp),
		findCh:     make(chan findResult),
		refreshReq: make(chan chan struct{}),
		closeReq:   make(chan struct{}),
		closed:     make(chan struct{}),
	}
	t.ctx, t.cancel = context.WithCancel(context.Background())
	t.ips = newIPLimit(tableIPLimit, tableWideLimit, t.lanExempt)
	for i := range t.buckets {
		t.buckets[i] = &bucket{
			ips:     newIPLimit(bucketIPLimit, bucketWideLimit, t.lanExempt),
			replIPs: newIPLimit(bucketIPLimit, bucketWideLimit, t.lanExempt),
		}
	}
	return t, nil
}

// Start adds the bootnodes and database seeds and starts the loop, which
// refreshes the table right away.
func (t *Table) Start() {
	t.startOnce.Do(func() {
		t.started = true
		t.loadSeeds()
		go t.loop()
	})
}

// Close stops the loop and waits for it, including running refresh lookups
// and revalidation pings. The transport should be shut down first (or
// concurrently) so that those return quickly.
func (t *Table) Close() {
	t.closeOnce.Do(func() {
		t.cancel()
		close(t.closeReq)
		if t.started {
			<-t.closed
		}
	})
}

// Self returns the local node.
func (t *Table) Self() *enode.Node { return t.tr.Self() }

// Len returns the number of live entries.
func (t *Table) Len() int {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.count
}

// Nodes returns all live entries, closest buckets first.
func (t *Table) Nodes() []*enode.Node {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make([]*enode.Node, 0, t.count)
	for _, b := range t.buckets {
		out = append(out, unwrapNodes(b.entries)...)
	}
	return out
}

// Node returns the live entry with the given ID, or nil.
func (t *Table) Node(id enode.ID) *enode.Node {
	t.mu.Lock()
	defer t.mu.Unlock()
	if e, _ := t.bucketOf(id).find(id); e != nil {
		return e.Node
	}
	return nil
}

// Closest returns up to n live entries closest to target, closest first.
// With preferLive, entries that answered a revalidation ping come first and
// unproven ones only fill the remaining places, so that a findnode answer
// is full (a short answer makes the asker wait for its timeout) while
// proven nodes are never crowded out by fresh, possibly fake, ones.
func (t *Table) Closest(target enode.ID, n int, preferLive bool) []*enode.Node {
	t.mu.Lock()
	defer t.mu.Unlock()
	all := make([]*tableNode, 0, t.count)
	for _, b := range t.buckets {
		all = append(all, b.entries...)
	}
	byDist := func(a, b *tableNode) int { return enode.DistCmp(target, a.ID(), b.ID()) }
	slices.SortFunc(all, byDist)
	if !preferLive {
		return unwrapNodes(all[:min(n, len(all))])
	}
	out := make([]*tableNode, 0, n)
	for _, e := range all {
		if e.livenessChecks > 0 && len(out) < n {
			out = append(out, e)
		}
	}
	for _, e := range all {
		if e.livenessChecks == 0 && len(out) < n {
			out = append(out, e)
		}
	}
	slices.SortFunc(out, byDist)
	return unwrapNodes(out)
}

// AddFoundNode offers a node learned from a third party (a lookup response,
// a seed). It is added if its bucket has room, else kept as a replacement.
func (t *Table) AddFoundNode(n *enode.Node) { t.sendAdd(addOp{n: n}) }

// AddInboundNode offers a node that contacted us and proved its endpoint
// (it answered our ping). If it is in the table it is moved to the end of
// its bucket and its record updated.
func (t *Table) AddInboundNode(n *enode.Node) { t.sendAdd(addOp{n: n, inbound: true}) }

func (t *Table) sendAdd(op addOp) {
	if op.n == nil || op.n.ID() == t.selfID {
		return
	}
	select {
	case t.addCh <- op:
	case <-t.closeReq:
	}
}

// trackFindnode records the outcome of a findnode call to n.
func (t *Table) trackFindnode(n *enode.Node, failed bool) {
	select {
	case t.findCh <- findResult{n, failed}:
	case <-t.closeReq:
	}
}

// waitRefresh asks loop for a refresh and waits until it is done.
func (t *Table) waitRefresh(ctx context.Context) error {
	done := make(chan struct{})
	select {
	case t.refreshReq <- done:
	case <-t.closeReq:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
	select {
	case <-done:
		return nil
	case <-t.closeReq:
		return errClosed
	case <-ctx.Done():
		return ctx.Err()
	}
}

func (t *Table) randInt(n int) int {
	t.randMu.Lock()
	defer t.randMu.Unlock()
	return t.rand.IntN(n)
}

func (t *Table) randDuration(lo, hi time.Duration) time.Duration {
	if hi <= lo {
		return lo
	}
	t.randMu.Lock()
	defer t.randMu.Unlock()
	return lo + time.Duration(t.rand.Int64N(int64(hi-lo)))
}

// bucketIndex maps a log distance from us to a bucket.
func bucketIndex(logdist int) int {
	if logdist <= bucketMinDistance {
		return 0
	}
	return logdist - bucketMinDistance - 1
}

func (t *Table) bucketOf(id enode.ID) *bucket {
	return t.buckets[bucketIndex(enode.LogDist(t.selfID, id))]
}

func (b *bucket) find(id enode.ID) (*tableNode, int) {
	for i, e := range b.entries {
		if e.ID() == id {
			return e, i
		}
	}
	return nil, -1
}

func (b *bucket) findReplacement(id enode.ID) int {
	return slices.IndexFunc(b.replacements, func(e *tableNode) bool { return e.ID() == id })
}
