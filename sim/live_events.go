package sim

import (
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// scheduleScenario puts the config's churn, partition and restart on the
// event list.
func (n *liveNet) scheduleScenario() {
	cfg := n.cfg
	if c := cfg.Churn; c.LeavePerHour > 0 || c.JoinPerHour > 0 {
		n.scheduleChurn(c)
	}
	if p := cfg.Partition; p.At > 0 {
		n.at(p.At, n.cut)
		n.at(p.Heal, func() {
			n.fab.SetPartition(nil)
			n.partitioned = false
		})
	}
	if r := cfg.Restart; r.At > 0 {
		n.at(r.At, func() { n.restart(r) })
	}
}

// scheduleChurn runs leaves and joins as Poisson processes whose rates
// follow the number of honest servers online.
func (n *liveNet) scheduleChurn(c LiveChurn) {
	perNs := func(perHour float64) float64 { return perHour / float64(time.Hour) * float64(max(1, len(n.online()))) }
	next := func(perHour float64) time.Duration {
		return time.Duration(n.rnd.ExpFloat64() / perNs(perHour))
	}
	over := func() bool { return c.Until > 0 && time.Duration(n.clock.Now()) >= c.Until }
	if c.LeavePerHour > 0 {
		var leave func()
		leave = func() {
			if over() {
				return
			}
			var cands []*liveHost
			for _, h := range n.online() {
				if !h.boot {
					cands = append(cands, h)
				}
			}
			if len(cands) > 0 {
				n.stop(cands[n.rnd.IntN(len(cands))])
			}
			n.at(time.Duration(n.clock.Now())+next(c.LeavePerHour), leave)
		}
		n.at(c.From+next(c.LeavePerHour), leave)
	}
	if c.JoinPerHour > 0 {
		var join func()
		join = func() {
			if over() {
				return
			}
			h, err := n.newHost(false)
			if err == nil {
				err = n.start(h, n.boot)
			}
			if err != nil {
				n.fail(err)
				return
			}
			n.at(time.Duration(n.clock.Now())+next(c.JoinPerHour), join)
		}
		n.at(c.From+next(c.JoinPerHour), join)
	}
}

// cut splits off Partition.Share of the non-boot servers (see LivePartition).
func (n *liveNet) cut() {
	var cands []*liveHost
	for _, h := range n.hosts {
		if !h.boot {
			cands = append(cands, h)
		}
	}
	n.rnd.Shuffle(len(cands), func(i, j int) { cands[i], cands[j] = cands[j], cands[i] })
	island := make(map[netip.Addr]bool)
	for _, h := range cands[:int(n.cfg.Partition.Share*float64(len(cands))+0.5)] {
		h.island = true
		island[h.ip] = true
	}
	n.partitioned = true
	if n.cfg.Partition.Isolate {
		n.fab.SetPartition(func(a, b netip.Addr) bool { return island[a] || island[b] })
	} else {
		n.fab.SetPartition(func(a, b netip.Addr) bool { return island[a] != island[b] })
	}
}

// restart stops Restart.Fraction of the non-boot servers (and with
// BootnodesDown the bootnodes, for good) and brings them back Down later.
func (n *liveNet) restart(r LiveRestart) {
	var down []*liveHost
	for _, h := range n.online() {
		switch {
		case h.boot:
			if r.BootnodesDown {
				n.stop(h)
			}
		case n.rnd.Float64() < r.Fraction:
			down = append(down, h)
			n.stop(h)
		}
	}
	n.awaitStops(down)
	boot := n.boot
	if r.BootnodesDown {
		boot = nil
		n.boot = nil // joiners after this have no bootnodes either
	}
	n.at(r.At+r.Down, func() { n.bringBack(down, boot, r.Cold) })
}

// bringBack starts the hosts again once their old servers have stopped
// (their database file and addresses are free only then; restart waited
// for that already, this is the safety net); until then it tries again a
// clock step later.
func (n *liveNet) bringBack(hosts []*liveHost, boot []*enode.Node, cold bool) {
	for _, h := range hosts {
		select {
		case <-h.stopped:
		default:
			n.at(time.Duration(n.clock.Now())+n.cfg.Step, func() { n.bringBack(hosts, boot, cold) })
			return
		}
	}
	for _, h := range hosts {
		if cold && h.db != "" {
			h.db += "-cold" // a database of its own that starts empty
		}
	}
	if err := n.startMany(hosts, boot, nil); err != nil {
		n.fail(err)
	}
}

// awaitStops waits for the hosts' servers to stop, moving the clock by
// small steps only while it waits: Stop waits for the servers' goroutines
// and their databases, which take real time, and may wait for timers. The
// driver's long idle steps would otherwise burn simulated time meanwhile.
func (n *liveNet) awaitStops(hosts []*liveHost) {
	for _, h := range hosts {
		for stopped := false; !stopped; {
			select {
			case <-h.stopped:
				stopped = true
			case <-time.After(5 * time.Millisecond):
				n.clock.Run(n.cfg.Step)
			}
		}
	}
}
