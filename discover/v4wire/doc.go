// Package v4wire is the packet codec of the Node Discovery Protocol v4
// (https://github.com/ethereum/devp2p/blob/master/discv4.md, "Wire Protocol",
// with the forward compatibility rules of
// EIP-8 and the ENR packets of EIP-868). It only turns packets into bytes and
// back: no sockets, no goroutines, no clocks, so the UDP engine in
// discover/v4 and fuzz tests can call it directly.
//
// A packet is hash(32) ‖ signature(65) ‖ type(1) ‖ RLP list, at most 1280
// bytes. Decode checks the size and the hash, decodes the list (ignoring
// extra elements and trailing data, as EIP-8 requires) and only then
// recovers the sender's key, the expensive step. Keys that arrive inside
// packets (Findnode targets, Neighbors entries) are raw bytes (Pubkey) until
// DecodePubkey or Node.Enode check that they lie on the curve.
//
// Example:
//
//	packet, hash, err := v4wire.Encode(key, &v4wire.Ping{
//		Version:    4,
//		From:       v4wire.NewEndpoint(localAddr, tcpPort),
//		To:         v4wire.NewEndpoint(remoteAddr, 0),
//		Expiration: uint64(time.Now().Add(20 * time.Second).Unix()),
//		ENRSeq:     localNode.Seq(),
//	})
//	...
//	p, fromKey, hash, err := v4wire.Decode(buf[:n])
//	if err == nil && !v4wire.Expired(expirationOf(p), time.Now()) { ... }
package v4wire
