// Package dnsdisc reads and publishes node lists in DNS, as specified by
// EIP-1459 (https://eips.ethereum.org/EIPS/eip-1459, also
// https://github.com/ethereum/devp2p/blob/master/dnsdisc.md).
//
// A list is a merkle tree of TXT records under one domain, signed by one
// secp256k1 key and named by a URL:
//
//	enrtree://AKPYQIUQIL7PSIACI32J7FGZW56E5FKHEFCCOFHILBIMW3M6LWXS2@nodes.example.org
//
// The root record ("enrtree-root:v1 e=… l=… seq=… sig=…") carries the
// signature and the hashes of two subtrees: one of node records ("enr:…"
// leaves) and one of links to other lists ("enrtree://…" leaves). Every other
// record lives at <hash>.<domain>, where the hash is the base32 form of the
// first 16 bytes of keccak256 of its text, so one signature covers the tree.
//
// # Reading lists
//
// A Client checks the root signature against the URL's key, refuses a root
// whose sequence number goes back, and checks each record against the hash
// that names it. NewIterator returns an enode.Iterator that walks the trees
// lazily, one query per step in random order, follows links (each linked tree
// with its own key, each tree once), re-reads every root at
// Config.RecheckInterval and starts over when it changed:
//
//	c, err := dnsdisc.NewClient(dnsdisc.Config{})
//	if err != nil { ... }
//	it, err := c.NewIterator("enrtree://AKPYQ…@all.mainnet.ethdisco.net")
//	if err != nil { ... }
//	defer it.Close()
//	for it.Next() {
//		dial(it.Node())
//	}
//
// Queries go through Config.Resolver (NewResolver reaches a private DNS
// server; package dnstest runs one for tests), each bounded by Config.Timeout and all
// together by Config.RateLimit; verified records are kept in a bounded cache.
// Next blocks until it has a node or the iterator is closed; while every tree
// is failing or empty it waits on the clock instead of asking DNS again.
// SyncTree downloads and verifies a whole tree at once.
//
// # Publishing lists
//
// MakeTree builds a tree of nodes and links, Tree.Sign signs its root and
// Tree.ToTXT returns the records to publish. Branches hold at most 13 hashes,
// so that every record stays within 370 bytes.
package dnsdisc
