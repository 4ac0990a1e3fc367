package dnsdisc

import (
	"context"
	"maps"
	"strings"
	"testing"

	"github.com/devp2p-go/devp2p/enode"
)

func TestMakeTreeRoundTrip(t *testing.T) {
	key := testKey(t)
	nodes := testNodes(t, 60) // 60 leaves: two branch levels
	links := []string{
		FormatURL(&newKey(t).PublicKey, "a.example.org"),
		FormatURL(&newKey(t).PublicKey, "b.example.org"),
	}
	tree, url, txt := signedTree(t, key, "nodes.example.org", 7, nodes, links)

	for name, rec := range txt {
		if strings.HasPrefix(rec, branchPrefix) && len(rec) > branchSizeLimit {
			t.Errorf("branch %s is %d bytes, over %d", name, len(rec), branchSizeLimit)
		}
		if name != "nodes.example.org" && entryHash(rec)+".nodes.example.org" != name {
			t.Errorf("record %s does not hash to its name", name)
		}
	}

	c := newTestClient(t, fastConfig(t, newMapResolver(txt)))
	synced, err := c.SyncTree(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	sameNodes(t, synced.Nodes(), nodes)
	if got, want := strings.Join(synced.Links(), ","), strings.Join(tree.Links(), ","); got != want {
		t.Errorf("links %s, want %s", got, want)
	}
	if synced.Seq() != 7 || synced.Signature() != tree.Signature() {
		t.Errorf("seq %d sig %s", synced.Seq(), synced.Signature())
	}
	// A synced tree publishes the same records.
	again, err := synced.ToTXT("nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if !maps.Equal(again, txt) {
		t.Error("synced tree gives other TXT records")
	}
}

func TestMakeTreeDeterministic(t *testing.T) {
	key := testKey(t)
	nodes := testNodes(t, 30)
	_, _, a := signedTree(t, key, "n", 1, nodes, nil)
	reversed := make([]*enode.Node, len(nodes))
	for i, n := range nodes {
		reversed[len(nodes)-1-i] = n
	}
	_, _, b := signedTree(t, key, "n", 1, reversed, nil)
	if !maps.Equal(a, b) {
		t.Error("node order changes the tree")
	}
}

func TestMakeTreeErrors(t *testing.T) {
	nodes := testNodes(t, 1)
	if _, err := MakeTree(1, append(nodes, nodes[0]), nil); err == nil {
		t.Error("duplicate node accepted")
	}
	if _, err := MakeTree(1, nil, []string{"enrtree://bad@x"}); err == nil {
		t.Error("bad link accepted")
	}
	tree, err := MakeTree(1, nodes, nil)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.ToTXT("n"); err == nil {
		t.Error("unsigned tree published")
	}
	if _, err := tree.Sign(testKey(t), "bad domain"); err == nil {
		t.Error("invalid domain accepted")
	}
}

func TestEmptyTree(t *testing.T) {
	_, url, txt := signedTree(t, testKey(t), "n", 1, nil, nil)
	c := newTestClient(t, fastConfig(t, newMapResolver(txt)))
	tree, err := c.SyncTree(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if len(tree.Nodes()) != 0 || len(tree.Links()) != 0 {
		t.Fatal("empty tree has content")
	}
}

func TestSetSignature(t *testing.T) {
	key := testKey(t)
	nodes := testNodes(t, 3)
	signed, _, _ := signedTree(t, key, "n", 4, nodes, nil)

	rebuilt, err := MakeTree(4, nodes, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := rebuilt.SetSignature(&newKey(t).PublicKey, signed.Signature()); err == nil {
		t.Error("signature accepted under another key")
	}
	if err := rebuilt.SetSignature(&key.PublicKey, "!!"); err == nil {
		t.Error("bad base64 accepted")
	}
	if err := rebuilt.SetSignature(&key.PublicKey, signed.Signature()); err != nil {
		t.Fatal(err)
	}
	a, _ := signed.ToTXT("n")
	b, _ := rebuilt.ToTXT("n")
	if !maps.Equal(a, b) {
		t.Error("rebuilt tree differs")
	}
	other, _ := MakeTree(5, nodes, nil)
	if err := other.SetSignature(&key.PublicKey, signed.Signature()); err == nil {
		t.Error("signature of seq 4 accepted for seq 5")
	}
}
