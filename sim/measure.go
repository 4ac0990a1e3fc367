package sim

import (
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// Sample is one row of measures, taken at Time over the honest nodes
// online then. Rates and lookup figures cover the interval since the
// previous sample.
type Sample struct {
	Time        time.Duration
	Online      int     // honest nodes online
	PeersK      float64 // share of them with ≥ PeersK peers
	MeanPeers   float64
	TableFill   float64 // mean live table entries
	Lookups     int     // measurement lookups that ended in the interval
	LookupFound float64 // mean share of the true 16 closest reachable honest nodes they found
	LookupAll16 float64 // share of those lookups that found all 16

	PacketsPerLookup, BytesPerLookup   float64
	PacketsPerNodeSec, BytesPerNodeSec float64

	HonestPeerShare  float64 // honest share of the honest nodes' peers
	HonestTableShare float64 // honest share of their table entries
	Partitioned      bool
}

// sampleStats accumulates between two samples.
type sampleStats struct {
	packets, bytes      int64
	lookups             int
	found, all16        float64
	lookupPkts, lkBytes int64
}

// sample takes the measures now and resets the interval's counters.
func (m *model) sample() Sample {
	s := Sample{Time: time.Duration(m.now), Partitioned: m.partitioned}
	var peers, honestPeers, entries, honestEntries, withK int
	for i := range m.nodes {
		nd := &m.nodes[i]
		if !nd.online || nd.sybil {
			continue
		}
		s.Online++
		peers += len(nd.peers)
		if len(nd.peers) >= m.cfg.PeersK {
			withK++
		}
		for p := range nd.peers {
			if !m.nodes[p].sybil {
				honestPeers++
			}
		}
		for _, e := range m.entries(int32(i)) {
			entries++
			if !m.nodes[e].sybil {
				honestEntries++
			}
		}
	}
	st := &m.sampleStats
	if s.Online > 0 {
		s.PeersK = float64(withK) / float64(s.Online)
		s.MeanPeers = float64(peers) / float64(s.Online)
		s.TableFill = float64(entries) / float64(s.Online)
		secs := float64(m.cfg.Sample) / float64(time.Second)
		s.PacketsPerNodeSec = float64(st.packets) / float64(s.Online) / secs
		s.BytesPerNodeSec = float64(st.bytes) / float64(s.Online) / secs
	}
	s.HonestPeerShare = ratio(honestPeers, peers)
	s.HonestTableShare = ratio(honestEntries, entries)
	if st.lookups > 0 {
		s.Lookups = st.lookups
		s.LookupFound = st.found / float64(st.lookups)
		s.LookupAll16 = st.all16 / float64(st.lookups)
		s.PacketsPerLookup = float64(st.lookupPkts) / float64(st.lookups)
		s.BytesPerLookup = float64(st.lkBytes) / float64(st.lookups)
	}
	m.sampleStats = sampleStats{}
	return s
}

func ratio(a, b int) float64 {
	if b == 0 {
		return 1
	}
	return float64(a) / float64(b)
}

// startMeasureLookups starts Config.Lookups lookups for random targets from
// random honest nodes. When one ends, its result is compared with the true
// 16 closest honest nodes online at that moment, from the global list.
func (m *model) startMeasureLookups() {
	for range m.cfg.Lookups {
		n, ok := m.randomHonest(true)
		if !ok {
			return
		}
		m.lookup(n, m.randomID(), func(l *lookupState) {
			truth := m.trueClosest(l.target, l.self)
			got := make(map[int32]bool, len(l.result))
			for _, r := range l.result {
				got[r] = true
			}
			hit := 0
			for _, t := range truth {
				if got[t] {
					hit++
				}
			}
			st := &m.sampleStats
			st.lookups++
			if len(truth) > 0 {
				st.found += float64(hit) / float64(len(truth))
			}
			if hit == len(truth) {
				st.all16++
			}
			st.lookupPkts += int64(l.cost.packets)
			st.lkBytes += int64(l.cost.bytes)
		})
	}
}

// trueClosest returns the 16 online, honest and reachable nodes closest to
// target, other than self (a node behind a NAT cannot stay in tables, so no
// lookup can be expected to find it), by scanning every node while keeping a sorted top 16.
func (m *model) trueClosest(target enode.ID, self int32) []int32 {
	top := make([]int32, 0, bucketSize+1)
	for i := range m.nodes {
		nd := &m.nodes[i]
		if !nd.online || nd.sybil || !nd.reachable || int32(i) == self {
			continue
		}
		if len(top) == bucketSize && enode.DistCmp(target, nd.id, m.nodes[top[bucketSize-1]].id) >= 0 {
			continue
		}
		j := len(top)
		top = append(top, int32(i))
		for j > 0 && enode.DistCmp(target, m.nodes[top[j]].id, m.nodes[top[j-1]].id) < 0 {
			top[j], top[j-1] = top[j-1], top[j]
			j--
		}
		if len(top) > bucketSize {
			top = top[:bucketSize]
		}
	}
	return top
}
