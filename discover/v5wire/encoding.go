package v5wire

import (
	"bytes"
	"crypto/aes"
	"crypto/cipher"
	"crypto/ecdsa"
	crand "crypto/rand"
	"crypto/sha256"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/rlp"
)

// Packet layout constants (discv5-wire.md "Packet Encoding").
const (
	protocolID = "discv5"
	version    = 1

	flagMessage   = 0
	flagWhoareyou = 1
	flagHandshake = 2

	sizeofMaskingIV     = 16
	sizeofStaticHeader  = 6 + 2 + 1 + gcmNonceSize + 2 // 23
	sizeofWhoareyouAuth = 16 + 8                       // id-nonce ‖ enr-seq
	sizeofMessageAuth   = 32                           // src-id
	sizeofHandshakeHead = 32 + 1 + 1                   // src-id ‖ sig-size ‖ eph-key-size
	sizeofStaticPacket  = sizeofMaskingIV + sizeofStaticHeader

	// MinPacketSize is the size of a WHOAREYOU packet. Smaller packets are
	// dropped, so a challenge is never larger than what triggered it
	// (amplification, CL-2020-06; docs/SECURITY.md).
	MinPacketSize = sizeofStaticPacket + sizeofWhoareyouAuth // 63
	// MaxPacketSize is the datagram limit (discv5-wire.md).
	MaxPacketSize = 1280

	// randomPacketMsgSize is the size of the random message sent when no
	// session exists yet (go-ethereum's value).
	randomPacketMsgSize = 20
)

// Errors returned by Decode and Encode.
var (
	ErrPacketTooSmall       = errors.New("packet too small")
	ErrPacketTooBig         = errors.New("packet too big")
	ErrInvalidHeader        = errors.New("invalid packet header")
	ErrInvalidFlag          = errors.New("invalid packet flag")
	ErrInvalidAuthSize      = errors.New("invalid auth data size")
	ErrUnexpectedHandshake  = errors.New("unexpected handshake: no pending challenge")
	ErrHandshakeNodeMissing = errors.New("handshake without record for unknown node")
	ErrWrongHandshakeNode   = errors.New("handshake record does not match src-id")
	ErrDecryptHandshake     = errors.New("cannot decrypt handshake message")
	ErrReplay               = errors.New("replayed nonce")
	ErrNoRemoteKey          = errors.New("handshake target has no public key")
)

// Codec encodes and decodes discv5 packets and keeps the session state.
// It is not safe for concurrent use: the engine's loop owns it.
type Codec struct {
	sha     hash.Hash
	priv    *ecdsa.PrivateKey
	localID enode.ID
	self    func() *enode.Node
	sc      *SessionCache
	schemes enr.IdentityScheme

	// Randomness, injectable so tests can replay the published vectors.
	fillIV  func([]byte) error
	fillIDN func([]byte) error
	ephKey  ephemeralKeyGen
}

func cryptoRand(b []byte) (int, error) { return crand.Read(b) }
func randFill(b []byte) error          { _, err := crand.Read(b); return err }

// NewCodec creates a codec for the node with key priv. self returns the
// current local record (LocalNode.Node). cacheSize bounds the sessions.
func NewCodec(priv *ecdsa.PrivateKey, self func() *enode.Node, clock mclock.Clock, cacheSize int) *Codec {
	return &Codec{
		sha:     sha256.New(),
		priv:    priv,
		localID: enode.PubkeyToIDV4(&priv.PublicKey),
		self:    self,
		sc:      NewSessionCache(cacheSize, clock),
		schemes: enode.ValidSchemes,
		fillIV:  randFill,
		fillIDN: randFill,
		ephKey:  func() (*ecdsa.PrivateKey, error) { return crypto.GenerateKey() },
	}
}

// Sessions returns the codec's session cache.
func (c *Codec) Sessions() *SessionCache { return c.sc }

// LocalID returns the local node ID.
func (c *Codec) LocalID() enode.ID { return c.localID }

