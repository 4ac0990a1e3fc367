package nodedb

import (
	"context"
	"crypto/ecdsa"
	"crypto/rand"
	"log/slog"
	"net/netip"
	"sync"
	"testing"

	"github.com/devp2p-go/devp2p/crypto"
	"github.com/devp2p-go/devp2p/enode"
	"github.com/devp2p-go/devp2p/enr"
)

// testLogger writes to t.Log and counts warnings.
type testHandler struct {
	t     testing.TB
	mu    *sync.Mutex
	warns *int
	attrs []slog.Attr
}

func newTestLogger(t testing.TB) (*slog.Logger, func() int) {
	h := &testHandler{t: t, mu: new(sync.Mutex), warns: new(int)}
	return slog.New(h), func() int {
		h.mu.Lock()
		defer h.mu.Unlock()
		return *h.warns
	}
}

func (h *testHandler) Enabled(context.Context, slog.Level) bool { return true }

func (h *testHandler) Handle(_ context.Context, r slog.Record) error {
	h.mu.Lock()
	if r.Level >= slog.LevelWarn {
		*h.warns++
	}
	h.mu.Unlock()
	if r.Level >= slog.LevelInfo {
		args := []any{r.Level, r.Message}
		r.Attrs(func(a slog.Attr) bool { args = append(args, a); return true })
		h.t.Log(args...)
	}
	return nil
}

func (h *testHandler) WithAttrs(as []slog.Attr) slog.Handler {
	c := *h
	c.attrs = append(append([]slog.Attr(nil), h.attrs...), as...)
	return &c
}

func (h *testHandler) WithGroup(string) slog.Handler { return h }

// newKey returns a fresh secp256k1 key.
func newKey(t testing.TB) *ecdsa.PrivateKey {
	t.Helper()
	k, err := crypto.GenerateKey()
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func newKeyNoT() *ecdsa.PrivateKey {
	k, err := crypto.GenerateKey()
	if err != nil {
		panic(err)
	}
	return k
}

// newNode returns a node signed with the v4 scheme, with the given IP and
// UDP port and sequence number.
func newNode(t testing.TB, key *ecdsa.PrivateKey, ip netip.Addr, udp int, seq uint64) *enode.Node {
	t.Helper()
	n, err := makeV4Node(key, ip, udp, seq)
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func makeV4Node(key *ecdsa.PrivateKey, ip netip.Addr, udp int, seq uint64) (*enode.Node, error) {
	var r enr.Record
	r.SetSeq(seq)
	if ip.Is4() {
		r.Set(enr.IPv4(ip))
	} else {
		r.Set(enr.IPv6(ip))
	}
	r.Set(enr.UDP(udp))
	r.Set(enr.TCP(udp))
	if err := enode.SignV4(&r, key); err != nil {
		return nil, err
	}
	return enode.New(enode.ValidSchemes, &r)
}

func openMem(t testing.TB, cfg Config) *DB {
	t.Helper()
	db, err := Open(cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

// newNullNode returns a node of the "null" identity scheme (no signature, so
// cheap to make) with a random ID.
func newNullNode(t testing.TB, ip netip.Addr, udp int, seq uint64) *enode.Node {
	t.Helper()
	var id enode.ID
	rand.Read(id[:])
	var r enr.Record
	r.SetSeq(seq)
	if ip.Is4() {
		r.Set(enr.IPv4(ip))
	} else {
		r.Set(enr.IPv6(ip))
	}
	r.Set(enr.UDP(udp))
	return enode.SignNull(&r, id)
}
