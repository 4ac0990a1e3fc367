// Command devp2p runs a devp2p node and the everyday tools around one: key
// files, enode URLs and node records, discovery and RLPx probes, and a local
// network of nodes on the loopback interface.
//
//	devp2p devnet --nodes 8          # see a network form on 127.0.0.1
//	devp2p node --datadir ./node1    # run a node
//	devp2p key generate node.key     # make a node key
//	devp2p enr decode enr:-IS4Q...   # show a node record
//
// Every command prints its flags with --help.
package main
