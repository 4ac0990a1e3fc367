package devp2p

import (
	"crypto/ecdsa"
	"errors"
	"log/slog"
	"net"
	"sync"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/nodedb"
)

// Server manages the connections of a node: it listens, dials through the
// dial scheduler, runs the handshakes, enforces the peer limits and runs the
// protocols with each peer.
//
//	srv := &devp2p.Server{Config: cfg}
//	if err := srv.Start(); err != nil { … }
//	defer srv.Stop()
//
// The work is split by part, each with one owner: setup.go runs connection
// setup; admission.go decides who joins the peer set, which the run loop
// (runloop.go) owns; gate.go is the public side of those decisions;
// listen.go accepts; dialer.go wires the dial scheduler; discovery.go runs
// the discovery engines; nat.go maps ports. Start starts the parts in turn
// and pushes each one's Close; Stop unwinds them once.
type Server struct {
	// Config is read by Start, which keeps its own copy.
	Config Config

	// Fields below are set by Start and read-only afterwards.
	cfg          Config
	log          *slog.Logger
	connLog      *slog.Logger // rate-limited, for failures strangers cause (connlog.go)
	clock        mclock.Clock
	localnode    *enode.LocalNode
	nodedb       *nodedb.DB
	listener     net.Listener
	ourHandshake *protoHandshake
	dialsched    dialScheduler
	disc         *discovery     // nil without discovery
	metrics      *serverMetrics // nil without Config.Metrics (metrics.go)
	closers      closeStack     // Close of every part started, unwound by Stop

	// inbound holds the decoded message bytes in flight (inbound.go).
	inbound *byteBudget

	// Test hooks, set before Start.
	newTransport func(fd net.Conn, dialDest *ecdsa.PublicKey) transport
	timeouts     transportTimeouts
	natHooks     natHooks

	// lifecycle state, guarded by mu.
	mu      sync.Mutex
	state   serverState
	pending map[*conn]struct{} // connections in setup, closed by Stop

	meter       meter                 // traffic of all connections
	peerFeed    eventFeed[*PeerEvent] // peer events
	verdictFeed eventFeed[*Verdict]   // verdicts on connections in setup (gate.go)

	// Channels to the run loop (runloop.go).
	quit          chan struct{}
	securedStep   chan *conn
	addStep       chan *conn
	setupEnded    chan *conn
	delPeer       chan peerDrop
	peerOp        chan peerOpFunc
	peerOpDone    chan struct{}
	addTrusted    chan *enode.Node
	removeTrusted chan *enode.Node
	markStatic    chan staticMark

	runWG    sync.WaitGroup // the run loop
	listenWG sync.WaitGroup // the listen loop and the inbound setups it started
}

type serverState int

const (
	stateNew serverState = iota
	stateRunning
	stateStopped
)

var (
	errServerRunning = errors.New("devp2p: server already running")
	errServerDone    = errors.New("devp2p: server was stopped and cannot be restarted")
)

// closeStack holds the Close of each part Start started, in start order.
type closeStack []func()

func (s *closeStack) push(f func()) { *s = append(*s, f) }

// unwind closes the parts in reverse start order, once.
func (s *closeStack) unwind() {
	for i := len(*s) - 1; i >= 0; i-- {
		(*s)[i]()
	}
	*s = nil
}

