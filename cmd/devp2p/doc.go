// Command devp2p runs a devp2p node and the everyday tools around one: key
// files, enode URLs and node records, discovery and RLPx probes, and a local
// network of nodes on the loopback interface.
//
//	devp2p devnet --nodes 8                  # see a network form on 127.0.0.1
//	devp2p node --datadir ./node1            # run a node (a bootnode, say)
//	devp2p key generate node.key             # make a node key
//	devp2p key to-enr node.key --ip 1.2.3.4  # a signed record for that key
//	devp2p enr decode enr:-IS4Q...           # show a node record
//	devp2p rlpx ping enode://...             # RLPx handshake + Hello
//	devp2p discv4 ping enode://...           # discovery v4 Ping/Pong
//	devp2p discv4 crawl --bootnodes ... nodes.json
//	devp2p discv5 ping enr:...               # discovery v5 PING/PONG
//	devp2p nodeset filter nodes.json --eth   # nodes of a crawl with an "eth" record key
//	devp2p dns sign dir/ key --domain nodes.example.org  # dir/nodes.json as a signed DNS tree
//	devp2p dns to-zone dir/                  # that tree as a zone file (to-txt: as JSON)
//	devp2p dns sync enrtree://...@nodes.example.org dir/  # download and verify a tree
//
// A node runs the devp2p layer alone, without sub-protocols: execution
// clients, which need eth, drop it after the Hello exchange, and the node
// logs why at the default level.
//
// Every command prints its flags with --help, and devp2p --version the
// module version and VCS revision of the build. Errors are one line on
// stderr, prefixed "devp2p: ", naming the flag, file or command as typed;
// the exit code is 1, or 2 for a command that does not exist. The global
// flag --log.format (text or json) sets the format of the logs on stderr.
// README.md ("Command line") shows each command with its output.
package main