// Encode encodes p for node id at addr. A *Whoareyou is sent as a challenge
// (and remembered); with challenge != nil the packet is a handshake answering
// it; with an established session it is an ordinary message; otherwise it is
// a random message that provokes a WHOAREYOU. The nonce is returned so that
// the caller can match the challenge to the request.
func (c *Codec) Encode(id enode.ID, addr string, p Packet, challenge *Whoareyou) ([]byte, Nonce, error) {
	if w, ok := p.(*Whoareyou); ok {
		enc, err := c.encodeWhoareyou(id, w)
		if err == nil {
			c.sc.storeSentHandshake(id, addr, w)
		}
		return enc, w.Nonce, err
	}
	if challenge != nil {
		return c.encodeHandshakeMessage(id, addr, p, challenge)
	}
	if s := c.sc.session(id, addr); s != nil {
		return c.encodeMessage(id, s, p)
	}
	return c.encodeRandom(id)
}

// header is an unmasked packet header being built or parsed.
type header struct {
	iv    [sizeofMaskingIV]byte
	flag  byte
	nonce Nonce
	auth  []byte
}

func (h *header) append(b []byte) []byte {
	b = append(b, h.iv[:]...)
	b = append(b, protocolID...)
	b = binary.BigEndian.AppendUint16(b, version)
	b = append(b, h.flag)
	b = append(b, h.nonce[:]...)
	b = binary.BigEndian.AppendUint16(b, uint16(len(h.auth)))
	return append(b, h.auth...)
}

// mask applies AES-CTR with the destination ID as key to the header part
// (everything after the masking IV) of b.
func mask(dest enode.ID, b []byte) {
	block, err := aes.NewCipher(dest[:16])
	if err != nil {
		panic("v5wire: " + err.Error()) // 16-byte key cannot fail
	}
	cipher.NewCTR(block, b[:sizeofMaskingIV]).XORKeyStream(b[sizeofMaskingIV:], b[sizeofMaskingIV:])
}

func (c *Codec) encodeWhoareyou(dest enode.ID, w *Whoareyou) ([]byte, error) {
	if w.Node != nil && w.RecordSeq == 0 {
		w.RecordSeq = w.Node.Seq()
	}
	h := header{flag: flagWhoareyou, nonce: w.Nonce}
	if err := c.fillIV(h.iv[:]); err != nil {
		return nil, err
	}
	if w.IDNonce == ([16]byte{}) {
		if err := c.fillIDN(w.IDNonce[:]); err != nil {
			return nil, err
		}
	}
	h.auth = make([]byte, 0, sizeofWhoareyouAuth)
	h.auth = append(h.auth, w.IDNonce[:]...)
	h.auth = binary.BigEndian.AppendUint64(h.auth, w.RecordSeq)
	out := h.append(make([]byte, 0, MinPacketSize))
	w.ChallengeData = bytes.Clone(out)
	mask(dest, out)
	w.Encoded = bytes.Clone(out)
	return out, nil
}

func (c *Codec) encodeRandom(dest enode.ID) ([]byte, Nonce, error) {
	h := header{flag: flagMessage, auth: c.localID[:]}
	if err := c.fillIV(h.iv[:]); err != nil {
		return nil, Nonce{}, err
	}
	if _, err := cryptoRand(h.nonce[:]); err != nil {
		return nil, Nonce{}, err
	}
	out := h.append(make([]byte, 0, sizeofStaticPacket+sizeofMessageAuth+randomPacketMsgSize))
	mask(dest, out)
	msg := make([]byte, randomPacketMsgSize)
	if _, err := cryptoRand(msg); err != nil {
		return nil, Nonce{}, err
	}
	return append(out, msg...), h.nonce, nil
}

func (c *Codec) encodeMessage(dest enode.ID, s *session, p Packet) ([]byte, Nonce, error) {
	nonce, err := c.sc.nextNonce(s)
	if err != nil {
		return nil, Nonce{}, err
	}
	h := header{flag: flagMessage, nonce: nonce, auth: c.localID[:]}
	return c.seal(dest, &h, s.writeKey[:], p)
}

// seal writes the header, encrypts the message with the unmasked header as
// associated data, then masks the header.
func (c *Codec) seal(dest enode.ID, h *header, key []byte, p Packet) ([]byte, Nonce, error) {
	if err := c.fillIV(h.iv[:]); err != nil {
		return nil, Nonce{}, err
	}
	pt, err := EncodeMessage(p)
	if err != nil {
		return nil, Nonce{}, err
	}
	out := h.append(make([]byte, 0, MaxPacketSize))
	hlen := len(out)
	out, err = encryptGCM(out, key, h.nonce[:], pt, out[:hlen])
	if err != nil {
		return nil, Nonce{}, err
	}
	if len(out) > MaxPacketSize {
		return nil, Nonce{}, fmt.Errorf("%w: %s is %d bytes", ErrPacketTooBig, p.Name(), len(out))
	}
	mask(dest, out[:hlen])
	return out, h.nonce, nil
}

