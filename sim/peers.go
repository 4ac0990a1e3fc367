package sim

import "slices"

// The peer model: each honest node dials candidates from its table until a
// third of MaxPeers are dialed (the Server's DialRatio 3) and accepts
// inbound connections up to the rest. A connection takes a TCP and RLPx
// round trip plus Hello (three round trips); unreachable nodes refuse
// inbound connections; Sybils accept every connection.

func (m *model) maxDialed() int  { return m.cfg.MaxPeers / 3 }
func (m *model) maxInbound() int { return m.cfg.MaxPeers - m.maxDialed() }

// dial starts dials from n while it has free dial slots.
func (m *model) dial(n int32) {
	nd := &m.nodes[n]
	if nd.dialed+len(nd.dials) >= m.maxDialed() || len(nd.dials) >= maxDialsRunning {
		return
	}
	cands := m.entries(n)
	if len(cands) == 0 {
		return
	}
	// The Server's candidates come from random lookups' results; a random
	// table entry is what those yield on average.
	for tries := 0; tries < 3 && nd.dialed+len(nd.dials) < m.maxDialed(); tries++ {
		c := cands[m.rand.IntN(len(cands))]
		if _, ok := nd.peers[c]; ok || slices.Contains(nd.dials, c) || !m.dialGuard(n, c) {
			continue
		}
		m.connect(n, c)
	}
}

// dialGuard is the dial scheduler's subnet guard: c is not dialed while
// its subnet or provider block already holds DialPerSubnet or DialPerWide
// of n's peers and dials.
func (m *model) dialGuard(n, c int32) bool {
	s, w := m.subnetOf(c), m.wideOf(c)
	inSubnet, inWide := 0, 0
	for p := range m.nodes[n].peers {
		if m.subnetOf(p) == s {
			inSubnet++
		}
		if m.wideOf(p) == w {
			inWide++
		}
	}
	for _, d := range m.nodes[n].dials {
		if m.subnetOf(d) == s {
			inSubnet++
		}
		if m.wideOf(d) == w {
			inWide++
		}
	}
	return inSubnet < m.cfg.Limits.DialPerSubnet && inWide < m.cfg.Limits.DialPerWide
}

func (m *model) connect(a, b int32) {
	na := &m.nodes[a]
	na.dials = append(na.dials, b)
	genA, genB := na.gen, m.nodes[b].gen
	m.after(6*m.latency(a, b), func() {
		if !m.alive(a, genA) {
			return
		}
		na := &m.nodes[a]
		if i := slices.Index(na.dials, b); i >= 0 {
			na.dials = slices.Delete(na.dials, i, i+1)
		}
		nb := &m.nodes[b]
		if !m.alive(b, genB) || !nb.reachable || m.crosses(a, b) || na.peers[b] || nb.peers[a] {
			return
		}
		if !nb.sybil && len(nb.peers)-nb.dialed >= m.maxInbound() {
			return // DiscTooManyPeers
		}
		if na.dialed >= m.maxDialed() {
			return
		}
		na.peers[b] = true
		na.dialed++
		nb.peers[a] = false
	})
}

// dropPeers cuts n's connections to the peers for which cut returns true.
func (m *model) dropPeers(n int32, cut func(p int32) bool) {
	nd := &m.nodes[n]
	for p, dialedByUs := range nd.peers {
		if !cut(p) {
			continue
		}
		delete(nd.peers, p)
		if dialedByUs {
			nd.dialed--
		}
		np := &m.nodes[p]
		if np.peers[n] {
			np.dialed--
		}
		delete(np.peers, n)
	}
}
