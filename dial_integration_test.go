package devp2p

// Server-level tests of the dial scheduler (internal/dial, issue 6): warm
// restart through the node database, and convergence after churn. They use
// only the Server's public API and Config.

import (
	"context"
	"crypto/ecdsa"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"net"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/nodedb"
)

// dialITWait bounds every wait of these tests; reaching it is a failure.
const dialITWait = 60 * time.Second

// dialITProto keeps a session open until it ends.
var dialITProto = Protocol{
	Name: "dialit", Version: 1, Length: 1,
	Run: func(p *Peer, rw MsgReadWriter) error {
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			msg.Discard()
		}
	},
}

func dialITKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// dialITServer starts a server with the test protocol and no logs.
func dialITServer(t testing.TB, cfg Config) *Server {
	t.Helper()
	if cfg.PrivateKey == nil {
		cfg.PrivateKey = dialITKey(t)
	}
	if cfg.ListenAddr == "" {
		cfg.ListenAddr = "127.0.0.1:0"
	}
	cfg.Protocols = []Protocol{dialITProto}
	cfg.Logger = slog.New(slog.DiscardHandler)
	srv := &Server{Config: cfg}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	return srv
}

// recordingDialer dials TCP and records the order of the dials. The first
// `gate` dials wait until all of them have been made, so that the recorded
// order is the order the scheduler started them in, not goroutine luck.
type recordingDialer struct {
	mu    sync.Mutex
	order []enode.ID
	gate  int
	open  chan struct{}
}

func newRecordingDialer(gate int) *recordingDialer {
	d := &recordingDialer{gate: gate, open: make(chan struct{})}
	if gate == 0 {
		close(d.open)
	}
	return d
}

func (d *recordingDialer) Dial(ctx context.Context, n *enode.Node) (net.Conn, error) {
	d.mu.Lock()
	d.order = append(d.order, n.ID())
	if len(d.order) == d.gate {
		close(d.open)
	}
	d.mu.Unlock()
	select {
	case <-d.open:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	ep, ok := n.TCPEndpoint()
	if !ok {
		return nil, fmt.Errorf("no endpoint")
	}
	var nd net.Dialer
	return nd.DialContext(ctx, "tcp", ep.String())
}

func (d *recordingDialer) dials() []enode.ID {
	d.mu.Lock()
	defer d.mu.Unlock()
	return slices.Clone(d.order)
}

// waitPeers waits for the server's peer events until cond holds.
func waitPeers(t *testing.T, events <-chan *PeerEvent, what string, cond func() bool) {
	t.Helper()
	timeout := time.After(dialITWait)
	for !cond() {
		select {
		case <-events:
		case <-timeout:
			if !cond() {
				t.Fatalf("timeout waiting for %s", what)
			}
		}
	}
}

func peerIDs(srv *Server) []enode.ID {
	var ids []enode.ID
	for _, p := range srv.Peers() {
		ids = append(ids, p.ID())
	}
	return ids
}

func nodeIDs(servers []*Server) []enode.ID {
	ids := make([]enode.ID, len(servers))
	for i, s := range servers {
		ids[i] = s.Self().ID()
	}
	return ids
}

func sameIDs(a, b []enode.ID) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	cmp := func(x, y enode.ID) int { return strings.Compare(string(x[:]), string(y[:])) }
	slices.SortFunc(a, cmp)
	slices.SortFunc(b, cmp)
	return slices.Equal(a, b)
}

