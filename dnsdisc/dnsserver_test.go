package dnsdisc

import (
	"context"
	"testing"

	"github.com/devp2p-go/devp2p/dnsdisc/dnstest"
)

// startDNSServer serves records from a real DNS server on 127.0.0.1 (UDP
// and TCP) until the test ends.
func startDNSServer(t *testing.T, records map[string]string) *dnstest.Server {
	t.Helper()
	srv, err := dnstest.Start(records)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		if err := srv.Close(); err != nil {
			t.Error(err)
		}
	})
	return srv
}

func TestRealDNSServer(t *testing.T) {
	nodes := testNodes(t, 30)
	linked := FormatURL(&newKey(t).PublicKey, "other.example.org")
	_, url, txt := signedTree(t, testKey(t), "nodes.example.org", 3, nodes, []string{linked})
	long := 0
	for _, rec := range txt {
		if len(rec) > 255 {
			long++
		}
	}
	if long == 0 {
		t.Fatal("no record needs splitting; the test would not cover joining")
	}
	srv := startDNSServer(t, txt)

	for _, network := range []string{"udp", "tcp"} {
		t.Run(network, func(t *testing.T) {
			cfg := fastConfig(t, srv.Resolver(network))
			c := newTestClient(t, cfg)
			tree, err := c.SyncTree(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			sameNodes(t, tree.Nodes(), nodes)
			if l := tree.Links(); len(l) != 1 || l[0] != linked {
				t.Fatalf("links %v", l)
			}

			it, err := newTestClient(t, cfg).NewIterator(url)
			if err != nil {
				t.Fatal(err)
			}
			defer it.Close()
			readUntil(t, it, nodes, nodeIDs(nodes), 2000)
		})
	}
}
