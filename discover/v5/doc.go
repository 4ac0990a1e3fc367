// Package v5 is the Node Discovery v5.1 engine
// (https://github.com/ethereum/devp2p/blob/master/discv5/discv5.md) on the
// Kademlia table shared with discv4 (package
// discover). Packets are encoded by discover/v5wire; this package owns the
// socket, matches responses to requests by request ID (700 ms per packet),
// challenges unknown senders with WHOAREYOU, answers FINDNODE with at most
// 16 records in at most 5 NODES packets, verifies the records it receives
// (requested distance, relayable address, signature) before they reach the
// table, and runs TALKREQ handlers registered by applications.
//
//	udp, err := v5.ListenV5(conn, localNode, v5.Config{
//		PrivateKey:  key,
//		TableConfig: discover.TableConfig{Bootnodes: boot},
//	})
//	udp.RegisterTalkHandler("myproto", func(id enode.ID, addr netip.AddrPort, req []byte) []byte { ... })
//	it := udp.RandomNodes() // dial candidates
//
// Every call that waits on the network (Ping, RequestENR, Findnode,
// TalkRequest, Resolve, the lookups) takes a context first: when it ends,
// the call returns at once with the context's error (Resolve and the
// lookups with what they have) and a call queued behind it starts.
//
// To share one UDP port with discv4, pass discv4's Unhandled channel as
// Config.Unhandled: discv4 reads the socket and hands over what is not v4.
package v5
