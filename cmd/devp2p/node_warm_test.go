package main

import (
	"log/slog"
	"syscall"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

// TestNodeWarmRestartAfterKill: a node killed with SIGKILL in the middle of
// a session finds its peer again when it restarts with neither bootnodes nor
// static nodes: the peer was remembered, durably, when the session began.
func TestNodeWarmRestartAfterKill(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	peer := &devp2p.Server{Config: devp2p.Config{
		PrivateKey:  key,
		MaxPeers:    5,
		ListenAddr:  "127.0.0.1:0",
		NoDiscovery: true,
		NoDial:      true,
		Logger:      slog.New(slog.DiscardHandler),
	}}
	if err := peer.Start(); err != nil {
		t.Fatal(err)
	}
	defer peer.Stop()
	events := make(chan *devp2p.PeerEvent, 16)
	sub := peer.SubscribeEvents(events)
	defer sub.Unsubscribe()

	datadir := t.TempDir()
	node := start(t, "node", "--datadir", datadir, "--listen", "127.0.0.1:0", "--nodiscover",
		"--static", peer.Self().URLv4(), "--status", "0", "--verbosity", "4")
	id := enode.HexID(node.waitLine("node"))
	waitPeerEvent(t, events, devp2p.PeerEventTypeAdd, id)
	// The session is up and its record is on disk.
	node.waitStderr("Node database synced peer successes")

	node.cmd.Process.Signal(syscall.SIGKILL)
	<-node.done
	// The peer saw the connection die, so the new one is not a duplicate.
	waitPeerEvent(t, events, devp2p.PeerEventTypeDrop, id)

	node = start(t, "node", "--datadir", datadir, "--listen", "127.0.0.1:0", "--nodiscover",
		"--status", "0", "--verbosity", "4")
	node.waitStderr("Loaded good peers for warm restart", "count=1")
	waitPeerEvent(t, events, devp2p.PeerEventTypeAdd, id)
	node.interrupt()
}

// waitPeerEvent waits for an event of type typ about the node id.
func waitPeerEvent(t *testing.T, events <-chan *devp2p.PeerEvent, typ devp2p.PeerEventType, id enode.ID) {
	t.Helper()
	timeout := time.After(procWait)
	for {
		select {
		case ev := <-events:
			if ev.Type == typ && ev.Peer == id {
				return
			}
		case <-timeout:
			t.Fatalf("no %s event for %v within %v", typ, id, procWait)
		}
	}
}
