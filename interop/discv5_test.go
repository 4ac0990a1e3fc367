package interop

import (
	"bytes"
	"net"
	"net/netip"
	"slices"
	"testing"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	gdiscover "github.com/ethereum/go-ethereum/p2p/discover"
	genode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover"
	v5 "github.com/devp2p-go/devp2p/discover/v5"
	"github.com/devp2p-go/devp2p/enode"
)

// startGethDiscv5 runs go-ethereum's discv5 on 127.0.0.1.
func startGethDiscv5(t *testing.T, boot []*enode.Node) *gdiscover.UDPv5 {
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
	udp, err := gdiscover.ListenV5(conn, ln, gdiscover.Config{PrivateKey: key, Bootnodes: gboot})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(udp.Close)
	return udp
}

// startOurDiscv5 runs our discv5 on 127.0.0.1.
func startOurDiscv5(t *testing.T, boot []*enode.Node) *v5.UDPv5 {
	t.Helper()
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	conn := listenLoopback(t)
	ln := enode.NewLocalNode(nil, key)
	ln.SetStaticIP(net.IPv4(127, 0, 0, 1))
	ln.SetFallbackUDP(conn.LocalAddr().(*net.UDPAddr).Port)
	udp, err := v5.ListenV5(conn, ln, v5.Config{PrivateKey: key, TableConfig: discover.TableConfig{Bootnodes: boot}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(udp.Close)
	return udp
}

// TestDiscv5PingHandshake: both sides ping (each starting a handshake) and
// fetch the other's record.
func TestDiscv5PingHandshake(t *testing.T) {
	ours := startOurDiscv5(t, nil)
	geth := startGethDiscv5(t, nil)
	gn, on := fromGeth(t, geth.Self()), toGeth(t, ours.Self())

	if err := ours.Ping(t.Context(), gn); err != nil {
		t.Fatalf("we ping geth: %v", err)
	}
	if _, err := geth.Ping(on); err != nil {
		t.Fatalf("geth pings us: %v", err)
	}
	rec, err := ours.RequestENR(t.Context(), gn)
	if err != nil || rec.ID() != gn.ID() || rec.Seq() != gn.Seq() {
		t.Fatalf("we request geth's ENR: %v, %v", rec, err)
	}
	grec, err := geth.RequestENR(on)
	if err != nil || grec.ID() != on.ID() || grec.Seq() != on.Seq() {
		t.Fatalf("geth requests our ENR: %v, %v", grec, err)
	}

	// geth starts the handshake with a fresh node of ours.
	ours2 := startOurDiscv5(t, nil)
	if _, err := geth.Ping(toGeth(t, ours2.Self())); err != nil {
		t.Fatalf("geth handshakes with a new node of ours: %v", err)
	}
	if err := ours2.Ping(t.Context(), gn); err != nil {
		t.Fatalf("ping on the session geth started: %v", err)
	}
}

// TestDiscv5TalkRequest: TALKREQ in both directions, and unknown protocols.
func TestDiscv5TalkRequest(t *testing.T) {
	ours := startOurDiscv5(t, nil)
	geth := startGethDiscv5(t, nil)
	gn, on := fromGeth(t, geth.Self()), toGeth(t, ours.Self())
	ours.RegisterTalkHandler("echo", func(id enode.ID, addr netip.AddrPort, req []byte) []byte {
		return append([]byte("ours:"), req...)
	})
	geth.RegisterTalkHandler("echo", func(n *genode.Node, addr *net.UDPAddr, req []byte) []byte {
		return append([]byte("geth:"), req...)
	})
	resp, err := ours.TalkRequest(t.Context(), gn, "echo", []byte("hi"))
	if err != nil || !bytes.Equal(resp, []byte("geth:hi")) {
		t.Fatalf("we ask geth: %q, %v", resp, err)
	}
	resp, err = geth.TalkRequest(on, "echo", []byte("hi"))
	if err != nil || !bytes.Equal(resp, []byte("ours:hi")) {
		t.Fatalf("geth asks us: %q, %v", resp, err)
	}
	resp, err = geth.TalkRequest(on, "nope", []byte("hi"))
	if err != nil || len(resp) != 0 {
		t.Fatalf("geth asks us (unknown protocol): %q, %v", resp, err)
	}
	resp, err = ours.TalkRequest(t.Context(), gn, "nope", []byte("hi"))
	if err != nil || len(resp) != 0 {
		t.Fatalf("we ask geth (unknown protocol): %q, %v", resp, err)
	}
}

// TestDiscv5MixedLookup: a network of go-ethereum and our nodes; each
// implementation finds the other's nodes through lookups. The bootnode is
// ours: go-ethereum only hands out nodes its revalidation has seen alive
// (seconds of real time), so a geth bootnode would make the test wait.
func TestDiscv5MixedLookup(t *testing.T) {
	mixedLookup(t, []*enode.Node{startOurDiscv5(t, nil).Self()})
}

// lookupTries bounds the lookups a node makes before the test gives up
// (each takes at most a few response timeouts).
const lookupTries = 20

func mixedLookup(t *testing.T, boot []*enode.Node) {
	var (
		ours  []*v5.UDPv5
		geths []*gdiscover.UDPv5
	)
	for range 3 {
		ours = append(ours, startOurDiscv5(t, boot))
		geths = append(geths, startGethDiscv5(t, boot))
	}
	for _, n := range ours {
		n.Lookup(t.Context(), n.Self().ID())
	}
	for _, g := range geths {
		g.Lookup(g.Self().ID())
	}
	for i, n := range ours {
		target := fromGeth(t, geths[i].Self()).ID()
		found := false
		for try := 0; try < lookupTries && !found; try++ {
			found = slices.Contains(idsOfNodes(n.Lookup(t.Context(), target)), target)
		}
		if !found {
			t.Errorf("our node %d did not find geth node %d", i, i)
		}
	}
	for i, g := range geths {
		target := genode.ID(ours[i].Self().ID())
		found := false
		for try := 0; try < lookupTries && !found; try++ {
			found = slices.ContainsFunc(g.Lookup(target), func(n *genode.Node) bool { return n.ID() == target })
		}
		if !found {
			t.Errorf("geth node %d did not find our node %d", i, i)
		}
	}
}

func idsOfNodes(ns []*enode.Node) []enode.ID {
	var out []enode.ID
	for _, n := range ns {
		out = append(out, n.ID())
	}
	return out
}