func (c *Codec) encodeHandshakeMessage(dest enode.ID, addr string, p Packet, w *Whoareyou) ([]byte, Nonce, error) {
	if w.Node == nil || w.Node.Pubkey() == nil {
		return nil, Nonce{}, ErrNoRemoteKey
	}
	eph, err := c.ephKey()
	if err != nil {
		return nil, Nonce{}, err
	}
	ephPub := crypto.CompressPubkey(&eph.PublicKey)
	s, err := deriveKeys(eph, w.Node.Pubkey(), c.localID, dest, w.ChallengeData)
	if err != nil {
		return nil, Nonce{}, err
	}
	s.node = w.Node
	sig, err := makeIDSignature(c.sha, c.priv, w.ChallengeData, ephPub, dest)
	if err != nil {
		return nil, Nonce{}, err
	}
	auth := make([]byte, 0, sizeofHandshakeHead+len(sig)+len(ephPub)+enr.SizeLimit)
	auth = append(auth, c.localID[:]...)
	auth = append(auth, byte(len(sig)), byte(len(ephPub)))
	auth = append(auth, sig...)
	auth = append(auth, ephPub...)
	if self := c.self(); w.RecordSeq < self.Seq() || w.RecordSeq == 0 {
		rec, err := rlp.EncodeToBytes(self.Record())
		if err != nil {
			return nil, Nonce{}, err
		}
		auth = append(auth, rec...)
	}
	nonce, err := c.sc.nextNonce(s)
	if err != nil {
		return nil, Nonce{}, err
	}
	h := header{flag: flagHandshake, nonce: nonce, auth: auth}
	out, n, err := c.seal(dest, &h, s.writeKey[:], p)
	if err != nil {
		return nil, Nonce{}, err
	}
	c.sc.storeNewSession(dest, addr, s)
	return out, n, nil
}

// Decode decodes a packet received from addr. It returns the sender's ID
// (zero for WHOAREYOU), the sender's verified record when a handshake
// carried or completed one, and the packet. Undecryptable messages come back
// as *Unknown with a nil error: the caller answers them with a challenge.
func (c *Codec) Decode(input []byte, addr string) (src enode.ID, n *enode.Node, p Packet, err error) {
	if len(input) < MinPacketSize {
		return src, nil, nil, ErrPacketTooSmall
	}
	if len(input) > MaxPacketSize {
		return src, nil, nil, ErrPacketTooBig
	}
	// Unmask the static header into a scratch copy; the input stays intact.
	var buf [MaxPacketSize]byte
	data := buf[:len(input)]
	copy(data, input)
	block, _ := aes.NewCipher(c.localID[:16])
	ctr := cipher.NewCTR(block, data[:sizeofMaskingIV])
	ctr.XORKeyStream(data[sizeofMaskingIV:sizeofStaticPacket], data[sizeofMaskingIV:sizeofStaticPacket])
	sh := data[sizeofMaskingIV:sizeofStaticPacket]
	if string(sh[:6]) != protocolID || binary.BigEndian.Uint16(sh[6:8]) != version {
		return src, nil, nil, ErrInvalidHeader
	}
	var h header
	copy(h.iv[:], data[:sizeofMaskingIV])
	h.flag = sh[8]
	copy(h.nonce[:], sh[9:21])
	authSize := int(binary.BigEndian.Uint16(sh[21:23]))
	if sizeofStaticPacket+authSize > len(data) {
		return src, nil, nil, ErrInvalidAuthSize
	}
	hend := sizeofStaticPacket + authSize
	ctr.XORKeyStream(data[sizeofStaticPacket:hend], data[sizeofStaticPacket:hend])
	h.auth = data[sizeofStaticPacket:hend]
	head, msg := data[:hend], data[hend:]

	switch h.flag {
	case flagWhoareyou:
		p, err = c.decodeWhoareyou(&h, head, msg)
	case flagHandshake:
		src, n, p, err = c.decodeHandshake(&h, head, msg, addr)
	case flagMessage:
		src, p, err = c.decodeMessage(&h, head, msg, addr)
	default:
		err = fmt.Errorf("%w %d", ErrInvalidFlag, h.flag)
	}
	return src, n, p, err
}

