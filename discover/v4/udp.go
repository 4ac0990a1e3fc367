package v4

import (
	"crypto/ecdsa"
	"errors"
	"net/netip"
	"sync"
	"sync/atomic"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/internal/lograte"
)

// UDPv4 is a discv4 node: the UDP engine and its table.
type UDPv4 struct {
	conn      UDPConn
	priv      *ecdsa.PrivateKey
	localNode *enode.LocalNode
	cfg       Config
	log       logger
	families  enode.Families // what conn reaches (enode.AddrFamilies)
	tab       *discover.Table
	bonds     *bonds
	replays   *replayFilter
	admit     *discover.Admitter

	addMatcher  chan *replyMatcher
	addResult   chan error // the loop's verdict on each addMatcher, in turn
	dropMatcher chan droppedMatcher
	gotReply    chan reply

	closing   chan struct{}
	closeOnce sync.Once
	wg        sync.WaitGroup

	packetsSent atomic.Int64
	stats       discover.PacketStats // by type and drop reason (stats.go)
	npending    atomic.Int32         // length of the pending list, for tests
}

// ListenV4 starts a discv4 node on conn for the local node ln. The engine
// owns conn from now on and closes it on Close.
func ListenV4(conn UDPConn, ln *enode.LocalNode, cfg Config) (*UDPv4, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	if ln == nil {
		return nil, errors.New("discover/v4: nil LocalNode")
	}
	t := &UDPv4{
		conn:        conn,
		priv:        cfg.PrivateKey,
		localNode:   ln,
		cfg:         cfg,
		log:         logger{lograte.New(cfg.Logger, lograte.Config{Now: cfg.Clock.Wall})},
		families:    enode.AddrFamilies(conn.LocalAddr()),
		bonds:       newBonds(cfg.DB, cfg.Clock.Wall),
		replays:     newReplayFilter(cfg.Clock.Wall),
		admit:       cfg.Admitter,
		addMatcher:  make(chan *replyMatcher),
		addResult:   make(chan error),
		dropMatcher: make(chan droppedMatcher),
		gotReply:    make(chan reply),
		closing:     make(chan struct{}),
	}
	tc := cfg.tableConfig()
	tc.Families = t.families
	t.tab, err = discover.NewTable(tableTransport{t}, tc)
	if err != nil {
		return nil, err
	}
	t.wg.Add(2)
	go t.matchLoop()
	go t.readLoop()
	t.tab.Start()
	cfg.Logger.Debug("discv4 listening", "addr", conn.LocalAddr(), "id", ln.ID())
	return t, nil
}

// Self returns the local node's current record.
func (t *UDPv4) Self() *enode.Node { return t.localNode.Node() }

// Table returns the node table.
func (t *UDPv4) Table() *discover.Table { return t.tab }

// PacketsSent returns the number of packets written so far.
func (t *UDPv4) PacketsSent() int64 { return t.packetsSent.Load() }

// AdmitStats returns the admission counts (drops before decoding, replies
// withheld from unproven sources).
func (t *UDPv4) AdmitStats() discover.AdmitStats { return t.admit.Stats() }

// Close shuts the engine down and waits for its goroutines.
func (t *UDPv4) Close() {
	t.closeOnce.Do(func() {
		close(t.closing)
		t.conn.Close()
		t.tab.Close()
		t.wg.Wait()
	})
}

// readLoop reads datagrams until the socket is closed. handlePacket does
// not keep the buffer (v4wire.Decode copies), so one buffer serves all.
func (t *UDPv4) readLoop() {
	defer t.wg.Done()
	discover.ReadLoop(t.conn, maxPacketSize, t.closing, t.cfg.Logger, func(from netip.AddrPort, data []byte) bool {
		t.handlePacket(from, data)
		return true
	})
}

// send encodes and writes a packet; it returns the packet hash.
func (t *UDPv4) send(to netip.AddrPort, toid enode.ID, p v4wire.Packet) ([]byte, error) {
	packet, hash, err := v4wire.Encode(t.priv, p)
	if err != nil {
		return hash, err
	}
	return hash, t.write(to, toid, p, packet)
}

// sendReply sends a reply to a request from to, a node without an endpoint
// proof (replies to proven nodes use send), unless to has not sent us the
// bytes to pay for it (Admitter.MayReply).
func (t *UDPv4) sendReply(to netip.AddrPort, toid enode.ID, p v4wire.Packet) error {
	packet, _, err := v4wire.Encode(t.priv, p)
	if err != nil {
		return err
	}
	if !t.admit.MayReply(to.Addr(), len(packet)) {
		return errNoReplyCredit
	}
	return t.write(to, toid, p, packet)
}

func (t *UDPv4) write(to netip.AddrPort, toid enode.ID, p v4wire.Packet, packet []byte) error {
	_, err := t.conn.WriteToUDPAddrPort(packet, to)
	t.packetsSent.Add(1)
	t.stats.Out(int(p.Kind()))
	t.log.trace(">> "+p.Name(), "id", toid, "addr", to, "err", err)
	return err
}
