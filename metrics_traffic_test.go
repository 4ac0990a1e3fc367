package devp2p

import (
	"testing"

	"github.com/prometheus/client_golang/prometheus/testutil"
)

// newMeteredPeer returns a peer running the "test" protocol at offset 16
// with the traffic counters of tm, as launchPeer sets it up.
func newMeteredPeer(tm *trafficMetrics) *Peer {
	m := &serverMetrics{traffic: tm}
	p := &Peer{running: []protoRW{{Protocol: echoProto("test", 1, nil), offset: baseProtocolLength}}}
	m.attachTraffic(p)
	return p
}

// TestTrafficCounts: messages count under their protocol and code, the
// base protocol's under "p2p", and codes of no protocol under "other".
func TestTrafficCounts(t *testing.T) {
	tm := newTrafficMetrics([]Protocol{echoProto("test", 1, nil), echoProto("test", 2, nil)})
	p := newMeteredPeer(tm)
	p.countIn(baseProtocolLength+3, 10) // test code 3
	p.countOut(baseProtocolLength+3, 5)
	p.countIn(pingMsg, 1)
	p.countIn(baseProtocolLength+4, 7) // past test's Length 4
	p.countIn(1<<40, 7)
	for _, c := range []struct {
		dir, proto, code string
		msgs, bytes      float64
	}{
		{labelInbound, "test", "3", 1, 10},
		{labelOutbound, "test", "3", 1, 5},
		{labelInbound, baseProtocolName, "2", 1, 1},
		{labelInbound, labelOther, labelOther, 2, 14},
	} {
		msgs := testutil.ToFloat64(tm.msgs.WithLabelValues(c.dir, c.proto, c.code))
		bytes := testutil.ToFloat64(tm.bytes.WithLabelValues(c.dir, c.proto, c.code))
		if msgs != c.msgs || bytes != c.bytes {
			t.Errorf("%s %s/%s: %v msgs %v bytes, want %v and %v", c.dir, c.proto, c.code, msgs, bytes, c.msgs, c.bytes)
		}
	}
	// Series exist only for the fixed set: p2p 0-15, test 0-3 (both
	// versions share the name), and "other", each in and out.
	if n := testutil.CollectAndCount(tm.msgs); n != 2*(16+1)+2*(4+1)+2 {
		t.Errorf("%d message series", n)
	}
}

// BenchmarkTrafficCount is what metrics add to each message on a session:
// finding the protocol and two counter additions, one message in and one
// out per op.
func BenchmarkTrafficCount(b *testing.B) {
	p := newMeteredPeer(newTrafficMetrics([]Protocol{echoProto("test", 1, nil)}))
	b.ReportAllocs()
	for b.Loop() {
		p.countIn(baseProtocolLength+1, 100)
		p.countOut(baseProtocolLength, 100)
	}
}
