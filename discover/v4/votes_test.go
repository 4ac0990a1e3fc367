package v4

import (
	"crypto/ecdsa"
	"net"
	"net/netip"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
)

// voter is a discv4 peer that tells us we are at claim: in the To of its
// pings and, if it answers our pings, of its pongs.
type voter struct {
	t      *testing.T
	key    *ecdsa.PrivateKey
	conn   *memnet.Conn
	claim  netip.AddrPort
	answer bool // answer pings, so that it proves its endpoint (bonds)
	done   chan struct{}
}

func newVoter(t *testing.T, nw *memnet.Network, addr, claim netip.AddrPort, answer bool) *voter {
	conn, err := nw.Listen(addr)
	if err != nil {
		t.Fatal(err)
	}
	v := &voter{t: t, key: testnet.NewKey(t), conn: conn, claim: claim, answer: answer, done: make(chan struct{})}
	go v.readLoop()
	return v
}

func (v *voter) close() { v.conn.Close(); <-v.done }

func (v *voter) readLoop() {
	defer close(v.done)
	buf := make([]byte, 2048)
	for {
		n, from, err := v.conn.ReadFromUDPAddrPort(buf)
		if err != nil {
			return
		}
		pkt, _, hash, err := v4wire.Decode(buf[:n])
		if _, ok := pkt.(*v4wire.Ping); ok && err == nil && v.answer {
			v.send(from, &v4wire.Pong{To: v4wire.NewEndpoint(v.claim, 0), ReplyTok: hash, Expiration: future()})
		}
	}
}

func (v *voter) send(to netip.AddrPort, pkt v4wire.Packet) {
	packet, _, err := v4wire.Encode(v.key, pkt)
	if err != nil {
		v.t.Error(err)
		return
	}
	v.conn.WriteToUDPAddrPort(packet, to)
}

// ping sends a ping claiming v.claim and waits until the node has handled
// it, and its ping-back if any.
func (v *voter) ping(node netip.AddrPort) {
	v.send(node, &v4wire.Ping{Version: 4, From: v4wire.NewEndpoint(v.conn.AddrPort(), 0), To: v4wire.NewEndpoint(v.claim, 0), Expiration: future()})
	synctest.Wait()
}

// TestEndpointVotesNeedProof: 100 pings from unbonded peers and 20 from
// bonded peers (whose pongs lie too), all from one /24, and unbonded pings
// from 10 other subnets leave the record's IP and seq as they were; bonded
// peers of 3 other subnets then move it to the endpoint they report.
func TestEndpointVotesNeedProof(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		real := testnet.PublicAddr(1)
		key := testnet.NewKey(t)
		conn, _ := nw.Listen(real)
		ln := enode.NewLocalNode(nil, key)
		ln.SetFallbackIP(net.IP{11, 99, 0, 1}) // wrong guess, as behind a NAT
		ln.SetFallbackUDP(int(real.Port()))
		a, err := ListenV4(conn, ln, Config{PrivateKey: key})
		if err != nil {
			t.Fatal(err)
		}
		defer a.Close()
		before := a.Self()

		claim := netip.MustParseAddrPort("11.66.66.66:30303")
		attackAddr := func(i int) netip.AddrPort {
			return netip.AddrPortFrom(netip.AddrFrom4([4]byte{11, 200, 0, byte(i)}), 30303)
		}
		for i := range 100 {
			v := newVoter(t, nw, attackAddr(i), claim, false)
			v.ping(real)
			v.close()
		}
		// The attack goes on over (simulated) time, so that the per-subnet
		// packet admission lets the next voters of the /24 through.
		time.Sleep(10 * time.Second)
		for i := range 20 {
			v := newVoter(t, nw, attackAddr(100+i), claim, true)
			v.ping(real) // answers the ping-back: bonded
			if id := v4wire.EncodePubkey(&v.key.PublicKey).ID(); !a.bonds.hasProof(id, attackAddr(100+i).Addr()) {
				t.Fatal("voter did not bond")
			}
			v.ping(real) // a bonded ping
			v.close()
		}
		// Unbonded pings from many subnets (as with forged source
		// addresses) have no vote either.
		for i := range 10 {
			v := newVoter(t, nw, netip.AddrPortFrom(netip.AddrFrom4([4]byte{11, byte(201 + i), 0, 1}), 30303), claim, false)
			v.ping(real)
			v.close()
		}
		if n := a.Self(); n.IPAddr() != before.IPAddr() || n.Seq() != before.Seq() {
			t.Fatalf("unproven or one-/24 votes changed the record: %v seq %d, was %v seq %d", n.IPAddr(), n.Seq(), before.IPAddr(), before.Seq())
		}

		for i := range 3 {
			v := newVoter(t, nw, testnet.PublicAddr(10+i), real, true)
			v.ping(real)
			v.close()
		}
		if got := a.Self().IPAddr(); got != real.Addr() {
			t.Fatalf("bonded votes of 3 subnets: record IP %v, want %v", got, real.Addr())
		}
	})
}
