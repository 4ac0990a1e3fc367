package devp2p

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/rlp"
	"github.com/klauspost/compress/snappy"
)

// TestDecompressionAttack is the decompression-amplification attack: 30
// peers each send messages of about 800 KiB on the wire that decode to
// almost 16 MiB, with base-protocol codes, reserved codes, codes of no
// protocol and codes of a real protocol that allows 16 MiB messages. Every
// attacker must be dropped for its own reason, the decoded bytes in flight
// must stay within the server's budget, and a legitimate peer exchanging
// messages at the same time must be served.
func TestDecompressionAttack(t *testing.T) {
	const (
		attackers = 30
		budget    = 32 << 20
		// maxHeap bounds the heap of the test process, which holds the
		// attackers too (30 frames of 800 KiB being written) and garbage
		// the collector has not reclaimed yet. The server's own decoded
		// bytes are held by the budget, checked exactly below.
		maxHeap = 256 << 20
		// attackWait bounds the waits of this test: it moves some 50 MB
		// through RLPx and snappy, which under the race detector on a
		// loaded machine can take well beyond the usual testWait.
		attackWait = 2 * time.Minute
	)
	srv := newTestServer(t, func(c *Config) {
		c.MaxPeers = attackers + 5
		c.Protocols[0].MaxMessageSize = MaxMessageSizeLimit // the worst case
		c.InboundBudget = budget
		// The simulated clock does not move: each peer has its burst of
		// two largest messages and nothing more.
		c.PeerInboundRate = 1
	})
	events := make(chan *PeerEvent, 4*attackers)
	sub := srv.SubscribeEvents(events)
	defer sub.Unsubscribe()

	// A message as large as the protocol allows: an RLP string of zeros,
	// which snappy shrinks about 21 times.
	// Attackers send it compressed once, as raw msg-data: compressing per
	// write would cost each attacker a 20 MiB buffer, which is not what
	// this test measures.
	plain, err := rlp.EncodeToBytes(make([]byte, MaxMessageSizeLimit-4))
	if err != nil || len(plain) != MaxMessageSizeLimit {
		t.Fatalf("bomb of %d bytes: %v", len(plain), err)
	}
	bomb := snappy.Encode(nil, plain)
	plain = nil
	runtime.GC() // measure the attack, not the bomb's making
	// The heap bound below is about what the attack keeps alive, not about
	// how far the collector lets garbage grow before it runs: collect
	// sooner, so the peak follows the live bytes more closely.
	defer debug.SetGCPercent(debug.SetGCPercent(50))
	t.Logf("bomb: %d bytes on the wire, %d decoded", len(bomb), MaxMessageSizeLimit)
	type attack struct {
		code  uint64
		count int    // messages sent at most
		want  string // in the drop error
	}
	kinds := []attack{
		{pingMsg, 1, "message too large"},
		{0x04, 1, "reserved base protocol message code"},
		{baseProtocolLength + 100, 1, "invalid message code"},
		{baseProtocolLength + 2, 3, "inbound byte budget exceeded"}, // echoProto discards code 2
		{baseProtocolLength + 0, 1, "invalid message"},              // echoProto decodes a list
	}
	want := make(map[enode.ID]attack)
	peers := make([]*rawPeer, attackers)
	for i := range peers {
		rp := dialRaw(t, srv, nil)
		rp.connect()
		rp.conn.SetSnappy(false) // the bomb is compressed already
		peers[i] = rp
		k := kinds[i%len(kinds)]
		if k.code == 0x04 {
			k.code += uint64(i % 12) // all reserved codes, 0x04–0x0f
		}
		want[rp.id()] = k
	}
	good := dialRaw(t, srv, nil)
	good.connect()

	// The heap's peak, sampled while the attack runs.
	stopSampling := make(chan struct{})
	peakHeap := make(chan uint64, 1)
	go func() {
		sample := []metrics.Sample{{Name: "/memory/classes/heap/objects:bytes"}}
		var peak uint64
		tick := time.NewTicker(2 * time.Millisecond)
		defer tick.Stop()
		for {
			metrics.Read(sample)
			peak = max(peak, sample[0].Value.Uint64())
			select {
			case <-tick.C:
			case <-stopSampling:
				peakHeap <- peak
				return
			}
		}
	}()

	var wg sync.WaitGroup
	for _, rp := range peers {
		k := want[rp.id()]
		wg.Add(2)
		go func() { // the attacker sends until it is cut off
			defer wg.Done()
			for range k.count {
				if _, err := rp.conn.Write(k.code, bomb); err != nil {
					return
				}
			}
		}()
		go func() { // and reads until then (pings, the Disconnect)
			defer wg.Done()
			rp.readUntilDisc()
		}()
	}

	// The good peer is served meanwhile.
	for i := range 20 {
		if err := good.send(baseProtocolLength, []string{"hi", fmt.Sprint(i)}); err != nil {
			t.Fatalf("good peer send %d: %v", i, err)
		}
		code, data := readReply(t, good, attackWait)
		var v []string
		if err := rlp.DecodeBytes(data, &v); code != baseProtocolLength+1 || err != nil || len(v) != 2 || v[1] != fmt.Sprint(i) {
			t.Fatalf("good peer reply %d: code %d %q %v", i, code, v, err)
		}
	}

	// Every attacker is dropped for its own reason.
	timeout := time.After(attackWait)
	for dropped := 0; dropped < attackers; {
		select {
		case ev := <-events:
			if ev.Type != PeerEventTypeDrop {
				continue
			}
			k, ok := want[ev.Peer]
			if !ok {
				t.Fatalf("peer %v dropped: %s", ev.Peer, ev.Error)
			}
			if !strings.Contains(ev.Error, k.want) {
				t.Errorf("attacker with code %#x dropped with %q, want %q", k.code, ev.Error, k.want)
			}
			delete(want, ev.Peer)
			dropped++
		case <-timeout:
			t.Fatalf("%d attackers still connected", len(want))
		}
	}
	wg.Wait()
	close(stopSampling)
	heap := <-peakHeap

	used, peak := srv.inbound.stats()
	t.Logf("decoded bytes in flight: peak %d (budget %d); heap objects peak %d MiB", peak, budget, heap>>20)
	if peak > budget {
		t.Fatalf("decoded bytes in flight peaked at %d, budget %d", peak, budget)
	}
	if peak < MaxMessageSizeLimit {
		t.Fatalf("peak %d: no bomb was ever admitted, the test did not test the budget", peak)
	}
	if heap > maxHeap {
		t.Fatalf("heap peaked at %d MiB, want at most %d", heap>>20, maxHeap>>20)
	}
	if used != 0 {
		t.Fatalf("%d bytes still reserved after the attackers left", used)
	}
	if srv.PeerCount() != 1 {
		t.Fatalf("%d peers left, want the good one", srv.PeerCount())
	}
}

// readReply reads the next message that is not a ping or pong, waiting at
// most bound.
func readReply(t *testing.T, rp *rawPeer, bound time.Duration) (uint64, []byte) {
	t.Helper()
	rp.fd.SetReadDeadline(time.Now().Add(bound))
	for {
		code, data, _, err := rp.conn.Read()
		if err != nil {
			t.Fatalf("read: %v", err)
		}
		if code != pingMsg && code != pongMsg {
			return code, data
		}
	}
}
