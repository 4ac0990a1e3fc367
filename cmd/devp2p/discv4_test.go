package main

import (
	"fmt"
	"net"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/enode"
)

// startDiscNodes starts n discv4 nodes on 127.0.0.1 in the test process,
// all bootstrapped from the first, and returns once every node has bonded
// with the first (so the network is one piece).
func startDiscNodes(t *testing.T, n int) []*v4.UDPv4 {
	t.Helper()
	nodes := make([]*v4.UDPv4, n)
	for i := range nodes {
		conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
		if err != nil {
			t.Fatal(err)
		}
		key, err := crypto.GenerateKey()
		if err != nil {
			t.Fatal(err)
		}
		ln := enode.NewLocalNode(nil, key)
		addr := conn.LocalAddr().(*net.UDPAddr)
		ln.SetStaticIP(addr.IP)
		ln.SetFallbackUDP(addr.Port)
		cfg := v4.Config{PrivateKey: key}
		if i > 0 {
			cfg.Bootnodes = []*enode.Node{nodes[0].Self()}
		}
		if nodes[i], err = v4.ListenV4(conn, ln, cfg); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(nodes[i].Close)
	}
	// A ping from each node to the first bonds them both ways; the first
	// node's table then holds everyone.
	// A self lookup (what a table refresh runs) makes each node bond with
	// the first, which then knows everyone. A few run at once so that
	// reply timeouts on a busy machine do not add up, but not all, which
	// would overload the first node.
	const parallelLookups = 4
	var wg sync.WaitGroup
	sem := make(chan struct{}, parallelLookups)
	for _, nd := range nodes[1:] {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			nd.Lookup(t.Context(), nd.Self())
		})
	}
	wg.Wait()
	return nodes
}

func TestDiscv4PingAndENR(t *testing.T) {
	nodes := startDiscNodes(t, 1)
	self := nodes[0].Self()
	// Spaces around a pasted URL are not part of it.
	out := mustRun(t, "discv4", "ping", "--listen", "127.0.0.1:0", " "+self.URLv4()+" ")
	if !strings.Contains(out, "pong from "+self.ID().TerminalString()) {
		t.Errorf("ping output:\n%s", out)
	}
	out = mustRun(t, "discv4", "requestenr", "--listen", "127.0.0.1:0", self.URLv4())
	if !strings.Contains(out, self.ID().String()) || !strings.Contains(out, "valid (v4)") {
		t.Errorf("requestenr output:\n%s", out)
	}
	out = mustRun(t, "discv4", "resolve", "--listen", "127.0.0.1:0", self.URLv4())
	if strings.TrimSpace(out) != self.String() {
		t.Errorf("resolve printed %q, want %q", out, self.String())
	}
}

func TestDiscv4Errors(t *testing.T) {
	mustFail(t, "invalid node", "discv4", "ping", "enode://nonsense")
	mustFail(t, `devp2p: --listen "nowhere": missing port in address`, "discv4", "ping", "--listen", "nowhere", exampleENR)
	mustFail(t, "devp2p: --timeout 0s: want a positive duration", "discv4", "ping", "--timeout", "0", exampleENR)
	mustFail(t, "nothing to start from", "discv4", "crawl", filepath.Join(t.TempDir(), "nodes.json"))
	// Nobody answers on a closed port.
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	conn.Close()
	key, _ := crypto.GenerateKey()
	silent := enode.NewV4(&key.PublicKey, net.IP{127, 0, 0, 1}, port, port)
	mustFail(t, fmt.Sprintf("devp2p: ping 127.0.0.1:%d: no answer within 1s", port),
		"discv4", "ping", "--listen", "127.0.0.1:0", "--timeout", "1s", silent.URLv4())
}

// TestDiscv4NoAnswer: ping, requestenr and resolve of a node that never
// answers end after --timeout with exit 1 and say so; resolve does not
// pass off the record it was given as the answer.
func TestDiscv4NoAnswer(t *testing.T) {
	// A socket that reads nothing: packets to it are never answered.
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	port := conn.LocalAddr().(*net.UDPAddr).Port
	keyfile := filepath.Join(t.TempDir(), "silent.key")
	mustRun(t, "key", "generate", keyfile)
	rec := strings.TrimSpace(mustRun(t, "key", "to-enr", keyfile, "--ip", "127.0.0.1", "--udp", fmt.Sprint(port)))
	id := strings.TrimSpace(mustRun(t, "key", "to-id", keyfile))[:16]
	ep := fmt.Sprintf("127.0.0.1:%d", port)

	mustFail(t, "devp2p: ping "+ep+": no answer within 1s", "discv4", "ping", "--listen", "127.0.0.1:0", "--timeout", "1s", rec)
	mustFail(t, "devp2p: requestenr "+ep+": no answer within 1s", "discv4", "requestenr", "--listen", "127.0.0.1:0", "--timeout", "1s", rec)
	mustFail(t, "devp2p: resolve "+id+" ("+ep+"): no answer within 1s", "discv4", "resolve", "--listen", "127.0.0.1:0", "--timeout", "1s", rec)
}
