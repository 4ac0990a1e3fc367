package v4

import (
	"context"
	"crypto/rand"
	"net/netip"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
)

// The flood scenarios of the admission tests: 6,000 pings a second for
// floodTime, from one source or from 1,000 sources in one /16, while a node
// from another network pings the target every 333 ms. (Closer pings would
// repeat the same bytes more than maxReplayAnswers times, counting the
// table's revalidation pings: a deterministic signer's pings within one
// second of expiration are identical.)
const (
	floodRate    = 6000 // datagrams per second
	floodTime    = 10 * time.Second
	legitPings   = 30
	legitSpacing = floodTime / legitPings
)

// attacker returns the i-th attacking source: 1,000 of them fill 250 /24s
// of 12.34.0.0/16.
func attacker(i int) netip.AddrPort {
	return netip.AddrPortFrom(netip.AddrFrom4([4]byte{12, 34, byte(i / 4), byte(i%4 + 1)}), 30303)
}

// TestFloodOneSource and TestFloodOneSubnet hold the admission limits: the
// flood takes only its sources' share of the work (signature recovery is
// what a real flood exhausts; here time is simulated, so the test counts
// the datagrams that reach it instead of timing them), the honest node's
// pings succeed, and the unproven sources get fewer bytes back than they
// sent.
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
		target := listenOn(t, conn, Config{})
		defer target.Close()
		legit := startNode(t, nw, netip.MustParseAddrPort("13.1.1.1:30303"), Config{})
		defer legit.Close()

		flood := newPingForger(t, targetAddr)
		done := make(chan struct{})
		go func() {
			defer close(done)
			perMs := floodRate / 1000
			for i := 0; i < floodRate*int(floodTime.Seconds()); i++ {
				from := source(i)
				b := flood.forge()
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

// checkReplyBytes: in all, fewer reply bytes than request bytes; per
// source, at most its request bytes plus the reply allowance.
func checkReplyBytes(t *testing.T, sentTo, gotFrom map[netip.Addr]int) {
	t.Helper()
	var sent, got int
	for ip, n := range gotFrom {
		got += n
		sent += sentTo[ip]
		if sentTo[ip] > n+discover.DefaultReplyAllowance {
			t.Errorf("%v: sent %d bytes for %d", ip, sentTo[ip], n)
		}
	}
	t.Logf("reply/request bytes to unproven sources: %d/%d = %.3f", sent, got, float64(sent)/float64(got))
	if sent > got {
		t.Errorf("reply bytes %d > request bytes %d", sent, got)
	}
}

// listenOn runs a discv4 engine on conn.
func listenOn(t *testing.T, conn *memnet.Conn, cfg Config) *UDPv4 {
	t.Helper()
	cfg.PrivateKey = testnet.NewKey(t)
	ln := enode.NewLocalNode(nil, cfg.PrivateKey)
	ln.SetStaticIP(conn.AddrPort().Addr().AsSlice())
	ln.SetFallbackUDP(int(conn.AddrPort().Port()))
	udp, err := ListenV4(conn, ln, cfg)
	if err != nil {
		t.Fatal(err)
	}
	return udp
}

// pingForger makes flood pings the cheap way an attacker would: one encoded
// ping, then for each copy a random signature and the matching hash. Each
// costs the receiver a signature recovery (and yields a random identity),
// the sender only a hash.
type pingForger struct{ base []byte }

func newPingForger(t *testing.T, to netip.AddrPort) *pingForger {
	b, _, err := v4wire.Encode(testnet.NewKey(t), &v4wire.Ping{
		Version:    pingVersion,
		From:       v4wire.NewEndpoint(attacker(0), 30303),
		To:         v4wire.NewEndpoint(to, 0),
		Expiration: uint64(time.Now().Add(time.Hour).Unix()),
	})
	if err != nil {
		t.Fatal(err)
	}
	return &pingForger{base: b}
}

func (f *pingForger) forge() []byte {
	b := append([]byte(nil), f.base...)
	rand.Read(b[32:96])
	b[96] &= 1 // recovery id
	copy(b[:32], crypto.Keccak256(b[32:]))
	return b
}
