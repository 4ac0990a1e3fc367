package v5

import (
	"context"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v5wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// The flood scenarios of the admission tests: 6,000 datagrams a second for
// floodTime, from one source or from 1,000 sources in one /16, while a node
// from another network pings the target every 250 ms.
const (
	floodRate    = 6000 // datagrams per second
	floodTime    = 10 * time.Second
	legitPings   = 40
	legitSpacing = floodTime / legitPings
)

// attacker returns the i-th attacking source: 1,000 of them fill 250 /24s
// of 12.34.0.0/16.
func attacker(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{12, 34, byte(i / 4), byte(i%4 + 1)}), 30303)
}

// TestFloodOneSource and TestFloodOneSubnet hold the admission limits: the
// flood takes only its sources' share of the work (header unmasking, and
// the WHOAREYOU and challenge it provokes; here time is simulated, so the
// test counts the datagrams that reach the codec instead of timing them),
// the honest node's pings succeed, and the unproven sources get fewer bytes
// back than they sent.
func TestFloodOneSource(t *testing.T) {
	perIP := discover.DefaultAdmitPerIP
	testFlood(t, func(int) netip.AddrPort { return attacker(0) },
		perIP.Burst+perIP.PerSecond*floodTime.Seconds())
}

func TestFloodOneSubnet(t *testing.T) {
	wide := discover.DefaultAdmitPerWide
	testFlood(t, func(i int) netip.AddrPort { return attacker(i % 1000) },
		wide.Burst+wide.PerSecond*floodTime.Seconds())
}

// TestFloodManySubnets: sources in 100 /16s pass the per-subnet limits,
// so the budget of all unproven sources runs dry; the honest node, which
// bonded with its first ping, keeps its pings answered through the reserved
// lane.
func TestFloodManySubnets(t *testing.T) {
	global := discover.DefaultAdmitUnproven
	testFlood(t, func(i int) netip.AddrPort {
		return netip.AddrPortFrom(netip.AddrFrom4([4]byte{byte(20 + i%100), byte(128 + i/100%100), 1, 1}), 30303)
	}, global.Burst+global.PerSecond*floodTime.Seconds())
}

func testFlood(t *testing.T, source func(i int) netip.AddrPort, maxAdmitted float64) {
	synctest.Test(t, func(t *testing.T) {
		nw := memnet.New()
		var (
			mu      sync.Mutex
			sentTo  = make(map[netip.Addr]int) // reply bytes to each attacking source
			gotFrom = make(map[netip.Addr]int) // request bytes from it
		)
		nw.SetTap(func(from, to netip.AddrPort, b []byte) {
			mu.Lock()
			sentTo[to.Addr()] += len(b) // checkReplyBytes looks at the attackers'
			mu.Unlock()
		})
		targetAddr := testnet.PublicAddr(0)
		conn, err := nw.Listen(targetAddr)
		if err != nil {
			t.Fatal(err)
		}
		target := listenOn(t, conn)
		defer target.Close()
		legit := startNode(t, nw, netip.MustParseAddrPort("13.1.1.1:30303"), Config{})
		defer legit.Close()

		// The attacker's codec sends what a node without a session sends: a
		// random message that asks for a WHOAREYOU.
		key := testnet.NewKey(t)
		attackerNode := enode.NewLocalNode(nil, key).Node
		codec := v5wire.NewCodec(key, attackerNode, mclock.System{}, 0)
		done := make(chan struct{})
		go func() {
			defer close(done)
			perMs := floodRate / 1000
			for i := 0; i < floodRate*int(floodTime.Seconds()); i++ {
				from := source(i)
				b, _, err := codec.Encode(target.Self().ID(), targetAddr.String(), &v5wire.Ping{ReqID: []byte{1}}, nil)
				if err != nil {
					t.Error(err)
					return
				}
				mu.Lock()
				gotFrom[from.Addr()] += len(b)
				mu.Unlock()
				conn.Inject(from, b)
				if i%perMs == perMs-1 {
					time.Sleep(time.Millisecond)
				}
			}
		}()
		ok := 0
		for i := range legitPings {
			if err := legit.Ping(context.Background(), target.Self()); err == nil {
				ok++
			} else {
				t.Logf("ping %d: %v", i, err)
			}
			time.Sleep(legitSpacing)
		}
		<-done

		st := target.AdmitStats()
		t.Logf("legit pings %d/%d; admission %+v", ok, legitPings, st)
		if ok < legitPings*95/100 {
			t.Errorf("only %d of %d legitimate pings succeeded", ok, legitPings)
		}
		if admitted := st.Admitted + st.AdmittedTrusted; float64(admitted) > maxAdmitted+float64(legit.PacketsSent()) {
			t.Errorf("%d datagrams admitted, want ≤ %.0f + %d from the honest node", admitted, maxAdmitted, legit.PacketsSent())
		}
		mu.Lock() // the tap still sees the engines' own traffic
		defer mu.Unlock()
		checkReplyBytes(t, sentTo, gotFrom)
	})
}

// checkReplyBytes: in all and per source, no more reply bytes than request
// bytes (a WHOAREYOU is never larger than the packet it answers).
func checkReplyBytes(t *testing.T, sentTo, gotFrom map[netip.Addr]int) {
	t.Helper()
	var sent, got int
	for ip, n := range gotFrom {
		got += n
		sent += sentTo[ip]
		if sentTo[ip] > n {
			t.Errorf("%v: sent %d bytes for %d", ip, sentTo[ip], n)
		}
	}
	t.Logf("reply/request bytes to unproven sources: %d/%d = %.3f", sent, got, float64(sent)/float64(got))
	if sent > got {
		t.Errorf("reply bytes %d > request bytes %d", sent, got)
	}
}

// listenOn runs a discv5 engine on conn.
func listenOn(t *testing.T, conn *memnet.Conn) *UDPv5 {
	t.Helper()
	key := testnet.NewKey(t)
	ln := enode.NewLocalNode(nil, key)
	ln.SetStaticIP(conn.AddrPort().Addr().AsSlice())
	ln.SetFallbackUDP(int(conn.AddrPort().Port()))
	udp, err := ListenV5(conn, ln, Config{PrivateKey: key})
	if err != nil {
		t.Fatal(err)
	}
	return udp
}
