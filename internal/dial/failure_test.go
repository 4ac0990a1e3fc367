package dial

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"testing"

	"github.com/devp2p-go/devp2p/mclock"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		err  error
		want FailureClass
	}{
		{nil, NoFailure},
		{classErr(TooManyPeers), TooManyPeers},
		{fmt.Errorf("setup: %w", classErr(ProtocolBreach)), ProtocolBreach},
		{errRefused, Unreachable},
		{context.DeadlineExceeded, Unreachable},
		{os.ErrDeadlineExceeded, Unreachable},
		{&dialError{cause: errDialTimeout, err: context.Canceled}, Unreachable},
		{errNoEndpoint, Unreachable},
		{io.EOF, HandshakeFailed},
		{errors.New("bad MAC"), HandshakeFailed},
	}
	for _, tt := range tests {
		if got := Classify(tt.err); got != tt.want {
			t.Errorf("Classify(%v) = %v, want %v", tt.err, got, tt.want)
		}
	}
	// During the handshake the TCP connection was up: network errors there
	// are handshake failures.
	if got := classifySetup(&net.OpError{Op: "read", Err: io.ErrUnexpectedEOF}); got != HandshakeFailed {
		t.Errorf("classifySetup(read error) = %v", got)
	}
	if got := classifySetup(classErr(TooManyPeers)); got != TooManyPeers {
		t.Errorf("classifySetup(TooManyPeers) = %v", got)
	}
	// After a session, only the Server's reason blames the peer.
	if got := classifySession(errors.New("read: connection reset")); got != NetworkError {
		t.Errorf("classifySession(reset) = %v", got)
	}
	if got := classifySession(classErr(UselessPeer)); got != UselessPeer {
		t.Errorf("classifySession(UselessPeer) = %v", got)
	}
}

func TestFailureClassString(t *testing.T) {
	seen := map[string]bool{}
	for c := NoFailure; c < numClasses; c++ {
		s := c.String()
		if s == "" || s == "unknown" || seen[s] {
			t.Errorf("class %d has name %q", c, s)
		}
		seen[s] = true
	}
	if FailureClass(-1).String() != "unknown" || numClasses.String() != "unknown" {
		t.Error("out of range class has a name")
	}
	if got := (DynDialed | Trusted).String(); got != "dyndial|trusted" {
		t.Errorf("Flags.String = %q", got)
	}
}

// The failure memory is bounded, and a flood of mild failures makes room by
// dropping mild records, not the protocol breakers.
func TestFailureMemoryBound(t *testing.T) {
	fm := newFailureMemory(100)
	breaker := testNode(-5).ID()
	fm.record(breaker, ProtocolBreach, 0)
	for i := range 1000 {
		fm.record(testNode(i).ID(), Unreachable, 0)
	}
	if fm.len() != 100 {
		t.Fatalf("memory holds %d records, limit 100", fm.len())
	}
	if fm.blocked(breaker, 0) == nil {
		t.Fatal("breaker evicted by unreachable nodes")
	}
	if len(fm.h) > 2*fm.limit+64+fm.len() {
		t.Fatalf("heap grew to %d", len(fm.h))
	}
	// All forgotten after the longest memory time.
	fm.expire(mclock.AbsTime(0).Add(2*Backoff(ProtocolBreach, 1) + 1))
	if fm.len() != 0 {
		t.Fatalf("%d records left after expiry", fm.len())
	}
}
