package devp2p

import (
	"fmt"
	"math/rand/v2"
	"net"
	"runtime"
	"strconv"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	dto "github.com/prometheus/client_model/go"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover"
)

// TestMetricsHostileBounded feeds a server what an attacker controls (client
// names, message codes, discovery packet types) in two rounds of fresh
// random values, and checks that the number of series does not follow: no
// label value comes from the input, and the second round adds (almost)
// nothing.
func TestMetricsHostileBounded(t *testing.T) {
	reg := prometheus.NewRegistry()
	srv := newTestServer(t, func(c *Config) {
		c.Metrics = reg
		c.ListenAddr = "127.0.0.1:0"
		c.DiscoveryV5 = true
		c.MaxPeers = 100
	})
	events := make(chan *PeerEvent, 64)
	sub := srv.SubscribeEvents(events)
	defer sub.Unsubscribe()
	ep, ok := srv.Self().UDPEndpoint()
	if !ok {
		t.Fatal("server has no UDP endpoint")
	}
	udp, err := net.DialUDP("udp", nil, net.UDPAddrFromAddrPort(ep))
	if err != nil {
		t.Fatal(err)
	}
	defer udp.Close()

	rng := rand.New(rand.NewPCG(1, 2))
	var names []string
	round := func(peers, packets int) int {
		for range peers {
			name := fmt.Sprintf("evil/%x", rng.Uint64())
			names = append(names, name)
			rp := dialRaw(t, srv, nil)
			rp.handshake(rawHello(rp.key, name, Cap{"test", 1}))
			waitEvent(t, events, PeerEventTypeAdd)
			// Any code: most are invalid (protocol error), some reach the
			// base protocol or the test protocol with garbage.
			rp.conn.Write(rng.Uint64N(1<<20), []byte{0xc1, 0x80})
			rp.fd.Close()
			waitEvent(t, events, PeerEventTypeDrop)
		}
		for sent := 0; sent < packets; {
			batch := min(packets-sent, 50)
			before := discDrops(srv)
			for range batch {
				if _, err := udp.Write(randomV4Packet(rng)); err != nil {
					t.Fatal(err)
				}
			}
			waitDiscDrops(t, srv, before+uint64(batch))
			sent += batch
		}
		fams, err := reg.Gather()
		if err != nil {
			t.Fatal(err)
		}
		checkLabelVocabulary(t, fams, names)
		return countSeries(fams)
	}
	first := round(40, 300)
	second := round(40, 300)
	t.Logf("series after round 1: %d, after round 2: %d (each round: 40 peers with random names and codes, 300 discovery packets of random types)", first, second)
	// Round 2 may hit a disconnect reason round 1 did not; it cannot add a
	// series per input (40 or 300).
	if second-first > 10 {
		t.Errorf("series grew from %d to %d with the second round of hostile input", first, second)
	}
}

// randomV4Packet is a discv4 datagram with a valid hash and a random type
// byte: it passes the hash check and fails at the type, or later.
func randomV4Packet(rng *rand.Rand) []byte {
	const macSize, sigSize = 32, 65
	p := make([]byte, macSize+sigSize+1+2)
	for i := macSize; i < len(p); i++ {
		p[i] = byte(rng.Uint32())
	}
	p[len(p)-2], p[len(p)-1] = 0xc1, 0x80 // [""]
	copy(p, crypto.Keccak256(p[macSize:]))
	return p
}

// discDrops counts the datagrams discovery did not act on: discv4 hands
// what it cannot decode to discv5 (or drops it when discv5 lags), and
// discv5 drops what it cannot decode either.
func discDrops(srv *Server) uint64 {
	var n uint64
	for _, st := range []*discover.PacketStats{srv.DiscV4().PacketStats(), srv.DiscV5().PacketStats()} {
		for r := range discover.NumDropReasons {
			n += st.Dropped(discover.DropReason(r))
		}
	}
	return n
}

// waitDiscDrops waits until discovery has dropped want datagrams in all.
// The engines handle packets on their own goroutines; the counters are the
// only sign that they are done, so the wait yields until they are there.
func waitDiscDrops(t *testing.T, srv *Server, want uint64) {
	t.Helper()
	deadline := time.Now().Add(testWait)
	for discDrops(srv) < want {
		if time.Now().After(deadline) {
			t.Fatalf("discovery dropped %d datagrams, want %d", discDrops(srv), want)
		}
		runtime.Gosched()
	}
}

func countSeries(fams []*dto.MetricFamily) int {
	n := 0
	for _, f := range fams {
		n += len(f.GetMetric())
	}
	return n
}

// checkLabelVocabulary fails when a label value is one of the hostile
// inputs: a client name, or a message code outside the protocols' ranges.
func checkLabelVocabulary(t *testing.T, fams []*dto.MetricFamily, names []string) {
	t.Helper()
	hostile := make(map[string]bool, len(names))
	for _, n := range names {
		hostile[n] = true
	}
	maxCode := map[string]uint64{baseProtocolName: baseProtocolLength, "test": 4, labelOther: 0}
	for _, f := range fams {
		for _, m := range f.GetMetric() {
			var proto, code string
			for _, l := range m.GetLabel() {
				if hostile[l.GetValue()] {
					t.Fatalf("%s has label %s=%q from hostile input", f.GetName(), l.GetName(), l.GetValue())
				}
				switch l.GetName() {
				case "protocol":
					proto = l.GetValue()
				case "code":
					code = l.GetValue()
				}
			}
			if code == "" || code == labelOther {
				continue
			}
			limit, ok := maxCode[proto]
			c, err := strconv.ParseUint(code, 10, 64)
			if !ok || err != nil || c >= limit {
				t.Fatalf("%s has protocol %q code %q outside the configured ranges", f.GetName(), proto, code)
			}
		}
	}
}