// TestDialWarmRestart: a server with a node database connects to 10 peers
// and stops; a new server on the same database dials those 10 before any
// other candidate.
func TestDialWarmRestart(t *testing.T) {
	const n = 10
	var remembered, others []*Server
	for range n {
		remembered = append(remembered, dialITServer(t, Config{MaxPeers: 50, NoDial: true}))
		others = append(others, dialITServer(t, Config{MaxPeers: 50, NoDial: true}))
	}
	defer func() {
		for _, s := range append(remembered, others...) {
			s.Stop()
		}
		checkNoDialGoroutines(t)
	}()
	selfs := func(servers []*Server) []*enode.Node {
		var nodes []*enode.Node
		for _, s := range servers {
			nodes = append(nodes, s.Self())
		}
		return nodes
	}
	key := dialITKey(t)
	dbPath := filepath.Join(t.TempDir(), "nodes")

	// Run 1: MaxPeers 30 gives 10 dial slots, filled from the candidates.
	events := make(chan *PeerEvent, 1000)
	a := &Server{Config: Config{
		PrivateKey: key, MaxPeers: 3 * n, ListenAddr: "127.0.0.1:0", NodeDatabase: dbPath,
		Protocols: []Protocol{dialITProto}, Logger: slog.New(slog.DiscardHandler),
		DialCandidates: []enode.Iterator{enode.IterNodes(selfs(remembered))},
	}}
	sub := a.SubscribeEvents(events)
	if err := a.Start(); err != nil {
		t.Fatal(err)
	}
	waitPeers(t, events, "run 1 to connect 10 peers", func() bool { return a.PeerCount() == n })
	a.Stop()
	sub.Unsubscribe()

	db, err := nodedb.Open(nodedb.Config{Path: dbPath})
	if err != nil {
		t.Fatal(err)
	}
	good := db.GoodPeers(100)
	db.Close()
	if !sameIDs(nodeIDs(remembered), idsOf(good)) {
		t.Fatalf("database remembers %d good peers, want the 10 of run 1", len(good))
	}

	// Run 2: one remembered peer is gone. The ten dials come first (the
	// dialer gate makes the order exact); the slot of the gone one then
	// goes to a discovery candidate, which were ready all along.
	remembered[0].Stop()
	rec := newRecordingDialer(n)
	events = make(chan *PeerEvent, 1000)
	b := &Server{Config: Config{
		PrivateKey: key, MaxPeers: 3 * n, ListenAddr: "127.0.0.1:0", NodeDatabase: dbPath,
		Protocols: []Protocol{dialITProto}, Logger: slog.New(slog.DiscardHandler), Dialer: rec,
		DialCandidates: []enode.Iterator{enode.IterNodes(selfs(others))},
	}}
	b.SubscribeEvents(events)
	if err := b.Start(); err != nil {
		t.Fatal(err)
	}
	defer b.Stop()
	waitPeers(t, events, "run 2 to connect 10 peers", func() bool { return b.PeerCount() == n })
	dials := rec.dials()
	if !sameIDs(dials[:n], nodeIDs(remembered)) {
		t.Fatalf("the first %d dials of the restarted server are not its previous peers", n)
	}
	if !slices.Contains(nodeIDs(others), dials[n]) {
		t.Fatal("dial 11 is not a discovery candidate")
	}
	peers := peerIDs(b)
	for _, id := range nodeIDs(remembered[1:]) {
		if !slices.Contains(peers, id) {
			t.Fatal("a remembered peer is not connected after the restart")
		}
	}
}

func idsOf(nodes []*enode.Node) []enode.ID {
	ids := make([]enode.ID, len(nodes))
	for i, n := range nodes {
		ids[i] = n.ID()
	}
	return ids
}

// discoveryStub stands in for a discovery engine: it yields the other nodes
// in a fresh random order each round, and between rounds pauses like a
// lookup does (so a scheduler with nothing to dial does not spin).
type discoveryStub struct {
	nodes  []*enode.Node
	rng    *rand.Rand
	pos    int
	cur    *enode.Node
	closed chan struct{}
	once   sync.Once
}

// discoveryLookupTime is the pause between rounds of the stub, standing
// for the network round trips of a real lookup.
const discoveryLookupTime = 20 * time.Millisecond

func newDiscoveryStub(nodes []*enode.Node, seed uint64) *discoveryStub {
	return &discoveryStub{nodes: nodes, rng: rand.New(rand.NewPCG(seed, 1)), pos: len(nodes), closed: make(chan struct{})}
}

func (d *discoveryStub) Next() bool {
	if d.pos == len(d.nodes) {
		select {
		case <-time.After(discoveryLookupTime):
		case <-d.closed:
			return false
		}
		d.rng.Shuffle(len(d.nodes), func(i, j int) { d.nodes[i], d.nodes[j] = d.nodes[j], d.nodes[i] })
		d.pos = 0
	}
	select {
	case <-d.closed:
		return false
	default:
	}
	d.cur = d.nodes[d.pos]
	d.pos++
	return true
}

func (d *discoveryStub) Node() *enode.Node { return d.cur }
func (d *discoveryStub) Close()            { d.once.Do(func() { close(d.closed) }) }

