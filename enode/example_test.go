package enode_test

import (
	"fmt"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// An enode URL names a node by its public key and endpoint. The node ID is
// the Keccak-256 hash of the key.
func ExampleParseV4() {
	n, err := enode.ParseV4("enode://1dd9d65c4552b5eb43d5ad55a2ee3f56c6cbc1c64a5c8d659f51fcd51bace24351232b8d7821617d2b29b54b81cdefb9b3e9c37d7fd5f63270bcc9e1a6f6a439@10.3.58.6:30303?discport=30301")
	if err != nil {
		panic(err)
	}
	tcp, _ := n.TCPEndpoint()
	udp, _ := n.UDPEndpoint()
	fmt.Println("id ", n.ID())
	fmt.Println("tcp", tcp)
	fmt.Println("udp", udp)
	// Output:
	// id  3431c3939e1ee2a6345e976a8234f9870152d64879f30bc272a074f6859e75e8
	// tcp 10.3.58.6:30303
	// udp 10.3.58.6:30301
}

// Parse takes either form, a node record ("enr:...") or an enode URL, and
// checks the record's signature.
func ExampleParse() {
	n, err := enode.Parse(enode.ValidSchemes, "enr:-IS4QHCYrYZbAKWCBRlAy5zzaDZXJBGkcnh4MHcBFZntXNFrdvJjX04jRzjzCBOonrkTfj499SZuOh8R33Ls8RRcy5wBgmlkgnY0gmlwhH8AAAGJc2VjcDI1NmsxoQPKY0yuDUmstAHYpMa2_oxVtw0RW_QAdpzBQA8yWM0xOIN1ZHCCdl8")
	if err != nil {
		panic(err)
	}
	udp, _ := n.UDPEndpoint()
	_, hasTCP := n.TCPEndpoint()
	fmt.Println("id ", n.ID())
	fmt.Println("seq", n.Seq())
	fmt.Println("udp", udp, "tcp", hasTCP)
	// Output:
	// id  a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7
	// seq 1
	// udp 127.0.0.1:30303 tcp false
}

// A LocalNode is the node's own record. Setting entries changes the record;
// Node signs it again, with a higher sequence number, only when something
// changed, so that other nodes can tell the newer record.
func ExampleLocalNode() {
	key, err := crypto.HexToECDSA("b71c71a67e1177ad4e901695e1b4b9ee17ae16c6668d313eac2f96dbcda3f291")
	if err != nil {
		panic(err)
	}
	ln := enode.NewLocalNode(nil, key) // nil: no database to keep the sequence number in
	ln.SetStaticIP([]byte{127, 0, 0, 1})
	ln.Set(enr.TCP(30303))
	ln.Set(enr.UDP(30303))
	first := ln.Node()
	again := ln.Node()
	ln.Set(enr.TCP(30304))
	changed := ln.Node()

	fmt.Println(first.URLv4())
	fmt.Println("unchanged record keeps its seq:", again.Seq() == first.Seq())
	fmt.Println("changed record has a higher seq:", changed.Seq() > first.Seq())
	fmt.Println("new tcp port:", changed.TCP())
	// Output:
	// enode://ca634cae0d49acb401d8a4c6b6fe8c55b70d115bf400769cc1400f3258cd31387574077f301b421bc84df7266c44e9e6d569fc56be00812904767bf5ccd1fc7f@127.0.0.1:30303
	// unchanged record keeps its seq: true
	// changed record has a higher seq: true
	// new tcp port: 30304
}

// Kademlia's distance between two IDs: the bit length of their XOR.
func ExampleLogDist() {
	a := enode.HexID("a448f24c6d18e575453db13171562b71999873db5b286df957af199ec94617f7")
	b := a
	b[31] ^= 0x01 // differ in the last bit only
	c := a
	c[0] ^= 0x80 // differ in the first bit
	fmt.Println(enode.LogDist(a, a), enode.LogDist(a, b), enode.LogDist(a, c))
	// Output: 0 1 256
}
