package sim

import (
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// sample measures the honest servers that run now (Time and traffic are
// the caller's).
func (n *liveNet) sample() LiveSample {
	hosts := n.online()
	s := LiveSample{Online: len(hosts), Partitioned: n.partitioned}
	if len(hosts) == 0 {
		return s
	}
	index := make(map[enode.ID]int, len(hosts))
	for i, h := range hosts {
		index[h.srv.Self().ID()] = i
	}
	comp := newUnionFind(len(hosts))
	target := n.cfg.MaxPeers / 3
	var peers, honestPeers, withK, reached, entries, honestEntries int
	for i, h := range hosts {
		ps := h.srv.Peers()
		peers += len(ps)
		if len(ps) >= n.cfg.PeersK {
			withK++
		}
		if len(ps) >= target {
			reached++
		}
		for _, p := range ps {
			if !n.sybIDs[p.ID()] {
				honestPeers++
			}
			if j, ok := index[p.ID()]; ok {
				comp.union(i, j)
			}
		}
		if d := h.srv.DiscV4(); d != nil {
			for _, e := range d.Table().Nodes() {
				entries++
				if !n.sybIDs[e.ID()] {
					honestEntries++
				}
			}
		}
	}
	c := float64(len(hosts))
	s.PeersK = float64(withK) / c
	s.MeanPeers = float64(peers) / c
	s.TargetReached = float64(reached) / c
	s.TableFill = float64(entries) / c
	s.HonestPeerShare = ratio(honestPeers, peers)
	s.HonestTableShare = ratio(honestEntries, entries)
	s.Connected = float64(comp.largest()) / c
	return s
}

// unionFind groups servers into the components of the peer graph.
type unionFind []int

func newUnionFind(n int) unionFind {
	u := make(unionFind, n)
	for i := range u {
		u[i] = i
	}
	return u
}

func (u unionFind) find(i int) int {
	for u[i] != i {
		u[i] = u[u[i]]
		i = u[i]
	}
	return i
}

func (u unionFind) union(a, b int) { u[u.find(a)] = u.find(b) }

func (u unionFind) largest() int {
	size := make(map[int]int)
	best := 0
	for i := range u {
		r := u.find(i)
		size[r]++
		best = max(best, size[r])
	}
	return best
}

// LiveSummary condenses a live run's samples. Times are simulated; -1
// means "not in this run".
type LiveSummary struct {
	Final LiveSample
	// Formed is when the network first counted as formed: at least
	// FormedPeersK of the servers with ≥ PeersK peers, and all of them in
	// one component of the peer graph. For a run that starts from
	// bootnodes it is the cold start time.
	Formed time.Duration
	// Disrupted is when the scenario's disruption ended: the heal of a
	// partition, or the restart of the stopped servers.
	Disrupted time.Duration
	// Recovery is how long after Disrupted the network first counted as
	// formed again.
	Recovery time.Duration
	// MinHonestPeerShare and MinHonestTableShare are the lowest honest
	// shares over the samples after the first minute with a server
	// online (while tables fill, a handful of entries makes the share
	// jump).
	MinHonestPeerShare, MinHonestTableShare float64
}

// FormedPeersK is the share of servers with ≥ PeersK peers at which
// LiveSummary counts the network as formed.
const FormedPeersK = 0.9

func formed(s LiveSample) bool { return s.Online > 0 && s.PeersK >= FormedPeersK && s.Connected >= 1 }

func summarizeLive(cfg LiveConfig, samples []LiveSample) LiveSummary {
	sum := LiveSummary{Formed: -1, Disrupted: -1, Recovery: -1, MinHonestPeerShare: 1, MinHonestTableShare: 1}
	if len(samples) == 0 {
		return sum
	}
	sum.Final = samples[len(samples)-1]
	for _, s := range samples {
		if formed(s) {
			sum.Formed = s.Time
			break
		}
	}
	switch {
	case cfg.Partition.At > 0 && cfg.Partition.Heal <= cfg.Duration:
		sum.Disrupted = cfg.Partition.Heal
	case cfg.Restart.At > 0 && cfg.Restart.At+cfg.Restart.Down <= cfg.Duration:
		sum.Disrupted = cfg.Restart.At + cfg.Restart.Down
	}
	if sum.Disrupted >= 0 {
		for _, s := range samples {
			if s.Time >= sum.Disrupted && formed(s) {
				sum.Recovery = s.Time - sum.Disrupted
				break
			}
		}
	}
	for _, s := range samples {
		if s.Time < time.Minute || s.Online == 0 {
			continue
		}
		sum.MinHonestPeerShare = min(sum.MinHonestPeerShare, s.HonestPeerShare)
		sum.MinHonestTableShare = min(sum.MinHonestTableShare, s.HonestTableShare)
	}
	return sum
}
