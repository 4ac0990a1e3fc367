package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

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

// TestDiscv4Crawl crawls a devnet of 17 nodes. The network runs in a child
// process (the binary is built without -race), because many discv4 engines
// in a race-instrumented test process miss their 500 ms reply timeouts on a
// loaded machine. 17 nodes fit in one bucket of the bootnode's table (16
// others): with more, the bucket of half the nodes can overflow, and a node
// left in the replacement list of the bootnode and absent from the others'
// tables is one that no lookup returns, so the crawl cannot find it.
func TestDiscv4Crawl(t *testing.T) {
	const (
		n = 17
		// formWait bounds the wait for the network to form. It only
		// guards against a hang: the test judges that the network forms,
		// not how fast. On a loaded 2-core machine the nodes' 500 ms
		// discovery replies are often late, and forming took minutes.
		formWait = 5 * time.Minute
		// The devnet outlives the wait and both crawls; the test
		// interrupts it at the end.
		devnetRun = 10 * time.Minute
	)
	// Few peers per node keep the devnet light on a busy machine; the crawl
	// only needs discovery.
	devnet := start(t, "devnet", "--nodes", fmt.Sprint(n), "--duration", devnetRun.String(), "--maxpeers", "3")
	boot := devnet.waitLine("devnet: " + fmt.Sprint(n) + " nodes on 127.0.0.1, bootnode ")
	ids := make([]enode.ID, n)
	for i := range ids {
		url := devnet.waitLine(fmt.Sprintf("devnet: node %d ", i))
		node, err := enode.ParseV4(url)
		if err != nil {
			t.Fatal(err)
		}
		ids[i] = node.ID()
	}
	// Every node has joined the network once it has a peer: it bonded with
	// the bootnode when it started.
	devnet.waitLineWithin("devnet: every node has peers", formWait)

	file := filepath.Join(t.TempDir(), "nodes.json")
	begin := time.Now()
	out := mustRun(t, "discv4", "crawl", "--listen", "127.0.0.1:0", "--timeout", "60s", "--bootnodes", boot, file)
	t.Logf("crawl took %v:\n%s", time.Since(begin), out)
	set := readTestSet(t, file)
	for i, id := range ids {
		e := set[id]
		if e == nil {
			t.Errorf("node %d not found", i)
			continue
		}
		if e.Record.Record().Signature() == nil || e.Score != 1 || e.FirstResponse.IsZero() || e.LastResponse != e.FirstResponse || e.LastCheck != e.FirstResponse {
			t.Errorf("node %d: entry %+v", i, e)
		}
	}
	if len(set) != n {
		t.Errorf("crawl found %d nodes, want %d", len(set), n)
	}
	first := set

	// A re-crawl of the file (no bootnodes) checks the nodes again.
	begin = time.Now()
	out = mustRun(t, "discv4", "crawl", "--listen", "127.0.0.1:0", "--timeout", "60s", file)
	t.Logf("re-crawl took %v:\n%s", time.Since(begin), out)
	set = readTestSet(t, file)
	for i, id := range ids {
		e := set[id]
		switch {
		case e == nil:
			t.Errorf("node %d lost in re-crawl", i)
		case e.Score != 2:
			t.Errorf("node %d: score %d, want 2", i, e.Score)
		case first[id] != nil && !e.FirstResponse.Equal(first[id].FirstResponse):
			t.Errorf("node %d: firstResponse moved from %v to %v", i, first[id].FirstResponse, e.FirstResponse)
		}
	}
	devnet.cmd.Process.Signal(os.Interrupt)
	devnet.waitLine("summary")
}
