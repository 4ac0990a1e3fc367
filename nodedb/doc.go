// Package nodedb is the node database: what a node remembers about the other
// nodes it has seen, kept across restarts.
//
// It stores each node's latest record (EIP-778, as RLP), and per node and IP
// the last ping and pong received and the count of failed findnode requests,
// which the discovery protocol needs (the endpoint proof of
// https://github.com/ethereum/devp2p/blob/master/discv4.md); the local
// record's sequence number, so that a restarted node never reuses one; and
// the last successful peer session per node, so that the dialer can reconnect
// to good peers first after a restart. QuerySeeds picks random recently
// answered nodes to seed the Kademlia table.
//
// The database runs on pebble, on disk or, when the path is empty, in memory.
// It is a cache: a directory that does not hold a usable database of this
// schema is moved aside and a fresh one created, so the database never stops
// a node from starting. A background goroutine removes nodes not seen for a
// day; Close stops it.
//
// Example:
//
//	db, err := nodedb.Open(nodedb.Config{Path: filepath.Join(datadir, "nodes"), Logger: log})
//	if err != nil {
//		return err
//	}
//	defer db.Close()
//	db.UpdateLastPongReceived(n.ID(), n.IPAddr(), time.Now())
//	seeds := db.QuerySeeds(30, 5*24*time.Hour)
package nodedb
