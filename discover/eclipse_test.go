package discover

import (
	"fmt"
	"math/rand/v2"
	"testing"

	"github.com/devp2p-go/devp2p/enode"
)

// TestTableEclipse: one attacker holding a /16 (public, or a private /16
// next to a node with a public address) makes up 1,000 identities, proves
// their endpoints (as the v4 engine's inbound path does) and keeps offering
// them, before and after 100 honest nodes spread over 50 /16s are found. At
// least half of the table stays honest.
func TestTableEclipse(t *testing.T) {
	for _, tt := range []struct {
		name     string
		attacker func(i int) string
	}{
		{"public", func(i int) string { return fmt.Sprintf("45.33.%d.%d", i%250, 1+i/250) }},
		{"lan", func(i int) string { return fmt.Sprintf("10.7.%d.%d", i%250, 1+i/250) }},
	} {
		t.Run(tt.name, func(t *testing.T) {
			tab, _ := newTestTable(t, Config{}) // our address 11.200.0.1 is public
			rng := rand.New(rand.NewPCG(1, 2))
			randomID := func() (id enode.ID) {
				for i := range id {
					id[i] = byte(rng.Uint32())
				}
				return id
			}
			attackers := make(map[enode.ID]bool)
			var sybils []*enode.Node
			for i := range 1000 {
				n := newNode(randomID(), tt.attacker(i))
				attackers[n.ID()] = true
				sybils = append(sybils, n)
			}
			var honest []*enode.Node
			for i := range 100 {
				honest = append(honest, newNode(randomID(), fmt.Sprintf("%d.%d.%d.1", 60+i%50, i/50, i)))
			}
			for _, n := range sybils {
				tab.handleAdd(addOp{n: n, inbound: true})
			}
			for _, n := range honest {
				tab.handleAdd(addOp{n: n})
			}
			for _, n := range sybils {
				tab.handleAdd(addOp{n: n, inbound: true})
			}
			nodes := tab.Nodes()
			bad := 0
			for _, n := range nodes {
				if attackers[n.ID()] {
					bad++
				}
			}
			t.Logf("table: %d entries, %d of them the attacker's", len(nodes), bad)
			if 2*bad > len(nodes) {
				t.Fatalf("attacker holds %d of %d table entries", bad, len(nodes))
			}
		})
	}
}
