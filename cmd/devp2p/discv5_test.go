package main

import (
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
)

// startListeners runs n 'discv5 listen' processes on 127.0.0.1, all
// bootstrapped from the first, and returns their records once the first
// knows all the others (each adds itself by its first lookup).
func startListeners(t *testing.T, n int) []*enode.Node {
	t.Helper()
	nodes := make([]*enode.Node, n)
	procs := make([]*proc, n)
	for i := range nodes {
		args := []string{"discv5", "listen", "--listen", "127.0.0.1:0"}
		if i > 0 {
			args = append(args, "--bootnodes", nodes[0].String())
		}
		procs[i] = start(t, args...)
		nodes[i] = enode.MustParse(procs[i].waitLine("enr"))
	}
	if n > 1 {
		procs[0].waitLine(fmt.Sprintf("table    %d nodes", n-1))
	}
	t.Cleanup(func() {
		for _, p := range procs {
			p.interrupt()
		}
	})
	return nodes
}

// silentNode is a node on a UDP port where nobody answers.
func silentNode(t *testing.T) *enode.Node {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	port := conn.LocalAddr().(*net.UDPAddr).Port
	conn.Close()
	return enode.NewV4(&mustKey(t).PublicKey, net.IP{127, 0, 0, 1}, port, port)
}

func TestDiscv5PingResolve(t *testing.T) {
	self := startListeners(t, 1)[0]
	out := mustRun(t, "discv5", "ping", "--listen", "127.0.0.1:0", self.String())
	if !strings.HasPrefix(out, "pong from "+self.ID().TerminalString()) {
		t.Errorf("ping output:\n%s", out)
	}
	out = mustRun(t, "discv5", "requestenr", "--listen", "127.0.0.1:0", self.String())
	if !strings.Contains(out, self.ID().String()) || !strings.Contains(out, "valid (v4)") {
		t.Errorf("requestenr output:\n%s", out)
	}
	// Given the URL, resolve finds the signed record.
	out = mustRun(t, "discv5", "resolve", "--listen", "127.0.0.1:0", self.URLv4())
	if strings.TrimSpace(out) != self.String() {
		t.Errorf("resolve printed %q, want %q", out, self.String())
	}
}

// TestDiscv5ResolveMoved resolves a node by an old record with a wrong port:
// the bootnode knows where it is now.
func TestDiscv5ResolveMoved(t *testing.T) {
	nodes := startListeners(t, 2)
	moved := nodes[1]
	old := enode.NewV4(moved.Pubkey(), net.IP{127, 0, 0, 1}, 0, silentNode(t).UDP())
	out := mustRun(t, "discv5", "resolve", "--listen", "127.0.0.1:0", "--bootnodes", nodes[0].String(), old.URLv4())
	if strings.TrimSpace(out) != moved.String() {
		t.Errorf("resolve printed %q, want %q", out, moved.String())
	}
}

func TestDiscv5NoAnswer(t *testing.T) {
	silent := silentNode(t)
	for _, sub := range []string{"ping", "requestenr", "resolve"} {
		res := run(t, "discv5", sub, "--listen", "127.0.0.1:0", "--timeout", "2s", silent.URLv4())
		if res.exitCode != 1 {
			t.Errorf("%s of a silent node: exit %d, want 1\nstdout: %s", sub, res.exitCode, res.stdout)
		}
		if msg := strings.TrimSpace(res.stderr); !strings.Contains(msg, "no answer within 2s") || strings.Contains(msg, "\n") {
			t.Errorf("%s of a silent node: error %q", sub, msg)
		}
		if res.stdout != "" {
			t.Errorf("%s of a silent node printed %q", sub, res.stdout)
		}
	}
	mustFail(t, "--timeout 0s: want a positive duration", "discv5", "ping", "--timeout", "0s", silent.URLv4())
	mustFail(t, "invalid node", "discv5", "resolve", "enode://nonsense")
	mustFail(t, "--listen \"nowhere\"", "discv5", "ping", "--listen", "nowhere", silent.URLv4())
	mustFail(t, "unexpected argument", "discv5", "listen", "extra")
	mustFail(t, "--nodekey: key file ", "discv5", "listen", "--nodekey", filepath.Join(t.TempDir(), "none.key"))
}

// TestDiscv5ListenNodekey checks that listen takes its identity from
// --nodekey.
func TestDiscv5ListenNodekey(t *testing.T) {
	file := filepath.Join(t.TempDir(), "node.key")
	key := mustKey(t)
	if err := crypto.SaveECDSA(file, key); err != nil {
		t.Fatal(err)
	}
	p := start(t, "discv5", "listen", "--listen", "127.0.0.1:0", "--nodekey", file)
	if id := p.waitLine("node"); id != enode.PubkeyToIDV4(&key.PublicKey).String() {
		t.Errorf("listen runs as %s, want the key's ID", id)
	}
	p.interrupt()
}

