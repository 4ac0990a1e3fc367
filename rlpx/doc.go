// Package rlpx implements the RLPx transport protocol
// (https://github.com/ethereum/devp2p/blob/master/rlpx.md): the
// encrypted handshake that authenticates two nodes by their secp256k1 keys,
// and the framing that carries messages over the resulting session.
//
//   - Handshake: auth and ack in the EIP-8 format
//     (https://eips.ethereum.org/EIPS/eip-8: 2-byte
//     size prefix used as ECIES shared MAC data, RLP bodies that may carry
//     extra elements, 100-300 bytes of padding). Pre-EIP-8 auth and ack (307
//     and 210 bytes) from old peers are accepted and answered in kind. Size
//     prefixes over 2 KiB are rejected before the body is read; remote keys
//     are checked before any ECDH (docs/SECURITY.md).
//   - Framing: AES-256-CTR frames with the keccak256/AES egress and ingress
//     MACs; each MAC is checked before the bytes it covers are used.
//   - Snappy (EIP-706): msg-data compression after the p2p v5 Hello, with the
//     decoded size checked before any allocation. ReadTo shows the caller a
//     message's code and decoded size before it is decompressed, so limits
//     per code and memory budgets apply before the work is done.
//
// A Conn allows one reader and concurrent writers. It is cheap to keep many
// of them: an idle Conn holds no buffers, and exchanging messages of up to
// 64 KiB allocates nothing per message. By default Write returns once its
// frame is handed to the socket; SetWriteCoalescing lets frames queued while
// the socket was busy go out in one write, which makes bursts of small
// messages faster.
//
// Example, dialing side:
//
//	fd, err := net.Dial("tcp", addr)
//	...
//	c := rlpx.NewConn(fd, remotePubkey) // nil on the accepting side
//	remote, err := c.Handshake(nodeKey)  // remote static key; 5 s deadline
//	...
//	_, err = c.Write(0x00, helloRLP)     // msg-id 0 (Hello), payload
//	code, data, _, err := c.Read()       // data valid until the next Read
//	c.SetSnappy(true)                    // once both Hellos say version >= 5
package rlpx
