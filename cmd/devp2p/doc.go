// Command devp2p runs a devp2p node and the everyday tools around one: key
// files, enode URLs and node records, discovery and RLPx probes, and a local
// network of nodes on the loopback interface.
//
//	devp2p devnet --nodes 8                  # see a network form on 127.0.0.1
//	devp2p node --datadir ./node1            # run a node
//	devp2p key generate node.key             # make a node key
//	devp2p enr decode enr:-IS4Q...           # show a node record
//	devp2p rlpx ping enode://...             # RLPx handshake + Hello
//	devp2p discv4 ping enode://...           # discovery v4 Ping/Pong
//	devp2p discv4 crawl --bootnodes ... nodes.json
//
// Every command prints its flags with --help. Errors are one line on stderr
// and a non-zero exit code. README.md ("Command line") shows each command
// with its output.
package main
