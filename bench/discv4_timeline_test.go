package bench

import (
	"fmt"
	"net/netip"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/discover/v4wire"
)

// TestDiscv4LookupTimeline (run with DISCV4_TIMELINE=1) shows where the wall
// time of the discv4 lookup pair goes: for 30 lookups on each side, every
// FINDNODE node 0 sends, when the last NEIGHBORS packet of its answer was
// written, how many nodes came back, and the other packets node 0 sent or
// got meanwhile (pings, pongs: bonding). It prints the slow lookups in full
// and, per side, percentiles of lookup and FINDNODE round-trip times and
// the count of short answers (fewer than 16 nodes).
func TestDiscv4LookupTimeline(t *testing.T) {
	if os.Getenv("DISCV4_TIMELINE") == "" {
		t.Skip("set DISCV4_TIMELINE=1")
	}
	for _, side := range []string{"ours", "geth"} {
		var n *discv4Net
		if side == "ours" {
			n = buildOurDiscv4Net(nil)
		} else {
			n = buildGethDiscv4Net(nil)
		}
		n.targets = discv4Targets()
		lookupTimeline(t, side, n)
	}
}

type timelineEvent struct {
	at     time.Duration
	out    bool
	peer   netip.AddrPort
	kind   byte
	nnodes int
}

type timelineQuery struct {
	sent, last time.Duration
	nodes      int
	pkts       int
}

func lookupTimeline(t *testing.T, side string, n *discv4Net) {
	var (
		mu     sync.Mutex
		events []timelineEvent
		start  time.Time
	)
	self := n.conn0.AddrPort()
	n.nw.SetTap(func(from, to netip.AddrPort, b []byte) {
		if from != self && to != self {
			return
		}
		ev := timelineEvent{out: from == self, peer: from}
		if ev.out {
			ev.peer = to
		}
		if len(b) > 97 {
			ev.kind = b[97]
		}
		if ev.kind == v4wire.NeighborsPacket {
			if p, _, _, err := v4wire.Decode(b); err == nil {
				ev.nnodes = len(p.(*v4wire.Neighbors).Nodes)
			}
		}
		mu.Lock()
		ev.at = time.Since(start)
		events = append(events, ev)
		mu.Unlock()
	})
	defer n.nw.SetTap(nil)
	var walls, rtts []time.Duration
	short := 0
	for i := range 30 {
		mu.Lock()
		events, start = events[:0], time.Now()
		mu.Unlock()
		n.lookup(n.targets[i%len(n.targets)])
		mu.Lock()
		wall, evs := time.Since(start), slices.Clone(events)
		mu.Unlock()
		walls = append(walls, wall)

		qs := map[netip.AddrPort]*timelineQuery{}
		var order []netip.AddrPort
		other := map[string]int{}
		for _, e := range evs {
			switch {
			case e.out && e.kind == v4wire.FindnodePacket:
				qs[e.peer] = &timelineQuery{sent: e.at, last: -1}
				order = append(order, e.peer)
			case !e.out && e.kind == v4wire.NeighborsPacket && qs[e.peer] != nil:
				q := qs[e.peer]
				q.last, q.nodes, q.pkts = e.at, q.nodes+e.nnodes, q.pkts+1
			default:
				dir := "in"
				if e.out {
					dir = "out"
				}
				other[fmt.Sprintf("%s:%d", dir, e.kind)]++
			}
		}
		line := fmt.Sprintf("%s lookup %d: %.1f ms, %d findnodes, other packets (direction:type) %v", side, i, ms(wall), len(order), other)
		for _, p := range order {
			q := qs[p]
			rtt := time.Duration(-1)
			if q.last >= 0 {
				rtt = q.last - q.sent
				rtts = append(rtts, rtt)
			}
			if q.nodes < 16 {
				short++
			}
			line += fmt.Sprintf("\n    %-18v sent %6.1f  answered %6.1f  rtt %6.2f  nodes %2d in %d packets", p, ms(q.sent), ms(q.last), ms(rtt), q.nodes, q.pkts)
		}
		if wall > 50*time.Millisecond {
			t.Log(line)
		}
	}
	slices.Sort(walls)
	slices.Sort(rtts)
	pct := func(d []time.Duration, p int) float64 { return ms(d[min(len(d)-1, len(d)*p/100)]) }
	t.Logf("%s: lookup p10 %.1f p50 %.1f p90 %.1f max %.1f ms; findnode rtt p50 %.2f p90 %.2f max %.2f ms; short answers %d of %d",
		side, pct(walls, 10), pct(walls, 50), pct(walls, 90), ms(walls[len(walls)-1]),
		pct(rtts, 50), pct(rtts, 90), ms(rtts[len(rtts)-1]), short, len(rtts))
}

func ms(d time.Duration) float64 { return float64(d) / 1e6 }
