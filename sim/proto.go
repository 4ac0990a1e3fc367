package sim

import (
	"encoding/binary"
	"hash/fnv"
	"time"
)

// cost counts the datagrams and bytes spent on behalf of one lookup.
type cost struct{ packets, bytes int }

// latency is the fixed one-way latency of the link between a and b, derived
// from the seed and the pair so that it needs no storage.
func (m *model) latency(a, b int32) int64 {
	if a > b {
		a, b = b, a
	}
	h := fnv.New64a()
	var buf [16]byte
	binary.LittleEndian.PutUint64(buf[:], uint64(m.cfg.Seed))
	binary.LittleEndian.PutUint32(buf[8:], uint32(a))
	binary.LittleEndian.PutUint32(buf[12:], uint32(b))
	h.Write(buf[:])
	span := int64(m.cfg.LatencyMax - m.cfg.LatencyMin)
	if span == 0 {
		return int64(m.cfg.LatencyMin)
	}
	return int64(m.cfg.LatencyMin) + int64(h.Sum64()%uint64(span))
}

// crosses reports whether a link between a and b is cut by the partition:
// the halves are the lower and upper half of the address space.
func (m *model) crosses(a, b int32) bool {
	return m.partitioned && m.half(a) != m.half(b)
}

func (m *model) half(n int32) bool {
	return m.nodes[n].ip.As4()[0] >= m.splitOctet
}

// send sends a datagram of size bytes from a to b; deliver runs at b when it
// arrives. Loss, the partition, b being offline and b's NAT drop it.
func (m *model) send(a, b int32, size int, c *cost, deliver func()) {
	m.packets++
	m.bytes += int64(size)
	if c != nil {
		c.packets++
		c.bytes += size
	}
	m.nodes[a].sentTo[b] = m.now
	if m.rand.Float64() < m.cfg.Loss || m.crosses(a, b) {
		return
	}
	gen := m.nodes[b].gen
	m.after(m.latency(a, b), func() {
		nb := &m.nodes[b]
		if !nb.online || nb.gen != gen || m.crosses(a, b) {
			return
		}
		if !nb.reachable {
			if at, ok := nb.sentTo[a]; !ok || m.now-at > int64(m.cfg.NATWindow) {
				return // no NAT mapping for a
			}
		}
		deliver()
	})
}

// ping sends PING from a to b; done (if not nil) learns whether PONG came
// back within respTimeout. b answers, and pings a back when a's endpoint is
// not proven to it, as discv4 does; both add each other to their tables
// once proven.
func (m *model) ping(a, b int32, c *cost, done func(bool)) {
	gen := m.nodes[a].gen
	answered := false
	finish := func(ok bool) {
		if answered {
			return
		}
		answered = true
		if done != nil && m.alive(a, gen) {
			done(ok)
		}
	}
	m.send(a, b, m.sizes.ping, c, func() {
		m.nodes[b].pingedBy[a] = m.now
		m.send(b, a, m.sizes.pong, c, func() {
			if !m.alive(a, gen) {
				return
			}
			na := &m.nodes[a]
			na.proofs[b] = m.now
			na.db[b] = m.now
			if !na.sybil {
				m.add(a, b)
			}
			finish(true)
		})
		nb := &m.nodes[b]
		if nb.sybil {
			return // Sybils only need to be known, not to know
		}
		if at, ok := nb.proofs[a]; ok && m.now-at < bondExpiration {
			m.add(b, a)
			return
		}
		m.ping(b, a, c, nil)
	})
	m.after(respTimeout, func() { finish(false) })
}

// findnode asks b for the nodes closest to target, bonding first when b
// has not pinged a recently (b ignores FINDNODE from unproven senders).
// done gets the answer, or ok=false after a timeout.
func (m *model) findnode(a, b int32, target [32]byte, c *cost, done func(ns []int32, ok bool)) {
	gen := m.nodes[a].gen
	if at, ok := m.nodes[a].pingedBy[b]; !ok || m.now-at >= bondExpiration {
		m.ping(a, b, c, func(ok bool) {
			if !ok {
				done(nil, false)
				return
			}
			// Give b's ping back and our pong time to land, as discv4's
			// ensureBond waits for the remote's ping.
			m.after(2*m.latency(a, b)+int64(time.Millisecond), func() {
				if m.alive(a, gen) {
					m.sendFindnode(a, b, target, c, done)
				}
			})
		})
		return
	}
	m.sendFindnode(a, b, target, c, done)
}

func (m *model) sendFindnode(a, b int32, target [32]byte, c *cost, done func([]int32, bool)) {
	gen := m.nodes[a].gen
	answered := false
	m.send(a, b, m.sizes.findnode, c, func() {
		nb := &m.nodes[b]
		var ns []int32
		if nb.sybil {
			ns = m.sybilAnswer(target)
		} else {
			if at, ok := nb.proofs[a]; !ok || m.now-at >= bondExpiration {
				return // unproven sender: no answer
			}
			ns = m.closest(b, target, bucketSize)
		}
		size, packets := m.sizes.neighborsBytes(len(ns))
		// The packets of one answer travel together; count them all.
		m.packets += int64(packets - 1)
		if c != nil {
			c.packets += packets - 1
		}
		m.send(b, a, size, c, func() {
			if answered || !m.alive(a, gen) {
				return
			}
			answered = true
			done(ns, true)
		})
	})
	m.after(respTimeout, func() {
		if !answered && m.alive(a, gen) {
			answered = true
			done(nil, false)
		}
	})
}

// sybilAnswer is the Sybils' lie: the online Sybils closest to target.
func (m *model) sybilAnswer(target [32]byte) []int32 {
	var on []int32
	for _, s := range m.sybils {
		if m.nodes[s].online {
			on = append(on, s)
		}
	}
	m.sortByDistance(on, target)
	if len(on) > bucketSize {
		on = on[:bucketSize]
	}
	return on
}