func (c *Codec) decodeWhoareyou(h *header, head, msg []byte) (Packet, error) {
	if len(h.auth) != sizeofWhoareyouAuth {
		return nil, fmt.Errorf("%w: %d for WHOAREYOU", ErrInvalidAuthSize, len(h.auth))
	}
	if len(msg) != 0 {
		return nil, errors.New("WHOAREYOU with message data")
	}
	w := &Whoareyou{
		ChallengeData: bytes.Clone(head),
		Nonce:         h.nonce,
		RecordSeq:     binary.BigEndian.Uint64(h.auth[16:]),
	}
	copy(w.IDNonce[:], h.auth[:16])
	return w, nil
}

func (c *Codec) decodeMessage(h *header, head, msg []byte, addr string) (src enode.ID, p Packet, err error) {
	if len(h.auth) != sizeofMessageAuth {
		return src, nil, fmt.Errorf("%w: %d for message", ErrInvalidAuthSize, len(h.auth))
	}
	copy(src[:], h.auth)
	s := c.sc.session(src, addr)
	if s == nil {
		return src, &Unknown{Nonce: h.nonce}, nil
	}
	pt, err := decryptGCM(s.readKey[:], h.nonce[:], msg, head)
	if err != nil {
		// The sender has another session (or none): challenge it.
		return src, &Unknown{Nonce: h.nonce}, nil
	}
	if s.checkReplay(h.nonce) {
		return src, nil, ErrReplay
	}
	p, err = DecodeMessage(pt)
	return src, p, err
}

func (c *Codec) decodeHandshake(h *header, head, msg []byte, addr string) (src enode.ID, n *enode.Node, p Packet, err error) {
	if len(h.auth) < sizeofHandshakeHead {
		return src, nil, nil, fmt.Errorf("%w: %d for handshake", ErrInvalidAuthSize, len(h.auth))
	}
	copy(src[:], h.auth[:32])
	sigSize, keySize := int(h.auth[32]), int(h.auth[33])
	rest := h.auth[sizeofHandshakeHead:]
	if len(rest) < sigSize+keySize {
		return src, nil, nil, fmt.Errorf("%w: signature/key sizes exceed auth data", ErrInvalidAuthSize)
	}
	sig, ephKey, record := rest[:sigSize], rest[sigSize:sigSize+keySize], rest[sigSize+keySize:]

	challenge := c.sc.getHandshake(src, addr)
	if challenge == nil {
		return src, nil, nil, ErrUnexpectedHandshake
	}
	// The challenge is answered (or failed) now; a forged handshake must
	// not leave it around for another try.
	c.sc.deleteHandshake(src, addr)

	n = challenge.Node
	if len(record) > 0 {
		r, err := enr.DecodeRecord(record, c.schemes)
		if err != nil {
			return src, nil, nil, fmt.Errorf("invalid handshake record: %w", err)
		}
		rn, err := enode.New(c.schemes, r)
		if err != nil {
			return src, nil, nil, fmt.Errorf("invalid handshake record: %w", err)
		}
		if rn.ID() != src {
			return src, nil, nil, ErrWrongHandshakeNode
		}
		if n == nil || rn.Seq() >= n.Seq() {
			n = rn
		}
	}
	if n == nil {
		return src, nil, nil, ErrHandshakeNodeMissing
	}
	if n.ID() != src {
		return src, nil, nil, ErrWrongHandshakeNode
	}
	if err := verifyIDSignature(c.sha, sig, n, challenge.ChallengeData, ephKey, c.localID); err != nil {
		return src, nil, nil, err
	}
	pub, err := decodePubkey(ephKey)
	if err != nil {
		return src, nil, nil, err
	}
	s, err := deriveKeys(c.priv, pub, src, c.localID, challenge.ChallengeData)
	if err != nil {
		return src, nil, nil, err
	}
	s = s.keysFlipped()
	s.node = n
	pt, err := decryptGCM(s.readKey[:], h.nonce[:], msg, head)
	if err != nil {
		return src, nil, nil, ErrDecryptHandshake
	}
	s.checkReplay(h.nonce)
	p, err = DecodeMessage(pt)
	if err != nil {
		return src, nil, nil, err
	}
	c.sc.storeNewSession(src, addr, s)
	return src, n, p, nil
}
