package bench

import (
	"net"
	"net/netip"
	"sync"
	"testing"
	"time"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	genode "github.com/ethereum/go-ethereum/p2p/enode"
	genr "github.com/ethereum/go-ethereum/p2p/enr"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/nodedb"
)

const (
	nodedbBenchNodes = 10_000
	seedCount        = 30                 // discv4 table seeding (go-ethereum table.go seedCount)
	seedMaxAge       = 5 * 24 * time.Hour // go-ethereum table.go seedMaxAge
)

// nodedbBenchSet is the same 10,000 signed nodes in both libraries, with
// the same pong ages: a third older than seedMaxAge, the rest an hour old.
type nodedbBenchSet struct {
	ours []*enode.Node
	geth []*genode.Node
	ages []time.Duration
}

var nodedbBenchNodesOnce = sync.OnceValues(func() (*nodedbBenchSet, error) {
	s := new(nodedbBenchSet)
	for i := range nodedbBenchNodes {
		key, err := gcrypto.GenerateKey()
		if err != nil {
			return nil, err
		}
		ip := netip.AddrFrom4([4]byte{10, byte(i >> 16), byte(i >> 8), byte(i)})

		var gr genr.Record
		gr.Set(genr.IP(net.IP(ip.AsSlice())))
		gr.Set(genr.UDP(30303))
		gr.Set(genr.TCP(30303))
		if err := genode.SignV4(&gr, key); err != nil {
			return nil, err
		}
		gn, err := genode.New(genode.ValidSchemes, &gr)
		if err != nil {
			return nil, err
		}

		okey, err := crypto.ToECDSA(gcrypto.FromECDSA(key))
		if err != nil {
			return nil, err
		}
		var r enr.Record
		r.Set(enr.IPv4(ip))
		r.Set(enr.UDP(30303))
		r.Set(enr.TCP(30303))
		if err := enode.SignV4(&r, okey); err != nil {
			return nil, err
		}
		n, err := enode.New(enode.ValidSchemes, &r)
		if err != nil {
			return nil, err
		}
		age := time.Hour
		if i%3 == 0 {
			age = 6 * 24 * time.Hour
		}
		s.ours = append(s.ours, n)
		s.geth = append(s.geth, gn)
		s.ages = append(s.ages, age)
	}
	return s, nil
})

// BenchmarkNodeDB/QuerySeeds10k: pick 30 seeds younger than 5 days from
// 10,000 stored nodes, both databases in memory.
func BenchmarkNodeDB(b *testing.B) {
	set, err := nodedbBenchNodesOnce()
	if err != nil {
		b.Fatal(err)
	}
	now := time.Now()
	b.Run("QuerySeeds10k/ours", func(b *testing.B) {
		db, err := nodedb.Open(nodedb.Config{})
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for i, n := range set.ours {
			db.UpdateNode(n)
			db.UpdateLastPongReceived(n.ID(), n.IPAddr(), now.Add(-set.ages[i]))
		}
		b.ReportAllocs()
		found := 0
		for b.Loop() {
			found += len(db.QuerySeeds(seedCount, seedMaxAge))
		}
		b.ReportMetric(float64(found)/float64(b.N), "seeds/op")
	})
	b.Run("QuerySeeds10k/geth", func(b *testing.B) {
		db, err := genode.OpenDB("")
		if err != nil {
			b.Fatal(err)
		}
		defer db.Close()
		for i, n := range set.geth {
			db.UpdateNode(n)
			db.UpdateLastPongReceived(n.ID(), n.IPAddr(), now.Add(-set.ages[i]))
		}
		b.ReportAllocs()
		found := 0
		for b.Loop() {
			found += len(db.QuerySeeds(seedCount, seedMaxAge))
		}
		b.ReportMetric(float64(found)/float64(b.N), "seeds/op")
	})
	// Opening and closing an empty in-memory database: B/op is about what
	// an idle node's database costs in heap.
	b.Run("OpenMemory/ours", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			db, err := nodedb.Open(nodedb.Config{})
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
	b.Run("OpenMemory/geth", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			db, err := genode.OpenDB("")
			if err != nil {
				b.Fatal(err)
			}
			db.Close()
		}
	})
}
