package main

import (
	"log/slog"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/dnsdisc"
	"github.com/devp2p-go/devp2p/dnsdisc/dnstest"
	"github.com/devp2p-go/devp2p/enode"
)

// TestNodeDiscoveryDNS: `node --discovery.dns` dials the nodes of a signed
// list served by a real DNS server on 127.0.0.1 (--dns.server), with
// discovery off and no bootnodes.
func TestNodeDiscoveryDNS(t *testing.T) {
	const n = 2
	events := make([]chan *devp2p.PeerEvent, n)
	nodes := make([]*enode.Node, n)
	for i := range nodes {
		key, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		// No sub-protocol, like the node: they keep each other as peers.
		srv := &devp2p.Server{Config: devp2p.Config{
			PrivateKey: key, MaxPeers: 5, ListenAddr: "127.0.0.1:0",
			NoDiscovery: true, NoDial: true, Logger: slog.New(slog.DiscardHandler),
		}}
		if err := srv.Start(); err != nil {
			t.Fatal(err)
		}
		defer srv.Stop()
		events[i] = make(chan *devp2p.PeerEvent, 16)
		sub := srv.SubscribeEvents(events[i])
		defer sub.Unsubscribe()
		nodes[i] = srv.Self()
	}
	tree, err := dnsdisc.MakeTree(1, nodes, nil)
	if err != nil {
		t.Fatal(err)
	}
	signer, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	url, err := tree.Sign(signer, "nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}
	txt, err := tree.ToTXT("nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}
	dns, err := dnstest.Start(txt)
	if err != nil {
		t.Fatal(err)
	}
	defer dns.Close()

	datadir := t.TempDir()
	node := start(t, "node", "--datadir", datadir, "--listen", "127.0.0.1:0", "--nodiscover", "--status", "0",
		"--discovery.dns", url, "--dns.server", dns.UDPAddr())
	self := node.waitLine("node")
	timeout := time.After(procWait)
	for i, ch := range events {
		select {
		case ev := <-ch:
			if ev.Type != devp2p.PeerEventTypeAdd || ev.Peer.String() != self {
				t.Fatalf("listed node %d: event %s of %v, want the node %s added", i, ev.Type, ev.Peer, self)
			}
		case <-timeout:
			t.Fatalf("the node did not dial listed node %d\nstderr: %s", i, node.stderr)
		}
	}
	node.interrupt()
}

// TestNodeDiscoveryDNSErrors: a bad list URL or DNS server is refused
// before the node starts, naming the flag or the file's field.
func TestNodeDiscoveryDNSErrors(t *testing.T) {
	datadir := t.TempDir()
	mustFail(t, `--discovery.dns "enode://nodes.example.org": scheme must be "enrtree://"`,
		"node", "--datadir", datadir, "--listen", "127.0.0.1:0", "--discovery.dns", "enode://nodes.example.org")
	mustFail(t, `--discovery.dns "enrtree://AAAA@nodes.example.org": `,
		"node", "--datadir", datadir, "--listen", "127.0.0.1:0", "--discovery.dns", "enrtree://AAAA@nodes.example.org")
	mustFail(t, `--dns.server "localhost": want HOST:PORT`,
		"node", "--datadir", datadir, "--listen", "127.0.0.1:0", "--dns.server", "localhost")
	cfgFile := filepath.Join(t.TempDir(), "bad.toml")
	if err := os.WriteFile(cfgFile, []byte(`DNSDiscovery = ["enrtree://nonsense"]`+"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	res := mustFailWith(t, 1, "DNSDiscovery: entry 0: ", "node", "--datadir", datadir, "--config", cfgFile)
	if !strings.Contains(res.stderr, cfgFile) {
		t.Errorf("error does not name the file: %s", res.stderr)
	}
}