func TestDiscv5Crawl(t *testing.T) {
	const n = 6
	nodes := startListeners(t, n)
	file := filepath.Join(t.TempDir(), "nodes.json")
	out := mustRun(t, "discv5", "crawl", "--listen", "127.0.0.1:0", "--timeout", "1m", "--bootnodes", nodes[0].String(), file)
	t.Logf("crawl:\n%s", out)
	set := readTestSet(t, file)
	for i, nd := range nodes {
		e := set[nd.ID()]
		if e == nil {
			t.Errorf("node %d not found", i)
			continue
		}
		if e.Record.String() != nd.String() || e.Seq != nd.Seq() || e.Score != 1 || e.FirstResponse.IsZero() {
			t.Errorf("node %d: entry %+v", i, e)
		}
	}
	if len(set) != n {
		t.Errorf("crawl found %d nodes, want %d", len(set), n)
	}
	// --recheck 0: check again the nodes this crawl just checked.
	out = mustRun(t, "discv5", "crawl", "--listen", "127.0.0.1:0", "--timeout", "1m", "--recheck", "0", file)
	t.Logf("re-crawl:\n%s", out)
	for i, nd := range nodes {
		if e := readTestSet(t, file)[nd.ID()]; e == nil || e.Score != 2 {
			t.Errorf("node %d after re-crawl: %+v, want score 2", i, e)
		}
	}
}

// TestCrawlTimeoutIsHard crawls from a bootnode that never answers, so the
// crawl waits for it until --timeout: the process must end then, writing
// what it has, and leave the entries it could not check unchanged.
func TestCrawlTimeoutIsHard(t *testing.T) {
	const timeout = 2 * time.Second
	silent := silentNode(t)
	gone := silentNode(t) // known by its URL, as go-ethereum writes a bootnode
	// A node without a UDP port cannot be checked: it stays as it is.
	noUDP := enode.NewV4(&mustKey(t).PublicKey, net.IP{127, 0, 0, 1}, 30303, 0)
	t0 := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, proto := range []string{"discv4", "discv5"} {
		file := writeTestSet(t, nodeSet{
			gone.ID():  {Record: nodeRecord{gone}, Score: 1, FirstResponse: t0, LastResponse: t0, LastCheck: t0},
			noUDP.ID(): {Record: nodeRecord{noUDP}, Score: 2, FirstResponse: t0, LastResponse: t0, LastCheck: t0},
		})
		begin := time.Now()
		out := mustRun(t, proto, "crawl", "--listen", "127.0.0.1:0", "--timeout", timeout.String(), "--bootnodes", silent.URLv4(), file)
		elapsed := time.Since(begin)
		// The process reports how long it crawled; the wall clock adds
		// the start of the process, which a loaded machine may delay.
		took := crawlDuration(t, out)
		if took < timeout || took > timeout+time.Second {
			t.Errorf("%s crawl --timeout %v took %v", proto, timeout, took)
		}
		if elapsed < timeout {
			t.Errorf("%s crawl ended after %v, before its timeout", proto, elapsed)
		}
		if entries, _ := os.ReadDir(filepath.Dir(file)); len(entries) != 1 {
			t.Errorf("%s crawl left temporary files: %v", proto, entries)
		}
		set := readTestSet(t, file)
		if len(set) > 2 {
			t.Errorf("%s crawl: set has %d nodes, want at most 2", proto, len(set))
		}
		if e := set[noUDP.ID()]; e == nil || e.Score != 2 || !e.LastCheck.Equal(t0) {
			t.Errorf("%s crawl: entry of a node without UDP port: %+v", proto, e)
		}
		// gone has a closed port too: if the crawl checked it, it was
		// removed; otherwise it is as it was.
		if e := set[gone.ID()]; e != nil && (e.Score != 1 || !e.LastCheck.Equal(t0)) {
			t.Errorf("%s crawl: unchecked entry changed: %+v", proto, e)
		}
	}
}

// crawlDuration reads the time from crawl's last line.
func crawlDuration(t *testing.T, out string) time.Duration {
	t.Helper()
	_, rest, ok := strings.Cut(out, "crawl: done in ")
	if !ok {
		t.Fatalf("no 'done' line in crawl output:\n%s", out)
	}
	d, err := time.ParseDuration(strings.TrimSuffix(strings.Fields(rest)[0], ":"))
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// TestCrawlChecksOutputFirst gives crawl an output path it cannot write:
// it must fail before crawling, not after --timeout.
func TestCrawlChecksOutputFirst(t *testing.T) {
	silent := silentNode(t)
	dir := t.TempDir()
	for _, proto := range []string{"discv4", "discv5"} {
		for _, tc := range []struct{ file, want string }{
			{filepath.Join(dir, "missing", "nodes.json"), "missing/nodes.json: no such file or directory"},
			{dir, dir + " is a directory"},
		} {
			begin := time.Now()
			mustFail(t, tc.want, proto, "crawl", "--listen", "127.0.0.1:0", "--timeout", "10m", "--bootnodes", silent.URLv4(), tc.file)
			// Ten minutes would be the crawl; anything well below is a
			// check before it.
			if d := time.Since(begin); d > time.Minute {
				t.Errorf("%s crawl to %s failed only after %v", proto, tc.file, d)
			}
		}
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Errorf("crawl left files behind: %v", entries)
	}
}
