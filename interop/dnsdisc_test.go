package interop

import (
	"context"
	"maps"
	"net"
	"net/netip"
	"slices"
	"strings"
	"sync"
	"testing"

	gdnsdisc "github.com/ethereum/go-ethereum/p2p/dnsdisc"
	genode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/dnsdisc"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// txtResolver serves TXT records from memory to both clients (their Resolver
// interfaces have the same method).
type txtResolver struct {
	mu      sync.Mutex
	records map[string]string
}

func newTXTResolver(records ...map[string]string) *txtResolver {
	r := &txtResolver{records: make(map[string]string)}
	for _, m := range records {
		for name, txt := range m {
			r.records[strings.ToLower(name)] = txt
		}
	}
	return r
}

func (r *txtResolver) LookupTXT(_ context.Context, name string) ([]string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if txt, ok := r.records[strings.ToLower(name)]; ok {
		return []string{txt}, nil
	}
	return nil, &net.DNSError{Err: "no such host", Name: name, IsNotFound: true}
}

// dnsNodeSet is one node set in both libraries, made from the same records.
type dnsNodeSet struct {
	ours []*enode.Node
	geth []*genode.Node
	ids  []string
}

func makeDNSNodeSet(t *testing.T, n int) dnsNodeSet {
	t.Helper()
	var set dnsNodeSet
	for i := range n {
		kp := newKeyPair(t)
		var r enr.Record
		r.Set(enr.IPv4(netip.AddrFrom4([4]byte{10, 1, byte(i >> 8), byte(i)})))
		r.Set(enr.TCP(30303))
		r.Set(enr.UDP(30303))
		r.SetSeq(uint64(i + 1))
		if err := enode.SignV4(&r, kp.ours); err != nil {
			t.Fatal(err)
		}
		ours, err := enode.New(enode.ValidSchemes, &r)
		if err != nil {
			t.Fatal(err)
		}
		text, err := r.Text()
		if err != nil {
			t.Fatal(err)
		}
		geth, err := genode.Parse(genode.ValidSchemes, text)
		if err != nil {
			t.Fatalf("geth cannot parse our record: %v", err)
		}
		set.ours = append(set.ours, ours)
		set.geth = append(set.geth, geth)
		set.ids = append(set.ids, ours.ID().String())
	}
	slices.Sort(set.ids)
	return set
}

func sortedIDs[N interface{ ID() I }, I interface{ String() string }](nodes []N) []string {
	var ids []string
	for _, n := range nodes {
		ids = append(ids, n.ID().String())
	}
	slices.Sort(ids)
	return ids
}

func TestDNSGethTreeReadByUs(t *testing.T) {
	all := makeDNSNodeSet(t, 70)
	set := dnsNodeSet{ours: all.ours[:60], geth: all.geth[:60], ids: sortedIDs(all.ours[:60])}
	kp, linkKey := newKeyPair(t), newKeyPair(t)

	linked, err := gdnsdisc.MakeTree(1, all.geth[60:], nil)
	if err != nil {
		t.Fatal(err)
	}
	linkURL, err := linked.Sign(linkKey.geth, "linked.example.org")
	if err != nil {
		t.Fatal(err)
	}
	links := []string{linkURL}
	gtree, err := gdnsdisc.MakeTree(3, set.geth, links)
	if err != nil {
		t.Fatal(err)
	}
	url, err := gtree.Sign(kp.geth, "nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}
	if ours := dnsdisc.FormatURL(&kp.ours.PublicKey, "nodes.example.org"); ours != url {
		t.Fatalf("URLs differ: ours %s, geth %s", ours, url)
	}
	r := newTXTResolver(gtree.ToTXT("nodes.example.org"), linked.ToTXT("linked.example.org"))

	c, err := dnsdisc.NewClient(dnsdisc.Config{Resolver: r, RateLimit: 1e9, RateBurst: 1 << 20})
	if err != nil {
		t.Fatal(err)
	}
	tree, err := c.SyncTree(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedIDs(tree.Nodes()); !slices.Equal(got, set.ids) {
		t.Fatalf("synced %d nodes, want the %d geth published", len(got), len(set.ids))
	}
	if !slices.Equal(tree.Links(), links) || tree.Seq() != 3 || tree.Signature() != gtree.Signature() {
		t.Fatalf("links %v seq %d sig %s", tree.Links(), tree.Seq(), tree.Signature())
	}

	// The iterator follows the link: it gives the nodes of both trees.
	it, err := c.NewIterator(url)
	if err != nil {
		t.Fatal(err)
	}
	defer it.Close()
	readAllDNS(t, it, all.ids)
}

// readAllDNS reads it until every node of ids was seen; any other node fails.
func readAllDNS(t *testing.T, it interface {
	Next() bool
	Node() *enode.Node
}, ids []string) {
	t.Helper()
	seen := make(map[string]bool)
	for i := 0; len(seen) < len(ids); i++ {
		if i == 10000 || !it.Next() {
			t.Fatalf("iterator gave %d of %d nodes", len(seen), len(ids))
		}
		id := it.Node().ID().String()
		if _, ok := slices.BinarySearch(ids, id); !ok {
			t.Fatalf("iterator gave unknown node %s", id)
		}
		seen[id] = true
	}
}

func TestDNSOurTreeReadByGeth(t *testing.T) {
	all := makeDNSNodeSet(t, 70)
	set := dnsNodeSet{ours: all.ours[:60], geth: all.geth[:60], ids: sortedIDs(all.ours[:60])}
	kp, linkKey := newKeyPair(t), newKeyPair(t)

	linked, err := dnsdisc.MakeTree(1, all.ours[60:], nil)
	if err != nil {
		t.Fatal(err)
	}
	linkURL, err := linked.Sign(linkKey.ours, "linked.example.org")
	if err != nil {
		t.Fatal(err)
	}
	linkedTXT, err := linked.ToTXT("linked.example.org")
	if err != nil {
		t.Fatal(err)
	}
	links := []string{linkURL}

	tree, err := dnsdisc.MakeTree(3, set.ours, links)
	if err != nil {
		t.Fatal(err)
	}
	url, err := tree.Sign(kp.ours, "nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}
	txt, err := tree.ToTXT("nodes.example.org")
	if err != nil {
		t.Fatal(err)
	}
	r := newTXTResolver(txt, linkedTXT)

	c := gdnsdisc.NewClient(gdnsdisc.Config{Resolver: r, RateLimit: 1e9})
	gtree, err := c.SyncTree(url)
	if err != nil {
		t.Fatal(err)
	}
	if got := sortedIDs(gtree.Nodes()); !slices.Equal(got, set.ids) {
		t.Fatalf("geth synced %d nodes, want %d", len(got), len(set.ids))
	}
	if !slices.Equal(gtree.Links(), links) || gtree.Seq() != 3 || gtree.Signature() != tree.Signature() {
		t.Fatalf("geth: links %v seq %d sig %s", gtree.Links(), gtree.Seq(), gtree.Signature())
	}

	// geth's iterator follows our link too.
	git, err := c.NewIterator(url)
	if err != nil {
		t.Fatal(err)
	}
	defer git.Close()
	seen := make(map[string]bool)
	for i := 0; len(seen) < len(all.ids); i++ {
		if i == 10000 || !git.Next() {
			t.Fatalf("geth iterator gave %d of %d nodes", len(seen), len(all.ids))
		}
		id := git.Node().ID().String()
		if _, ok := slices.BinarySearch(all.ids, id); !ok {
			t.Fatalf("geth iterator gave unknown node %s", id)
		}
		seen[id] = true
	}
}

// With the same nodes, links, seq and key, both libraries publish the same
// records, so a list can move between them without a new version.
func TestDNSSameTreeBothWays(t *testing.T) {
	set := makeDNSNodeSet(t, 200)
	kp := newKeyPair(t)
	links := []string{dnsdisc.FormatURL(&newKeyPair(t).ours.PublicKey, "a.example.org")}
	tree, err := dnsdisc.MakeTree(9, set.ours, links)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := tree.Sign(kp.ours, "n.example.org"); err != nil {
		t.Fatal(err)
	}
	ours, _ := tree.ToTXT("n.example.org")
	gtree, err := gdnsdisc.MakeTree(9, set.geth, links)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := gtree.Sign(kp.geth, "n.example.org"); err != nil {
		t.Fatal(err)
	}
	geth := gtree.ToTXT("n.example.org")
	if !maps.Equal(ours, geth) {
		t.Errorf("records differ: ours %d, geth %d; roots:\n%s\n%s", len(ours), len(geth), ours["n.example.org"], geth["n.example.org"])
	}
}
