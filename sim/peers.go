package sim

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
	if nd.dialed+nd.dialing >= m.maxDialed() || nd.dialing >= maxDialsRunning {
		return
	}
	cands := m.entries(n)
	if len(cands) == 0 {
		return
	}
	// The Server's candidates come from random lookups' results; a random
	// table entry is what those yield on average.
	for tries := 0; tries < 3 && nd.dialed+nd.dialing < m.maxDialed(); tries++ {
		c := cands[m.rand.IntN(len(cands))]
		if _, ok := nd.peers[c]; ok {
			continue
		}
		m.connect(n, c)
	}
}

func (m *model) connect(a, b int32) {
	na := &m.nodes[a]
	na.dialing++
	genA, genB := na.gen, m.nodes[b].gen
	m.after(6*m.latency(a, b), func() {
		if !m.alive(a, genA) {
			return
		}
		na := &m.nodes[a]
		na.dialing--
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
