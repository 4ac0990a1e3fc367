package v5

import (
	"net"
	"net/netip"
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/enode"
)

// pingAnsweredWith makes ours ping fake and fake answer with a PONG that
// says ours is at claim, then returns the session's ID and address.
func pingAnsweredWith(t *testing.T, ours *UDPv5, fake *fakePeer, claim netip.AddrPort) (enode.ID, netip.AddrPort) {
	done := make(chan error, 1)
	go func() { done <- ours.Ping(t.Context(), fake.node) }()
	src, from, p := fake.acceptRequest()
	ping := p.(*v5wire.Ping)
	fake.send(src, from, &v5wire.Pong{ReqID: ping.ReqID, ToIP: claim.Addr().AsSlice(), ToPort: claim.Port()})
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	return src, from
}

// TestEndpointVotesNeedProof: PONGs that answer our PINGs from 20 peers of
// one /24, and 100 unsolicited PONGs from them, all claiming another IP,
// leave the record's IP and seq as they were; answers from 3 other subnets
// then move it.
func TestEndpointVotesNeedProof(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		real := testnet.PublicAddr(1)
		key := testnet.NewKey(t)
		conn, err := nw.Listen(real)
		if err != nil {
			t.Fatal(err)
		}
		ln := enode.NewLocalNode(nil, key)
		ln.SetFallbackIP(net.IP{11, 99, 0, 1}) // wrong guess, as behind a NAT
		ln.SetFallbackUDP(int(real.Port()))
		ours, err := ListenV5(conn, ln, Config{PrivateKey: key})
		if err != nil {
			t.Fatal(err)
		}
		defer ours.Close()
		before := ours.Self()

		claim := netip.MustParseAddrPort("11.66.66.66:30303")
		for i := range 20 {
			fake := newFakePeer(t, nw, netip.AddrPortFrom(netip.AddrFrom4([4]byte{11, 200, 0, byte(i)}), 30303))
			src, from := pingAnsweredWith(t, ours, fake, claim)
			for j := range 5 { // unsolicited: no call waits for them
				fake.send(src, from, &v5wire.Pong{ReqID: []byte{0xee, byte(j)}, ToIP: claim.Addr().AsSlice(), ToPort: claim.Port()})
			}
			synctest.Wait()
		}
		if n := ours.Self(); n.IPAddr() != before.IPAddr() || n.Seq() != before.Seq() {
			t.Fatalf("one /24 changed the record: %v seq %d, was %v seq %d", n.IPAddr(), n.Seq(), before.IPAddr(), before.Seq())
		}

		for i := range 3 {
			fake := newFakePeer(t, nw, testnet.PublicAddr(10+i))
			pingAnsweredWith(t, ours, fake, real)
		}
		if got := ours.Self().IPAddr(); got != real.Addr() {
			t.Fatalf("answers of 3 subnets: record IP %v, want %v", got, real.Addr())
		}
	})
}
