package nodedb_test

import (
	"fmt"
	"io"
	"log/slog"
	"net/netip"
	"time"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/nodedb"
)

// The node database remembers other nodes across restarts: their records,
// when they last answered a ping (the endpoint proof of discovery), and
// which of them answered recently enough to seed the discovery table. An
// empty path keeps it in memory; a data directory path keeps it on disk.
func Example() {
	db, err := nodedb.Open(nodedb.Config{Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		panic(err)
	}
	defer db.Close()

	key, _ := crypto.GenerateKey()
	n := enode.NewV4(&key.PublicKey, []byte{203, 0, 113, 7}, 30303, 30303)
	ip := netip.MustParseAddr("203.0.113.7")

	if err := db.UpdateNode(n); err != nil {
		panic(err)
	}
	pong := time.Now().Add(-time.Hour)
	if err := db.UpdateLastPongReceived(n.ID(), ip, pong); err != nil {
		panic(err)
	}

	fmt.Println("record stored:", db.Node(n.ID()) != nil)
	fmt.Println("last pong kept:", db.LastPongReceived(n.ID(), ip).Equal(pong.Truncate(time.Second)))
	seeds := db.QuerySeeds(30, 5*24*time.Hour) // up to 30 nodes that answered within 5 days
	fmt.Println("seeds:", len(seeds), seeds[0].ID() == n.ID())
	// Output:
	// record stored: true
	// last pong kept: true
	// seeds: 1 true
}