// Start validates the configuration and starts listening, discovery (when
// enabled) and dialing. Calling it twice, or after Stop, is an error.
func (srv *Server) Start() (err error) {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	switch srv.state {
	case stateRunning:
		return errServerRunning
	case stateStopped:
		return errServerDone
	}
	cfg := srv.Config.withDefaults()
	if err := cfg.validate(); err != nil {
		return err
	}
	srv.cfg = cfg
	srv.cfg.Protocols = append([]Protocol(nil), cfg.Protocols...)
	srv.log = cfg.Logger
	srv.clock = cfg.Clock
	srv.connLog = newConnLog(cfg.Logger, cfg.Clock)
	srv.inbound = newByteBudget(cfg.InboundBudget)
	if srv.newTransport == nil {
		srv.newTransport = func(fd net.Conn, dest *ecdsa.PublicKey) transport {
			return newRLPXTransport(fd, dest, srv.timeouts)
		}
	}
	if srv.timeouts == (transportTimeouts{}) {
		srv.timeouts = defaultTimeouts
	}
	srv.quit = make(chan struct{})
	srv.securedStep = make(chan *conn)
	srv.addStep = make(chan *conn)
	srv.setupEnded = make(chan *conn)
	srv.delPeer = make(chan peerDrop)
	srv.peerOp = make(chan peerOpFunc)
	srv.peerOpDone = make(chan struct{})
	srv.addTrusted = make(chan *enode.Node)
	srv.removeTrusted = make(chan *enode.Node)
	srv.markStatic = make(chan staticMark)
	srv.pending = make(map[*conn]struct{})

	defer func() {
		if err != nil {
			srv.closers.unwind() // what was started so far
		}
	}()
	srv.metrics = newServerMetrics(srv, &srv.cfg)
	if err := srv.metrics.register(); err != nil {
		return err
	}
	srv.closers.push(srv.metrics.unregister)
	if err := srv.setupLocalNode(); err != nil {
		return err
	}
	var udp PacketConn
	if srv.cfg.ListenAddr != "" {
		if udp, err = srv.setupListening(); err != nil {
			return err
		}
	}
	mix := enode.NewFairMix(fairMixTimeout)
	for _, s := range srv.cfg.candidateSources() {
		mix.AddNamedSource(s.label, s.it)
	}
	if udp != nil {
		if srv.disc, err = startDiscovery(udp, srv.localnode, srv.nodedb, &srv.cfg, srv.clock, srv.log, srv.metrics); err != nil {
			mix.Close()
			return err
		}
		if !srv.cfg.NoDial {
			for _, s := range srv.disc.iterators() {
				mix.AddNamedSource(s.label, s.it)
			}
		}
	}
	if err := srv.addDNSDiscovery(mix); err != nil {
		mix.Close()
		return err
	}
	// Nothing below fails. The dialer owns the mix; without it, nothing
	// reads the mix, and it is closed at once (closing its sources).
	if sched := srv.startDialer(mix); sched != nil {
		srv.closers.push(sched.Stop)
	} else {
		mix.Close()
	}
	if srv.disc != nil {
		// Pushed after the dialer, so closed before it: see discovery.Close.
		srv.closers.push(srv.disc.Close)
	}
	srv.runWG.Add(1)
	go srv.run()
	srv.closers.push(srv.runWG.Wait) // the run loop ends on quit, once its peers are gone
	if srv.listener != nil {
		srv.listenWG.Add(1)
		go srv.listenLoop()
	}
	srv.state = stateRunning
	srv.log.Info("Started P2P networking", "self", srv.localnode.Node().URLv4())
	return nil
}

// fairMixTimeout is how long the candidate mix waits for one source before
// taking a node from another (go-ethereum uses the same value).
const fairMixTimeout = 100 * time.Millisecond

func (srv *Server) setupLocalNode() error {
	self := enode.PubkeyToIDV4(&srv.cfg.PrivateKey.PublicKey)
	db, err := nodedb.Open(nodedb.Config{Path: srv.cfg.NodeDatabase, Self: self, Clock: srv.clock, Logger: srv.log})
	if err != nil {
		return err
	}
	srv.nodedb = db
	srv.closers.push(func() { db.Close() })
	srv.localnode = enode.NewLocalNodeWithClock(db, srv.cfg.PrivateKey, srv.clock)
	srv.localnode.SetFallbackIP(net.IP{127, 0, 0, 1})
	caps := make([]Cap, 0, len(srv.cfg.Protocols))
	for _, p := range srv.cfg.Protocols {
		caps = append(caps, p.cap())
	}
	srv.ourHandshake = &protoHandshake{
		Version: baseProtocolVersion,
		Name:    srv.cfg.Name,
		Caps:    caps,
		ID:      pubkeyID(&srv.cfg.PrivateKey.PublicKey),
	}
	return nil
}

// Stop disconnects every peer with DiscQuitting and stops all goroutines of
// the server. It returns when they are all gone. Stopping a server that is
// not running does nothing.
func (srv *Server) Stop() {
	srv.mu.Lock()
	if srv.state != stateRunning {
		srv.mu.Unlock()
		return
	}
	srv.state = stateStopped
	close(srv.quit)
	// Connections still in handshake are cut, so Stop does not wait for
	// their deadlines.
	for c := range srv.pending {
		c.fd.Close()
	}
	srv.mu.Unlock()
	srv.closers.unwind()
}

