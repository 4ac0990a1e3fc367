package interop

import (
	"net"
	"slices"
	"testing"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	genode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover"
	v4 "github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/enode"
)

func listenLoopback(t *testing.T) *net.UDPConn {
	t.Helper()
	conn, err := net.ListenUDP("udp4", &net.UDPAddr{IP: net.IPv4(127, 0, 0, 1)})
	if err != nil {
		t.Fatal(err)
	}
	return conn
}

// startGethDiscv4 runs go-ethereum's discv4 on 127.0.0.1.
func startGethDiscv4(t *testing.T, boot []*enode.Node) *gdiscover.UDPv4 {
	t.Helper()
	key, _ := gcrypto.GenerateKey()
	db, err := genode.OpenDB("")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	conn := listenLoopback(t)
	ln := genode.NewLocalNode(db, key)
	ln.SetStaticIP(net.IPv4(127, 0, 0, 1))
	ln.SetFallbackUDP(conn.LocalAddr().(*net.UDPAddr).Port)
	var gboot []*genode.Node
	for _, n := range boot {
		gboot = append(gboot, toGeth(t, n))
	}
	udp, err := gdiscover.ListenV4(conn, ln, gdiscover.Config{PrivateKey: key, Bootnodes: gboot})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(udp.Close)
	return udp
}

// startOurDiscv4 runs our discv4 on 127.0.0.1.
func startOurDiscv4(t *testing.T, boot []*enode.Node) *v4.UDPv4 {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	conn := listenLoopback(t)
	ln := enode.NewLocalNode(nil, key)
	ln.SetStaticIP(net.IPv4(127, 0, 0, 1))
	ln.SetFallbackUDP(conn.LocalAddr().(*net.UDPAddr).Port)
	udp, err := v4.ListenV4(conn, ln, v4.Config{PrivateKey: key, TableConfig: discover.TableConfig{Bootnodes: boot}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(udp.Close)
	return udp
}

// toGeth and fromGeth move a signed record between the implementations
// through its text form.
func toGeth(t *testing.T, n *enode.Node) *genode.Node {
	t.Helper()
	gn, err := genode.Parse(genode.ValidSchemes, n.String())
	if err != nil {
		t.Fatalf("geth cannot parse our record: %v", err)
	}
	return gn
}

func fromGeth(t *testing.T, gn *genode.Node) *enode.Node {
	t.Helper()
	n, err := enode.Parse(enode.ValidSchemes, gn.String())
	if err != nil {
		t.Fatalf("we cannot parse geth's record: %v", err)
	}
	return n
}

// TestDiscv4PingAndENR: our node and go-ethereum's ping each other and
// exchange records, both directions.
func TestDiscv4PingAndENR(t *testing.T) {
	ours := startOurDiscv4(t, nil)
	geth := startGethDiscv4(t, nil)
	gn := fromGeth(t, geth.Self())
	on := toGeth(t, ours.Self())

	if err := ours.Ping(t.Context(), gn); err != nil {
		t.Fatalf("we ping geth: %v", err)
	}
	if _, err := geth.Ping(on); err != nil {
		t.Fatalf("geth pings us: %v", err)
	}
	rec, err := ours.RequestENR(t.Context(), gn)
	if err != nil {
		t.Fatalf("we request geth's ENR: %v", err)
	}
	if rec.ID() != gn.ID() || rec.Seq() != gn.Seq() {
		t.Fatalf("geth's record: got id %v seq %d, want %v seq %d", rec.ID(), rec.Seq(), gn.ID(), gn.Seq())
	}
	// geth asks twice in a row. Within one second its two requests are the
	// same bytes (it signs deterministically), as when its table
	// revalidation asked just before (it learned our record with sequence
	// number 0 from our ping): both must be answered.
	for i := range 2 {
		grec, err := geth.RequestENR(on)
		if err != nil {
			t.Fatalf("geth requests our ENR (request %d): %v", i+1, err)
		}
		if grec.ID() != on.ID() || grec.Seq() != on.Seq() {
			t.Fatalf("our record at geth: got id %v seq %d, want %v seq %d", grec.ID(), grec.Seq(), on.ID(), on.Seq())
		}
	}
}

// TestDiscv4MixedLookup: a network of go-ethereum and our nodes, all
// bootstrapped from a go-ethereum node, where each implementation finds the
// other's nodes through lookups.
func TestDiscv4MixedLookup(t *testing.T) {
	gboot := startGethDiscv4(t, nil)
	boot := []*enode.Node{fromGeth(t, gboot.Self())}
	var (
		ours  []*v4.UDPv4
		geths []*gdiscover.UDPv4
	)
	for range 4 {
		ours = append(ours, startOurDiscv4(t, boot))
		geths = append(geths, startGethDiscv4(t, boot))
	}
	// Each node looks for itself once, as its refresh does, so that the
	// bootnode introduces everybody.
	for _, n := range ours {
		n.Lookup(t.Context(), n.Self())
	}
	for _, g := range geths {
		g.LookupPubkey(g.Self().Pubkey())
	}

	// Our node finds a geth node.
	target := fromGeth(t, geths[3].Self())
	found := false
	for try := 0; try < 5 && !found; try++ {
		found = slices.ContainsFunc(ours[0].Lookup(t.Context(), target), func(n *enode.Node) bool { return n.ID() == target.ID() })
	}
	if !found {
		t.Error("our lookup did not find the geth node")
	}
	// A geth node finds ours.
	otarget := toGeth(t, ours[3].Self())
	found = false
	for try := 0; try < 5 && !found; try++ {
		found = slices.ContainsFunc(geths[0].LookupPubkey(otarget.Pubkey()), func(n *genode.Node) bool { return n.ID() == otarget.ID() })
	}
	if !found {
		t.Error("geth's lookup did not find our node")
	}
	// Resolve through the mixed network returns geth's current record.
	if r := ours[1].Resolve(t.Context(), target); r.Seq() != target.Seq() {
		t.Errorf("resolve: seq %d, want %d", r.Seq(), target.Seq())
	}
}
