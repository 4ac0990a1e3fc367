package v5wire

import (
	"container/list"
	"crypto/ecdsa"
	"encoding/binary"
	"time"

	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/mclock"
)

const (
	// DefaultSessionCacheSize bounds the sessions kept (go-ethereum uses an
	// LRU of 1024; the session-table flood of CL-2020-01,
	// docs/SECURITY.md).
	DefaultSessionCacheSize = 1024
	// handshakeTimeout is how long a WHOAREYOU challenge stays valid
	// (go-ethereum's value).
	handshakeTimeout = time.Second
	// maxPendingHandshakes bounds the challenges waiting for an answer, so a
	// flood of random packets from forged addresses cannot grow the map.
	maxPendingHandshakes = 4096
	// replayWindow is how many received nonces per session are remembered to
	// reject replayed packets.
	replayWindow = 64
)

// Nonce is the 12-byte AES-GCM nonce of a packet.
type Nonce [gcmNonceSize]byte

// sessionID binds a session to a node ID and its UDP endpoint
// (discv5-theory.md "Session Cache").
type sessionID struct {
	id   enode.ID
	addr string
}

// session is one side's keys of an established session.
type session struct {
	writeKey     [aesKeySize]byte
	readKey      [aesKeySize]byte
	nonceCounter uint32
	node         *enode.Node

	seen    map[Nonce]struct{} // recently received nonces (replay check)
	seenLog []Nonce            // ring of the same, oldest first
}

// keysFlipped returns the session as seen from the other side.
func (s *session) keysFlipped() *session {
	return &session{writeKey: s.readKey, readKey: s.writeKey, node: s.node}
}

// checkReplay records n and reports whether it was seen before.
func (s *session) checkReplay(n Nonce) bool {
	if s.seen == nil {
		s.seen = make(map[Nonce]struct{}, replayWindow)
	}
	if _, ok := s.seen[n]; ok {
		return true
	}
	if len(s.seenLog) >= replayWindow {
		delete(s.seen, s.seenLog[0])
		s.seenLog = s.seenLog[1:]
	}
	s.seen[n] = struct{}{}
	s.seenLog = append(s.seenLog, n)
	return false
}

// SessionCache holds sessions (LRU, bounded) and pending WHOAREYOU
// challenges. It is not safe for concurrent use: the engine owns it.
type SessionCache struct {
	max        int
	lru        *list.List // of *cacheEntry, front = most recent
	sessions   map[sessionID]*list.Element
	handshakes map[sessionID]*Whoareyou
	clock      mclock.Clock

	// randomness for nonces; replaced in tests.
	nonceGen func(counter uint32) (Nonce, error)
}

type cacheEntry struct {
	id sessionID
	s  *session
}

// NewSessionCache creates a cache of at most maxItems sessions.
func NewSessionCache(maxItems int, clock mclock.Clock) *SessionCache {
	if maxItems <= 0 {
		maxItems = DefaultSessionCacheSize
	}
	if clock == nil {
		clock = mclock.System{}
	}
	return &SessionCache{
		max:        maxItems,
		lru:        list.New(),
		sessions:   make(map[sessionID]*list.Element),
		handshakes: make(map[sessionID]*Whoareyou),
		clock:      clock,
		nonceGen:   randomNonce,
	}
}

// randomNonce makes a nonce from a message counter and 8 random bytes, so
// nonces never repeat within a session (discv5-wire.md "Packet Encoding").
func randomNonce(counter uint32) (n Nonce, err error) {
	binary.BigEndian.PutUint32(n[:4], counter)
	_, err = cryptoRand(n[4:])
	return n, err
}

// Len returns the number of sessions.
func (sc *SessionCache) Len() int { return len(sc.sessions) }

// PendingHandshakes returns the number of challenges waiting for an answer.
func (sc *SessionCache) PendingHandshakes() int { return len(sc.handshakes) }

func (sc *SessionCache) session(id enode.ID, addr string) *session {
	e, ok := sc.sessions[sessionID{id, addr}]
	if !ok {
		return nil
	}
	sc.lru.MoveToFront(e)
	return e.Value.(*cacheEntry).s
}

// readKey returns the current read key for id/addr, or nil.
func (sc *SessionCache) readKey(id enode.ID, addr string) []byte {
	if s := sc.session(id, addr); s != nil {
		return s.readKey[:]
	}
	return nil
}

func (sc *SessionCache) storeNewSession(id enode.ID, addr string, s *session) {
	key := sessionID{id, addr}
	if e, ok := sc.sessions[key]; ok {
		e.Value.(*cacheEntry).s = s
		sc.lru.MoveToFront(e)
		return
	}
	sc.sessions[key] = sc.lru.PushFront(&cacheEntry{key, s})
	for sc.lru.Len() > sc.max {
		old := sc.lru.Back()
		sc.lru.Remove(old)
		delete(sc.sessions, old.Value.(*cacheEntry).id)
	}
}

// DeleteSession forgets the session with id/addr.
func (sc *SessionCache) DeleteSession(id enode.ID, addr string) {
	key := sessionID{id, addr}
	if e, ok := sc.sessions[key]; ok {
		sc.lru.Remove(e)
		delete(sc.sessions, key)
	}
}

// nextNonce makes the nonce for the next packet of session s.
func (sc *SessionCache) nextNonce(s *session) (Nonce, error) {
	s.nonceCounter++
	return sc.nonceGen(s.nonceCounter)
}

// getHandshake returns the pending challenge sent to id/addr, if still valid.
func (sc *SessionCache) getHandshake(id enode.ID, addr string) *Whoareyou {
	key := sessionID{id, addr}
	c := sc.handshakes[key]
	if c != nil && sc.clock.Now().Sub(c.Sent) > handshakeTimeout {
		delete(sc.handshakes, key)
		return nil
	}
	return c
}

// PendingChallenge returns the WHOAREYOU sent to id/addr that still waits
// for its handshake, or nil.
func (sc *SessionCache) PendingChallenge(id enode.ID, addr string) *Whoareyou {
	return sc.getHandshake(id, addr)
}

// storeSentHandshake remembers a challenge sent to id/addr.
func (sc *SessionCache) storeSentHandshake(id enode.ID, addr string, c *Whoareyou) {
	if len(sc.handshakes) >= maxPendingHandshakes {
		sc.handshakeGC()
		// Still full (a flood from forged senders): evict a random entry
		// rather than refuse, so that a flood cannot lock out real peers.
		for k := range sc.handshakes {
			if len(sc.handshakes) < maxPendingHandshakes {
				break
			}
			delete(sc.handshakes, k)
		}
	}
	c.Sent = sc.clock.Now()
	sc.handshakes[sessionID{id, addr}] = c
}

func (sc *SessionCache) deleteHandshake(id enode.ID, addr string) {
	delete(sc.handshakes, sessionID{id, addr})
}

// handshakeGC drops expired challenges.
func (sc *SessionCache) handshakeGC() {
	deadline := sc.clock.Now().Add(-handshakeTimeout)
	for k, c := range sc.handshakes {
		if c.Sent < deadline {
			delete(sc.handshakes, k)
		}
	}
}

// ephemeralKeyGen makes handshake ephemeral keys; replaced in tests.
type ephemeralKeyGen func() (*ecdsa.PrivateKey, error)

// Clear forgets all sessions and pending challenges (as after a restart).
func (sc *SessionCache) Clear() {
	sc.lru.Init()
	clear(sc.sessions)
	clear(sc.handshakes)
}
