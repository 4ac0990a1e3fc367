package rlpx

import (
	"fmt"

	"github.com/klauspost/compress/s2"
	"github.com/klauspost/compress/snappy"
)

// Snappy compression of msg-data (EIP-706, rlpx.md "Message Encoding"),
// switched on by SetSnappy once both sides' Hello says p2p version >= 5.

// maxSnappyRatio bounds decoded/encoded size. The densest snappy element is
// a 3-byte copy of 64 bytes (ratio 21.3; snappy's format_description.txt), so a
// block claiming more than 32 times its size is corrupt. Checking this
// before allocating keeps the allocation for a message proportional to
// what the peer actually sent (docs/SECURITY.md), not to its claim.
const maxSnappyRatio = 32

// compress encodes data as a snappy block into a buffer borrowed into buf
// and returns the block.
//
// s2.EncodeSnappy writes standard snappy blocks (any snappy decoder reads
// them) with s2's fast matcher; snappy.Encode from the same module uses the
// slower "better" matcher, which costs throughput for little gain on
// already-compact protocol messages.
func compress(buf *scratch, data []byte) ([]byte, error) {
	n := snappy.MaxEncodedLen(len(data))
	if n < 0 {
		return nil, fmt.Errorf("%w: %d bytes", ErrMessageTooLarge, len(data))
	}
	return s2.EncodeSnappy(buf.get(n), data), nil
}

// decodedLen returns the length the snappy block's header claims, checked
// against limit and against what a block of its size can hold, so that a
// small frame claiming gigabytes costs nothing.
func decodedLen(block []byte, limit int) (int, error) {
	n, err := snappy.DecodedLen(block)
	if err != nil {
		return 0, fmt.Errorf("rlpx: snappy: %w", err)
	}
	if n > limit {
		return 0, fmt.Errorf("%w: snappy block claims %d bytes, limit %d", ErrMessageTooLarge, n, limit)
	}
	if n > maxSnappyRatio*len(block) {
		return 0, fmt.Errorf("rlpx: snappy block of %d bytes cannot decode to %d", len(block), n)
	}
	return n, nil
}

// decompress decodes a snappy block, whose length decodedLen has checked,
// into dst, which holds exactly that length.
func decompress(dst, block []byte) ([]byte, error) {
	out, err := snappy.Decode(dst, block)
	if err != nil {
		return nil, fmt.Errorf("rlpx: snappy: %w", err)
	}
	return out, nil
}
