package rlpx

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/subtle"
	"fmt"
	"io"

	"github.com/devp2p-go/devp2p/rlp"
)

const (
	// MaxMessageSize bounds a message: frame-size is a 24-bit field
	// (rlpx.md, Framing), so frame data and, with snappy, the decompressed
	// payload must be smaller than 16 MiB. Sizes >= MaxMessageSize are
	// rejected (the same bound as go-ethereum's maxUint24 check).
	MaxMessageSize = 16 << 20

	maxUint24 = MaxMessageSize - 1

	headerSize = 16 // header-ciphertext
	macSize    = 16 // header-mac, frame-mac
)

// headerData is header-data = [capability-id, context-id] = [0, 0], the
// value every current implementation sends (rlpx.md, Framing).
var headerData = [3]byte{0xc2, 0x80, 0x80}

// egress is the sending half of a session: AES-CTR keystream and egress-mac.
// It is owned by whoever holds Conn.wmu.
type egress struct {
	enc cipher.Stream
	mac hashMAC
}

// ingress is the receiving half: AES-CTR keystream and ingress-mac, owned
// by the single reader.
type ingress struct {
	dec cipher.Stream
	mac hashMAC
}

// newStreams builds the frame ciphers from the handshake secrets. Both
// directions use aes-secret with an all-zero IV (rlpx.md, Known Issues: the
// keystream is reused across directions; the spec defines it so). Both MACs
// use mac-secret, so they share one expanded AES key (half a KiB a
// connection).
func newStreams(sec *secrets) (egress, ingress, error) {
	block, err := aes.NewCipher(sec.aes[:])
	if err != nil {
		return egress{}, ingress{}, err
	}
	macBlock, err := aes.NewCipher(sec.mac[:])
	if err != nil {
		return egress{}, ingress{}, err
	}
	var iv [aes.BlockSize]byte
	return egress{enc: cipher.NewCTR(block, iv[:]), mac: hashMAC{block: macBlock, hash: sec.egressMAC}},
		ingress{dec: cipher.NewCTR(block, iv[:]), mac: hashMAC{block: macBlock, hash: sec.ingressMAC}}, nil
}

// padded rounds n up to the AES block size (frame-padding).
func padded(n int) int { return (n + 15) &^ 15 }

// codeSize is the length of the RLP encoding of code.
func codeSize(code uint64) int {
	if code < 0x80 {
		return 1
	}
	n := 1
	for c := code; c > 0; c >>= 8 {
		n++
	}
	return n
}

// frameSize returns the number of bytes appendFrame adds for a message of
// code and payload size n, or an error if the frame data would not fit the
// 24-bit frame-size field.
func frameSize(code uint64, n int) (int, error) {
	fsize := codeSize(code) + n
	if n >= MaxMessageSize || fsize > maxUint24 {
		return 0, fmt.Errorf("%w: frame of %d bytes", ErrMessageTooLarge, fsize)
	}
	return headerSize + macSize + padded(fsize) + macSize, nil
}

// appendFrame encrypts and MACs one frame carrying msg-id code and data, and
// appends it to dst:
//
//	header-ciphertext ‖ header-mac ‖ frame-ciphertext ‖ frame-mac
func (e *egress) appendFrame(dst []byte, code uint64, data []byte) ([]byte, error) {
	size, err := frameSize(code, len(data))
	if err != nil {
		return dst, err
	}
	start := len(dst)
	dst = grow(dst, start+size)
	f := dst[start:]
	fsize := codeSize(code) + len(data)

	// header = frame-size ‖ header-data ‖ zero padding
	header := f[:headerSize]
	header[0], header[1], header[2] = byte(fsize>>16), byte(fsize>>8), byte(fsize)
	copy(header[3:], headerData[:])
	clear(header[3+len(headerData):])
	e.enc.XORKeyStream(header, header)
	e.mac.header(header, f[headerSize:headerSize+macSize])

	// frame-data = msg-id ‖ msg-data, zero padded to 16 bytes.
	body := f[headerSize+macSize : len(f)-macSize]
	n := len(rlp.AppendUint64(body[:0], code))
	// Copy, then encrypt in place in one pass: one long XORKeyStream is
	// faster than three short ones for code, data and padding.
	copy(body[n:], data)
	clear(body[fsize:])
	e.enc.XORKeyStream(body, body)
	e.mac.frame(body, f[len(f)-macSize:])
	return dst, nil
}

// readFrame reads one frame and returns its decrypted frame-data (msg-id ‖
// msg-data), valid until the next readFrame. Both MACs are checked before
// the bytes they cover are used: the header MAC before the frame size is
// believed, the frame MAC before the body is decrypted. limit bounds the
// declared frame size, checked before the body is read or buffered.
func (in *ingress) readFrame(r io.Reader, buf *readBuffer, limit int) ([]byte, error) {
	buf.release()
	hdr, err := buf.peek(r, headerSize+macSize)
	if err != nil {
		return nil, err
	}
	var want [macSize]byte
	in.mac.header(hdr[:headerSize], want[:])
	if subtle.ConstantTimeCompare(want[:], hdr[headerSize:]) != 1 {
		return nil, fmt.Errorf("%w: frame header", ErrBadMAC)
	}
	in.dec.XORKeyStream(hdr[:headerSize], hdr[:headerSize])
	fsize := int(hdr[0])<<16 | int(hdr[1])<<8 | int(hdr[2])
	buf.skip(headerSize + macSize)
	if fsize > limit {
		return nil, fmt.Errorf("%w: frame declares %d bytes, limit %d", ErrMessageTooLarge, fsize, limit)
	}

	rsize := padded(fsize)
	body, err := buf.peek(r, rsize+macSize)
	if err != nil {
		return nil, err
	}
	in.mac.frame(body[:rsize], want[:])
	if subtle.ConstantTimeCompare(want[:], body[rsize:]) != 1 {
		return nil, fmt.Errorf("%w: frame body", ErrBadMAC)
	}
	buf.skip(rsize + macSize)
	in.dec.XORKeyStream(body[:rsize], body[:rsize])
	return body[:fsize], nil
}
