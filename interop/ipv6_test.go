package interop

import (
	"context"
	"log/slog"
	"net"
	"net/netip"
	"os"
	"slices"
	"testing"
	"time"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	glog "github.com/ethereum/go-ethereum/log"
	"github.com/ethereum/go-ethereum/p2p"
	genode "github.com/ethereum/go-ethereum/p2p/enode"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// ipv6GethProto and ipv6OurProto are one protocol that both servers run,
// so that they keep the connection: it holds the peer until it ends.
func ipv6GethProto() p2p.Protocol {
	return p2p.Protocol{Name: "itest", Version: 1, Length: 1, Run: func(p *p2p.Peer, rw p2p.MsgReadWriter) error {
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			msg.Discard()
		}
	}}
}

func ipv6OurProto() devp2p.Protocol {
	return devp2p.Protocol{Name: "itest", Version: 1, Length: 1, Run: func(p *devp2p.Peer, rw devp2p.MsgReadWriter) error {
		for {
			msg, err := rw.ReadMsg()
			if err != nil {
				return err
			}
			msg.Discard()
		}
	}}
}

// TestIPv6Interop: our server and go-ethereum's, both listening on [::1]
// only, with discv4 and discv5. go-ethereum knows only our record (its
// bootnode for both protocols): it reaches us over IPv6 through discovery,
// finds us with lookups in both protocols and dials us, and we find it back
// with our own lookups. Our record carries ip6 ::1 and no IPv4 address, so
// go-ethereum has no 127.0.0.1 to try.
func TestIPv6Interop(t *testing.T) {
	key, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	ours := &devp2p.Server{Config: devp2p.Config{
		PrivateKey:  key,
		MaxPeers:    10,
		ListenAddr:  "[::1]:0",
		DiscoveryV5: true,
		Protocols:   []devp2p.Protocol{ipv6OurProto()},
		Name:        "devp2p-interop",
		Logger:      slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: slog.LevelInfo})),
	}}
	ourEvents := make(chan *devp2p.PeerEvent, 100)
	ours.SubscribeEvents(ourEvents)
	if err := ours.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ours.Stop)
	self := ours.Self()
	var ip4 enr.IPv4
	var ip6 enr.IPv6
	if self.Load(&ip4) == nil || self.Load(&ip6) != nil || ip6.Addr() != netip.IPv6Loopback() {
		t.Fatalf("our record on [::1]: %v", self)
	}

	gkey, err := gcrypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	boot := toGeth(t, self)
	geth := &p2p.Server{Config: p2p.Config{
		PrivateKey:       gkey,
		MaxPeers:         10,
		ListenAddr:       "[::1]:0",
		DiscoveryV4:      true,
		DiscoveryV5:      true,
		BootstrapNodes:   []*genode.Node{boot},
		BootstrapNodesV5: []*genode.Node{boot},
		Protocols:        []p2p.Protocol{ipv6GethProto()},
		Name:             "geth-interop",
		Logger:           glog.NewLogger(glog.DiscardHandler()),
	}}
	if err := geth.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(geth.Stop)
	// go-ethereum (v1.17) names only "ip 127.0.0.1" in its record when it
	// listens on [::1], where nothing of it answers; we reach it where it
	// listens, as a user given its enode URL at [::1] would.
	gethSelf := fromGeth(t, geth.Self())
	gethAt6 := enode.NewV4(gethSelf.Pubkey(), net.IPv6loopback, gethSelf.TCP(), gethSelf.UDP())

	// go-ethereum finds us through each protocol over IPv6.
	if found := geth.DiscoveryV4().LookupPubkey(self.Pubkey()); !containsGethID(found, self.ID()) {
		t.Errorf("go-ethereum's discv4 lookup did not find us: %v", found)
	}
	if found := geth.DiscoveryV5().Lookup(genode.ID(self.ID())); !containsGethID(found, self.ID()) {
		t.Errorf("go-ethereum's discv5 lookup did not find us: %v", found)
	}
	// We reach it over IPv6 with both protocols, and our discv4 lookup
	// finds it (our table holds it at the address its packets came from).
	if err := ours.DiscV4().Ping(context.Background(), gethAt6); err != nil {
		t.Errorf("our discv4 ping to go-ethereum: %v", err)
	}
	if err := ours.DiscV5().Ping(context.Background(), gethAt6); err != nil {
		t.Errorf("our discv5 ping to go-ethereum: %v", err)
	}
	if found := ours.DiscV4().Lookup(context.Background(), gethAt6); !slices.ContainsFunc(found, func(n *enode.Node) bool { return n.ID() == gethSelf.ID() }) {
		t.Errorf("our discv4 lookup did not find go-ethereum: %v", found)
	}

	// The two peer (go-ethereum dials the node its discovery found).
	timeout := time.After(serverTestWait)
	for {
		select {
		case ev := <-ourEvents:
			if ev.Type == devp2p.PeerEventTypeAdd && ev.Peer == gethSelf.ID() {
				for _, p := range ours.Peers() {
					if p.ID() == gethSelf.ID() {
						if ip := p.Node().IPAddr(); !ip.Is6() || ip.Is4In6() {
							t.Errorf("peer go-ethereum at %v, want an IPv6 address", ip)
						}
					}
				}
				return
			}
		case <-timeout:
			t.Fatalf("no peer connection within %v (we have %d peers, go-ethereum %d)", serverTestWait, ours.PeerCount(), geth.PeerCount())
		}
	}
}

func containsGethID(ns []*genode.Node, id enode.ID) bool {
	return slices.ContainsFunc(ns, func(n *genode.Node) bool { return n.ID() == genode.ID(id) })
}
