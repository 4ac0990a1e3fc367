package main

import (
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// TestNodeIPv6: a node listening on [::1] prints an enode URL at [::1] and
// a record with ip6 ::1 and no IPv4 address, and the tools reach it there
// over RLPx and discv4.
func TestNodeIPv6(t *testing.T) {
	node := start(t, "node", "--datadir", t.TempDir(), "--listen", "[::1]:0")
	id := node.waitLine("node")
	listen := node.waitLine("listen")
	url := node.waitLine("enode")
	rec := node.waitLine("enr")
	if !strings.HasPrefix(listen, "[::1]:") || strings.HasSuffix(listen, ":0") {
		t.Fatalf("listen %s, want [::1] with a chosen port", listen)
	}
	port := listen[strings.LastIndex(listen, ":"):]
	if !strings.Contains(url, "@[::1]"+port) {
		t.Errorf("enode %s, want one at [::1]%s", url, port)
	}
	n, err := enode.Parse(enode.ValidSchemes, rec)
	if err != nil {
		t.Fatalf("printed record %q: %v", rec, err)
	}
	var ip4 enr.IPv4
	var ip6 enr.IPv6
	if err := n.Load(&ip4); err == nil {
		t.Errorf("record of an IPv6-only node has ip %v", ip4.Addr())
	}
	if err := n.Load(&ip6); err != nil || ip6.Addr().String() != "::1" {
		t.Errorf("record ip6 %v (%v), want ::1", ip6.Addr(), err)
	}

	out := mustRun(t, "rlpx", "ping", url)
	if !strings.Contains(out, id) {
		t.Errorf("rlpx ping over IPv6:\n%s", out)
	}
	out = mustRun(t, "discv4", "ping", "--listen", "[::1]:0", rec)
	if !strings.Contains(out, "pong from") {
		t.Errorf("discv4 ping over IPv6:\n%s", out)
	}
	node.interrupt()
}
