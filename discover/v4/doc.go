// Package v4 is the UDP engine of the Node Discovery Protocol v4
// (https://github.com/ethereum/devp2p/blob/master/discv4.md, with EIP-8 and
// EIP-868): it sends and answers Ping,
// Pong, Findnode, Neighbors, ENRRequest and ENRResponse packets (encoded by
// discover/v4wire) and runs the shared Kademlia table of package discover.
//
// Robustness rules the engine keeps (docs/SECURITY.md lists the limits):
//
//   - Replies are matched to requests by sender ID, sender IP, packet type
//     and, for Pong and ENRResponse, the request hash, in one goroutine that
//     owns the pending list and its timeouts (500 ms). Unsolicited replies
//     are dropped.
//   - Every packet carries an expiration 20 s ahead; expired packets are
//     ignored. A copy of a packet seen within the expiration window is not
//     decoded again, and is handled at most a few times in all: senders
//     that sign deterministically repeat a request made twice in one
//     second byte for byte, so a copy is not always a replay.
//   - Findnode and ENRRequest are answered only if the sender answered our
//     ping from the same IP within 24 h (endpoint proof), so a forged source
//     address cannot turn the node into a traffic amplifier. Before we send
//     such a request we make sure the other side holds our proof.
//   - Neighbors answers carry at most 12 nodes per packet; a findnode
//     collects at most 16 nodes, and a packet with fewer than 12 ends the
//     answer (responders fill each packet before the next), so a node that
//     knows fewer nodes costs a lookup no reply timeout. A node that leaves
//     a findnode or ENR request unanswered is pinged again before the next
//     one: it may have lost our endpoint proof. LAN and loopback nodes are never relayed to
//     internet hosts, nor accepted from them (netutil.CheckRelayAddr), and
//     NetRestrict is honoured in both directions.
//   - Pending replies, remembered bonds and replay hashes are bounded.
//
// The endpoint that peers report in pings and pongs feeds the LocalNode's
// external-address prediction.
//
// Every call that waits on the network (Ping, RequestENR, Resolve, the
// lookups) takes a context first: when it ends, the call returns at once
// with the context's error (Resolve and the lookups with what they have).
//
// Example:
//
//	conn, _ := net.ListenUDP("udp", &net.UDPAddr{Port: 30303})
//	ln := enode.NewLocalNode(db, key)
//	disc, err := v4.ListenV4(conn, ln, v4.Config{
//		PrivateKey:  key,
//		TableConfig: discover.TableConfig{DB: db, Bootnodes: boot},
//	})
//	...
//	defer disc.Close()
//	it := disc.RandomNodes() // feed the dialer
//
// Tests can run hundreds of nodes on discover/memnet instead of sockets.
package v4
