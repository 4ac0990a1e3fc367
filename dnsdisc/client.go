package dnsdisc

import (
	"bytes"
	"context"
	"crypto/ecdsa"
	"errors"
	"fmt"
	"strings"
	"sync"

	"github.com/devp2p-go/devp2p/crypto"
)

// Errors of tree syncing that callers may branch on.
var (
	ErrNoRoot       = errors.New("no enrtree root found")
	ErrBadRootSig   = errors.New("root signature does not match the tree key")
	ErrSeqBackwards = errors.New("root sequence number went backwards")
	ErrHashMismatch = errors.New("no TXT record matches the hash of its name")
	ErrLinkCycle    = errors.New("tree links back to itself")
	ErrTimeout      = errors.New("DNS query timed out")
)

// Client reads node lists from DNS. It is safe for concurrent use; the cache
// and the rate limit are shared by all its iterators and syncs.
type Client struct {
	cfg     Config
	cache   *entryCache
	limiter *rateLimiter

	mu      sync.Mutex
	lastSeq map[string]uint64 // highest root seq seen per tree (domain and key)
}

// NewClient creates a client.
func NewClient(cfg Config) (*Client, error) {
	if err := cfg.validate(); err != nil {
		return nil, fmt.Errorf("dnsdisc config: %w", err)
	}
	cfg = cfg.withDefaults()
	return &Client{
		cfg:     cfg,
		cache:   newEntryCache(cfg.CacheLimit),
		limiter: newRateLimiter(cfg.Clock, cfg.RateLimit, cfg.RateBurst),
		lastSeq: make(map[string]uint64),
	}, nil
}

// lookup runs one TXT query under the rate limit and the query timeout. The
// timeout runs on the injected clock, so tests control it.
func (c *Client) lookup(ctx context.Context, name string) ([]string, error) {
	if err := c.limiter.wait(ctx); err != nil {
		return nil, err
	}
	return c.query(ctx, name)
}

func (c *Client) query(ctx context.Context, name string) ([]string, error) {
	ctx, cancel := context.WithCancelCause(ctx)
	timer := c.cfg.Clock.AfterFunc(c.cfg.Timeout, func() { cancel(ErrTimeout) })
	defer func() {
		timer.Stop()
		cancel(nil)
	}()
	txts, err := c.cfg.Resolver.LookupTXT(ctx, name)
	if cause := context.Cause(ctx); cause != nil && errors.Is(cause, ErrTimeout) {
		return nil, &queryError{fmt.Errorf("lookup %s: %w", name, ErrTimeout)}
	}
	if err != nil {
		return nil, &queryError{fmt.Errorf("lookup %s: %w", name, err)}
	}
	return txts, nil
}

// resolveRoot fetches the root of the tree at domain and checks its
// signature against pubkey.
func (c *Client) resolveRoot(ctx context.Context, domain string, pubkey *ecdsa.PublicKey) (*rootEntry, error) {
	txts, err := c.lookup(ctx, domain)
	if err != nil {
		return nil, err
	}
	for _, txt := range txts {
		if !strings.HasPrefix(txt, rootPrefix) {
			continue
		}
		root, err := parseRoot(txt)
		if err != nil {
			return nil, fmt.Errorf("root of %s: %w", domain, err)
		}
		if !root.verify(pubkey) {
			return nil, fmt.Errorf("root of %s: %w", domain, ErrBadRootSig)
		}
		return root, nil
	}
	return nil, fmt.Errorf("%s: %w", domain, ErrNoRoot)
}

// resolveEntry fetches the entry hash.domain, from the cache if it is there,
// and checks that its text matches the hash.
func (c *Client) resolveEntry(ctx context.Context, domain, hash string) (entry, error) {
	// The limiter runs before the cache check (see rateLimiter).
	if err := c.limiter.wait(ctx); err != nil {
		return nil, err
	}
	name := hash + "." + domain
	if e, ok := c.cache.get(name); ok {
		return e, nil
	}
	want, err := b32.DecodeString(hash)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", name, ErrInvalidChild)
	}
	txts, err := c.query(ctx, name)
	if err != nil {
		return nil, err
	}
	tooLong := false
	for _, txt := range txts {
		if len(txt) > maxTXTSize {
			tooLong = true
			continue // cannot be an honest entry; a matching one may follow
		}
		if !bytes.HasPrefix(crypto.Keccak256([]byte(txt)), want) {
			continue
		}
		e, err := parseEntry(txt, c.cfg.ValidSchemes)
		if err != nil {
			return nil, fmt.Errorf("%w at %s", err, name)
		}
		c.cache.add(name, e)
		return e, nil
	}
	if tooLong {
		return nil, fmt.Errorf("%s: %w (over %d bytes)", name, ErrTooLong, maxTXTSize)
	}
	return nil, fmt.Errorf("%s: %w", name, ErrHashMismatch)
}

// checkSeq records seq as the newest root of the tree at loc, or fails if a
// newer one was seen before: an old root replayed by a resolver must not
// take the client back.
func (c *Client) checkSeq(loc *linkEntry, seq uint64) error {
	key := treeKey(loc)
	c.mu.Lock()
	defer c.mu.Unlock()
	if last, ok := c.lastSeq[key]; ok && seq < last {
		return fmt.Errorf("%s: %w (%d < %d)", loc.domain, ErrSeqBackwards, seq, last)
	}
	c.lastSeq[key] = seq
	return nil
}

// treeKey identifies a tree: its domain (in lower case) and its key.
func treeKey(loc *linkEntry) string {
	return loc.domain + "|" + b32.EncodeToString(crypto.CompressPubkey(loc.pubkey))
}