// trackPending registers a connection in setup so that Stop can cut it. It
// fails once the server is stopping.
func (srv *Server) trackPending(c *conn) bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.state != stateRunning {
		return false
	}
	srv.pending[c] = struct{}{}
	return true
}

func (srv *Server) untrackPending(c *conn) {
	srv.mu.Lock()
	delete(srv.pending, c)
	srv.mu.Unlock()
}

func (srv *Server) running() bool {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	return srv.state == stateRunning
}

// Self returns our node: its enode URL and signed ENR.
func (srv *Server) Self() *enode.Node {
	if srv.localnode == nil {
		return nil
	}
	return srv.localnode.Node()
}

// LocalNode returns the local node record, for discovery and applications
// that add ENR entries.
func (srv *Server) LocalNode() *enode.LocalNode { return srv.localnode }

// ListenAddr returns the address the server accepts connections on (with the
// port picked when Config.ListenAddr had port 0), or nil when not listening.
func (srv *Server) ListenAddr() net.Addr {
	if srv.listener == nil {
		return nil
	}
	return srv.listener.Addr()
}

// Traffic returns the bytes and messages of all connections so far.
func (srv *Server) Traffic() TrafficStats { return srv.meter.stats() }

// SubscribeEvents registers ch for peer events. Delivery never blocks the
// server: an event that does not fit in ch's buffer is dropped and counted
// (Subscription.Dropped). Give ch a buffer sized for the bursts you expect.
func (srv *Server) SubscribeEvents(ch chan<- *PeerEvent) *Subscription {
	return srv.peerFeed.subscribe(ch)
}

// AddPeer adds n to the static nodes: the server keeps a connection to it,
// dialing again whenever it drops, and its inbound connections skip the
// caps per host and subnet, as those of Config.StaticNodes do.
func (srv *Server) AddPeer(n *enode.Node) {
	if !srv.running() {
		return
	}
	if srv.dialsched != nil {
		srv.dialsched.AddStatic(n)
	}
	srv.setStatic(n.ID(), true)
}

// RemovePeer removes n from the static nodes and disconnects it.
func (srv *Server) RemovePeer(n *enode.Node) {
	if !srv.running() {
		return
	}
	if srv.dialsched != nil {
		srv.dialsched.RemoveStatic(n)
	}
	srv.setStatic(n.ID(), false)
	srv.doPeerOp(func(peers map[enode.ID]*Peer) {
		if p := peers[n.ID()]; p != nil {
			p.Disconnect(DiscRequested)
		}
	})
}

// AddTrustedPeer adds n to the trusted set: it may connect beyond the peer
// limits. A connected peer is marked trusted at once.
func (srv *Server) AddTrustedPeer(n *enode.Node) {
	select {
	case srv.addTrusted <- n:
	case <-srv.quitChan():
	}
}

// staticMark asks the run loop to add a node to the static set (on) or
// remove it.
type staticMark struct {
	id enode.ID
	on bool
}

func (srv *Server) setStatic(id enode.ID, on bool) {
	select {
	case srv.markStatic <- staticMark{id, on}:
	case <-srv.quitChan():
	}
}

// RemoveTrustedPeer removes n from the trusted set.
func (srv *Server) RemoveTrustedPeer(n *enode.Node) {
	select {
	case srv.removeTrusted <- n:
	case <-srv.quitChan():
	}
}

// quitChan returns a closed channel when the server is not running, so the
// request methods never block on a loop that is not there.
func (srv *Server) quitChan() <-chan struct{} {
	srv.mu.Lock()
	defer srv.mu.Unlock()
	if srv.state != stateRunning {
		return closedChan
	}
	return srv.quit
}

var closedChan = func() chan struct{} { c := make(chan struct{}); close(c); return c }()

// Peers returns the connected peers.
func (srv *Server) Peers() []*Peer {
	var ps []*Peer
	srv.doPeerOp(func(peers map[enode.ID]*Peer) {
		ps = make([]*Peer, 0, len(peers))
		for _, p := range peers {
			ps = append(ps, p)
		}
	})
	return ps
}

// PeerCount returns the number of connected peers.
func (srv *Server) PeerCount() int {
	var n int
	srv.doPeerOp(func(peers map[enode.ID]*Peer) { n = len(peers) })
	return n
}
