package v5

import (
	"bytes"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"testing/synctest"

	"github.com/devp2p-go/devp2p/discover/internal/testnet"
	"github.com/devp2p-go/devp2p/discover/memnet"
	"github.com/devp2p-go/devp2p/internal/lograte"
)

// syncBuffer is a bytes.Buffer for a logger written from several goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// TestBadPacketLogLimited: junk datagrams make at most lograte's default
// number of debug lines per interval, however many pass admission.
func TestBadPacketLogLimited(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var buf syncBuffer
		log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}))
		nw := memnet.New()
		a := startNode(t, nw, testnet.PublicAddr(1), Config{Logger: log})
		defer a.Close()
		aAddr, _ := a.Self().UDPEndpoint()
		junk := bytes.Repeat([]byte{0xee}, 100)
		// One source: its burst (64 datagrams) passes admission and fails
		// to decode.
		conn, _ := nw.Listen(testnet.PublicAddr(2))
		defer conn.Close()
		for range 500 {
			conn.WriteToUDPAddrPort(junk, aAddr)
		}
		synctest.Wait()
		if n := strings.Count(buf.String(), "bad discv5 packet"); n == 0 || n > lograte.DefaultLines {
			t.Fatalf("%d bad-packet lines, want 1..%d", n, lograte.DefaultLines)
		}
	})
}
