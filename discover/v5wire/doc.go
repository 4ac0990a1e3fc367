// Package v5wire implements the Node Discovery v5.1 wire protocol
// (https://github.com/ethereum/devp2p/blob/master/discv5/discv5-wire.md):
// masked packet headers, WHOAREYOU challenges,
// handshakes (ECDH + HKDF key derivation, id-signature, optional ENR),
// AES-GCM message encryption and the messages PING, PONG, FINDNODE, NODES,
// TALKREQ and TALKRESP. It does no I/O and starts no goroutines.
//
// A Codec holds the local key and the session cache; the engine that owns
// it calls Encode and Decode from one goroutine:
//
//	c := v5wire.NewCodec(key, localNode.Node, mclock.System{}, 0)
//	pkt, nonce, err := c.Encode(destID, "1.2.3.4:30303", &v5wire.Ping{ReqID: id}, nil)
//	src, node, p, err := c.Decode(datagram, fromAddr)
//
// Decode returns *Unknown for a message it cannot decrypt (the engine
// answers with a *Whoareyou), and a handshake packet establishes a session
// when it answers a challenge this codec sent.
package v5wire
