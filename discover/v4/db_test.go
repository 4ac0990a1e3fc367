package v4

import (
	"testing"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/nodedb"
)

// TestNodeDBBonds: with a node database, endpoint proofs are stored there
// (so they survive restarts and feed the table's seeds).
func TestNodeDBBonds(t *testing.T) {
	db, err := nodedb.Open(nodedb.Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	nw := memnet.New()
	a := startNode(t, nw, testnet.PublicAddr(1), Config{TableConfig: discover.TableConfig{DB: db}})
	b := startNode(t, nw, testnet.PublicAddr(2), Config{})
	defer a.Close()
	defer b.Close()
	if err := a.Ping(t.Context(), b.Self()); err != nil {
		t.Fatal(err)
	}
	if db.LastPongReceived(b.Self().ID(), b.Self().IPAddr()).IsZero() {
		t.Fatal("pong not stored in the node database")
	}
	if !a.bonds.hasProof(b.Self().ID(), b.Self().IPAddr()) {
		t.Fatal("no endpoint proof after pong")
	}
	// b pinged a back (it had no proof of a); that ping is recorded too,
	// once a has handled it. RequestENR relies on it and must work.
	if _, err := a.RequestENR(t.Context(), b.Self()); err != nil {
		t.Fatal(err)
	}
	if db.LastPingReceived(b.Self().ID(), b.Self().IPAddr()).IsZero() {
		t.Fatal("ping not stored in the node database")
	}
}
