package sim

import (
	"context"
	"math/rand/v2"
	"slices"
	"sync"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/v4wire"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

// lookupOutcome is one finished measurement lookup.
type lookupOutcome struct {
	found            int   // of the true closest
	want             int   // size of the true closest set (BucketSize unless the network is smaller)
	packets, bytes   int64 // through the asking node while the lookup ran
	simTime, started mclock.AbsTime
}

// lookupProbe starts lookups for random targets from random started nodes
// and collects their outcomes. Its methods are called by the run's loop;
// the lookups run in their own goroutines.
type lookupProbe struct {
	rnd   *rand.Rand
	clock *mclock.Simulated
	ctx   context.Context

	wg   sync.WaitGroup
	mu   sync.Mutex
	done []lookupOutcome // finished since the last take
}

// launch starts count lookups from nodes[:started], each compared with the
// true closest reachable started nodes at launch time.
func (p *lookupProbe) launch(nodes []*discNode, started, count int) {
	for range count {
		asker := nodes[p.rnd.IntN(started)]
		var target v4wire.Pubkey
		for i := 0; i < len(target); i += 8 {
			v := p.rnd.Uint64()
			for j := range 8 {
				target[i+j] = byte(v >> (8 * j))
			}
		}
		truth := trueClosest(nodes[:started], asker, target.ID(), discover.BucketSize)
		p.wg.Add(1)
		go func() {
			defer p.wg.Done()
			start := p.clock.Now()
			pk0, by0 := asker.conn.traffic()
			res := asker.udp.LookupPubkey(p.ctx, target)
			pk1, by1 := asker.conn.traffic()
			if p.ctx.Err() != nil {
				return // cut short by the end of the run: not a measure
			}
			out := lookupOutcome{want: len(truth), packets: pk1 - pk0, bytes: by1 - by0, started: start, simTime: p.clock.Now()}
			for _, n := range res {
				if truth[n.ID()] {
					out.found++
				}
			}
			p.mu.Lock()
			p.done = append(p.done, out)
			p.mu.Unlock()
		}()
	}
}

// take returns the outcomes finished since the last call.
func (p *lookupProbe) take() []lookupOutcome {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := p.done
	p.done = nil
	return out
}

// trueClosest returns the IDs of the k nodes closest to target by XOR
// distance among the reachable ones, asker excluded (a lookup never
// returns its own node; nodes behind a NAT cannot answer a stranger).
func trueClosest(nodes []*discNode, asker *discNode, target enode.ID, k int) map[enode.ID]bool {
	closest := make([]enode.ID, 0, k+1)
	for _, n := range nodes {
		if !n.reachable || n == asker {
			continue
		}
		if len(closest) == k && enode.DistCmp(target, n.id, closest[k-1]) >= 0 {
			continue
		}
		i, _ := slices.BinarySearchFunc(closest, n.id, func(a, b enode.ID) int { return enode.DistCmp(target, a, b) })
		closest = slices.Insert(closest, i, n.id)
		if len(closest) > k {
			closest = closest[:k]
		}
	}
	set := make(map[enode.ID]bool, len(closest))
	for _, id := range closest {
		set[id] = true
	}
	return set
}