// TestDialChurn runs 20 servers on loopback whose peers keep leaving
// (a server stops) and coming back (a new server with the same key, port and
// node database) for a bounded number of rounds. After the churn stops,
// every server has its full outbound count within one dial round (the dial
// history, 35 s of the shared simulated clock), and nothing leaks.
func TestDialChurn(t *testing.T) {
	if testing.Short() {
		t.Skip("20 servers")
	}
	const (
		n        = 20
		maxPeers = 9 // 3 dialed, 6 inbound
		target   = maxPeers / 3
		rounds   = 20
	)
	clock := new(mclock.Simulated)
	events := make(chan *PeerEvent, 100_000)
	dir := t.TempDir()

	// Fix each server's key and port up front, so that everyone knows the
	// others' records and a server comes back where it was. The ports come
	// from below Linux's ephemeral range (32768+), so that the servers' own
	// outgoing connections cannot take a port while its server is down.
	keys := make([]*ecdsa.PrivateKey, n)
	nodes := make([]*enode.Node, n)
	portRng := rand.New(rand.NewPCG(uint64(time.Now().UnixNano()), 3))
	used := make(map[int]bool)
	for i := range n {
		keys[i] = dialITKey(t)
		port := freeLowPort(t, portRng, used)
		nodes[i] = enode.NewV4(&keys[i].PublicKey, net.IP{127, 0, 0, 1}, port, 0)
	}
	start := func(i int, seed uint64) *Server {
		var others []*enode.Node
		for j, nd := range nodes {
			if j != i {
				others = append(others, nd)
			}
		}
		srv := &Server{Config: Config{
			PrivateKey: keys[i], MaxPeers: maxPeers, Clock: clock,
			ListenAddr:     fmt.Sprintf("127.0.0.1:%d", nodes[i].TCP()),
			NodeDatabase:   filepath.Join(dir, fmt.Sprint(i)),
			Protocols:      []Protocol{dialITProto},
			Logger:         slog.New(slog.DiscardHandler),
			DialCandidates: []enode.Iterator{newDiscoveryStub(others, seed)},
		}}
		srv.SubscribeEvents(events)
		if err := srv.Start(); err != nil {
			t.Fatalf("start server %d: %v", i, err)
		}
		return srv
	}
	servers := make([]*Server, n)
	for i := range servers {
		servers[i] = start(i, uint64(i))
	}
	defer func() {
		for _, s := range servers {
			s.Stop()
		}
		checkNoDialGoroutines(t)
	}()
	outbound := func(s *Server) int {
		c := 0
		for _, p := range s.Peers() {
			if !p.Inbound() {
				c++
			}
		}
		return c
	}
	converged := func() bool {
		for _, s := range servers {
			if outbound(s) < target {
				return false
			}
		}
		return true
	}
	report := func() string {
		var b strings.Builder
		for i, s := range servers {
			fmt.Fprintf(&b, "server %d: %d outbound, %d peers\n", i, outbound(s), s.PeerCount())
		}
		return b.String()
	}

	// Servers started early dialed the later ones before they listened;
	// let those failures' backoff (5 min) pass before the mesh must form.
	for range 6 * 60 {
		clock.Run(time.Second)
	}
	waitPeers(t, events, "the initial mesh", converged)

	// Churn: servers leave and come back while the clock moves on.
	rng := rand.New(rand.NewPCG(7, 7))
	for r := range rounds {
		i := rng.IntN(n)
		servers[i].Stop()
		clock.Run(time.Second)
		servers[i] = start(i, uint64(n+r))
		clock.Run(time.Second)
	}

	// The churn stopped: one dial round of simulated time, then every server
	// must reach its outbound target without more time passing.
	for range int(35 * time.Second / time.Second) {
		clock.Run(time.Second)
	}
	timeout := time.After(dialITWait)
	for !converged() {
		select {
		case <-events:
		case <-timeout:
			if !converged() {
				t.Fatalf("not converged one dial round after the churn:\n%s", report())
			}
		}
	}
	for i, s := range servers {
		if c := outbound(s); c > target {
			t.Errorf("server %d has %d outbound peers, more than its %d dial slots", i, c, target)
		}
	}
}

// freeLowPort returns a free loopback TCP port in [20000, 32000): outside
// the ephemeral range, so no outgoing connection is ever given it.
func freeLowPort(t *testing.T, rng *rand.Rand, used map[int]bool) int {
	t.Helper()
	for range 1000 {
		port := 20000 + rng.IntN(12000)
		if used[port] {
			continue
		}
		used[port] = true
		l, err := net.Listen("tcp", fmt.Sprintf("127.0.0.1:%d", port))
		if err == nil {
			l.Close()
			return port
		}
	}
	t.Fatal("no free port in [20000, 32000)")
	return 0
}

// checkNoDialGoroutines fails if a goroutine of the module's non-test code
// (the Server, the dial scheduler, the node database...) is still running.
func checkNoDialGoroutines(t *testing.T) {
	t.Helper()
	_, file, _, _ := runtime.Caller(0)
	dir := filepath.Dir(file) + "/"
	var leaked []string
	for range 1000 {
		leaked = leaked[:0]
		buf := make([]byte, 1<<20)
		buf = buf[:runtime.Stack(buf, true)]
		for i, g := range strings.Split(string(buf), "\n\n") {
			if i == 0 {
				continue // this goroutine
			}
			for _, line := range strings.Split(g, "\n") {
				line = strings.TrimSpace(line)
				if strings.HasPrefix(line, dir) && !strings.Contains(line, "_test.go") {
					leaked = append(leaked, g)
					break
				}
			}
		}
		if len(leaked) == 0 {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("%d goroutines left:\n%s", len(leaked), strings.Join(leaked, "\n\n"))
}
