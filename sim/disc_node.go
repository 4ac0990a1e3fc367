package sim

import (
	"encoding/binary"
	"fmt"
	"math/rand/v2"
	"net"
	"net/netip"
	"sync/atomic"
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/discover"
	v4 "github.com/devp2p-go/devp2p/discover/v4"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/nodedb"
)

// discPort is the UDP port of every simulated discovery node; nodes differ
// by IP address.
const discPort = 30303

// discNode is one discovery node of a RunDiscovery network: its identity
// and address are fixed before the run, its engine exists once started.
type discNode struct {
	key       []byte // private key scalar
	id        enode.ID
	ip        netip.Addr
	reachable bool // not behind a NAT

	udp  *v4.UDPv4 // nil until started
	db   *nodedb.DB
	conn *linkConn
}

// planNodes draws the identities and addresses of n nodes from rnd: the
// same seed gives the same nodes.
func planNodes(cfg DiscoveryConfig, rnd *rand.Rand) ([]*discNode, error) {
	nodes := make([]*discNode, cfg.Nodes)
	used := make(map[netip.Addr]bool, cfg.Nodes)
	for i := range nodes {
		key, err := drawKey(rnd)
		if err != nil {
			return nil, err
		}
		priv, err := crypto.ToECDSA(key)
		if err != nil {
			return nil, err
		}
		ip := drawIP(rnd, cfg.Subnets, used)
		used[ip] = true
		nodes[i] = &discNode{
			key:       key,
			id:        enode.PubkeyToIDV4(&priv.PublicKey),
			ip:        ip,
			reachable: i < cfg.Bootnodes || rnd.Float64() >= cfg.Unreachable,
		}
	}
	return nodes, nil
}

// drawKey returns a valid secp256k1 scalar drawn from rnd.
func drawKey(rnd *rand.Rand) ([]byte, error) {
	for range 100 {
		var k [32]byte
		for i := 0; i < 32; i += 8 {
			v := rnd.Uint64()
			for j := range 8 {
				k[i+j] = byte(v >> (8 * j))
			}
		}
		if _, err := crypto.ToECDSA(k[:]); err == nil {
			return k[:], nil
		}
	}
	return nil, fmt.Errorf("sim: no valid key in 100 draws")
}

// drawIP picks an unused host address (not the network or broadcast
// address) in one of the prefixes.
func drawIP(rnd *rand.Rand, prefixes []netip.Prefix, used map[netip.Addr]bool) netip.Addr {
	for {
		p := prefixes[rnd.IntN(len(prefixes))].Masked()
		a := p.Addr().As4()
		base := uint32(a[0])<<24 | uint32(a[1])<<16 | uint32(a[2])<<8 | uint32(a[3])
		size := uint32(1) << (32 - p.Bits())
		ip := ipFromUint(base + 1 + rnd.Uint32N(size-2))
		if !used[ip] {
			return ip
		}
	}
}

// start runs the node's engine on fab with boot as its bootnodes.
func (n *discNode) start(cfg *DiscoveryConfig, fab *Fabric, clock *mclock.Simulated, boot []*enode.Node) error {
	priv, err := crypto.ToECDSA(n.key)
	if err != nil {
		return err
	}
	if !n.reachable {
		fab.SetUnreachable(n.ip)
	}
	if !cfg.NoNodeDB {
		n.db, err = nodedb.Open(nodedb.Config{Self: n.id, Clock: clock, Logger: cfg.Logger})
		if err != nil {
			return err
		}
	}
	var ldb enode.LocalDB
	if n.db != nil {
		ldb = n.db
	}
	ln := enode.NewLocalNodeWithClock(ldb, priv, clock)
	ln.SetStaticIP(net.IP(n.ip.AsSlice()))
	ln.SetFallbackUDP(discPort)
	pc, err := fab.ListenUDP(netip.AddrPortFrom(n.ip, discPort))
	if err != nil {
		n.closeDB()
		return err
	}
	n.conn = &linkConn{PacketConn: pc}
	n.udp, err = v4.ListenV4(n.conn, ln, v4.Config{
		PrivateKey:  priv,
		TableConfig: discover.TableConfig{DB: n.db, Bootnodes: boot, NewNodeCheck: cfg.NewNodeCheck},
		Clock:       clock,
		Logger:      cfg.Logger,
	})
	if err != nil {
		n.conn.Close()
		n.closeDB()
		return err
	}
	return nil
}

// stop ends the engine (it closes the socket) and the database.
func (n *discNode) stop() {
	if n.udp != nil {
		n.udp.Close()
	}
	n.closeDB()
}

func (n *discNode) closeDB() {
	if n.db != nil {
		n.db.Close()
		n.db = nil
	}
}

// linkConn is a node's socket on the fabric. It counts the datagrams and
// bytes the node sends and receives, for the cost of its lookups; the
// fabric delays them by the latency of the link.
type linkConn struct {
	devp2p.PacketConn
	packets, bytes atomic.Int64
}

func (c *linkConn) ReadFromUDPAddrPort(b []byte) (int, netip.AddrPort, error) {
	n, from, err := c.PacketConn.ReadFromUDPAddrPort(b)
	if err == nil {
		c.packets.Add(1)
		c.bytes.Add(int64(n))
	}
	return n, from, err
}

func (c *linkConn) WriteToUDPAddrPort(b []byte, to netip.AddrPort) (int, error) {
	n, err := c.PacketConn.WriteToUDPAddrPort(b, to)
	if err == nil {
		c.packets.Add(1)
		c.bytes.Add(int64(len(b)))
	}
	return n, err
}

// traffic returns the datagrams and bytes through c so far.
func (c *linkConn) traffic() (packets, bytes int64) { return c.packets.Load(), c.bytes.Load() }

// linkLatency returns the one-way latency between two hosts: the same in
// both directions and for every datagram, drawn from [lo, hi] by a hash of
// the seed and the pair. It runs for every datagram, so the hash is a few
// multiplications rather than a hash.Hash.
func linkLatency(seed int64, lo, hi time.Duration) func(a, b netip.Addr) time.Duration {
	return func(a, b netip.Addr) time.Duration {
		if hi <= lo {
			return lo
		}
		if b.Less(a) {
			a, b = b, a
		}
		a16, b16 := a.As16(), b.As16()
		h := mix64(uint64(seed))
		for _, v := range [4]uint64{
			binary.LittleEndian.Uint64(a16[:8]), binary.LittleEndian.Uint64(a16[8:]),
			binary.LittleEndian.Uint64(b16[:8]), binary.LittleEndian.Uint64(b16[8:]),
		} {
			h = mix64(h ^ v)
		}
		return lo + time.Duration(h%uint64(hi-lo+1))
	}
}

// mix64 is the finalizer of SplitMix64: every input bit affects every
// output bit.
func mix64(x uint64) uint64 {
	x += 0x9e3779b97f4a7c15
	x = (x ^ x>>30) * 0xbf58476d1ce4e5b9
	x = (x ^ x>>27) * 0x94d049bb133111eb
	return x ^ x>>31
}
