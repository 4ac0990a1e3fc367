package v4

import (
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/discover/v4wire"
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

// TestNodeDBNoProofNotStored: a node that pings us but never answers our
// ping leaves nothing in the node database; once it answers, its ping time
// is stored with its pong.
func TestNodeDBNoProofNotStored(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		db, err := nodedb.Open(nodedb.Config{})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{TableConfig: discover.TableConfig{DB: db}})
		defer a.Close()
		aAddr, _ := a.Self().UDPEndpoint()

		p := newRawPeer(t, nw, testnet.PublicAddr(2))
		defer p.close()
		p.mu.Lock()
		p.silent = true // pings, never answers
		p.mu.Unlock()
		ip := p.conn.AddrPort().Addr()
		p.send(aAddr, &v4wire.Ping{Version: 4, From: v4wire.NewEndpoint(p.conn.AddrPort(), 0), To: v4wire.NewEndpoint(aAddr, 0), Expiration: future()})
		synctest.Wait()
		if len(p.received(v4wire.PongPacket)) != 1 {
			t.Fatal("ping not answered")
		}
		if !db.LastPingReceived(p.id(), ip).IsZero() {
			t.Fatal("ping of a node without endpoint proof stored in the node database")
		}
		if !a.bonds.pingedRecently(p.id(), ip) {
			t.Fatal("ping not remembered in memory")
		}

		q := newRawPeer(t, nw, testnet.PublicAddr(3))
		defer q.close()
		q.bond(a) // pings and answers the ping-back
		if db.LastPongReceived(q.id(), q.conn.AddrPort().Addr()).IsZero() || db.LastPingReceived(q.id(), q.conn.AddrPort().Addr()).IsZero() {
			t.Fatal("bonded node's ping and pong not stored")
		}
	})
}
