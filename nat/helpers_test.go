package nat

import (
	"context"
	"net"
	"net/http"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/nat/nattest"
)

// failsafe only ends a test that would otherwise hang on a bug; nothing
// waits for it in a passing run.
const failsafe = 20 * time.Second

// recv takes the next value from ch.
func recv[T any](t *testing.T, ch <-chan T) T {
	t.Helper()
	select {
	case v := <-ch:
		return v
	case <-time.After(failsafe):
		t.Fatal("timed out waiting for a value")
		panic("unreachable")
	}
}

// expectRequests reads len(want) requests from a fake gateway, in order.
func expectRequests(t *testing.T, ch <-chan string, want ...string) {
	t.Helper()
	for _, w := range want {
		if got := recv(t, ch); got != w {
			t.Fatalf("gateway got request %q, want %q", got, w)
		}
	}
}

// noMoreRequests checks that the fake gateway saw nothing else.
func noMoreRequests(t *testing.T, ch <-chan string) {
	t.Helper()
	select {
	case r := <-ch:
		t.Fatalf("unexpected gateway request %q", r)
	default:
	}
}

// startPMP starts the fake NAT-PMP gateway, skipping the test if its fixed
// port is taken by something else on the host.
func startPMP(t *testing.T, ext string) *nattest.PMP {
	t.Helper()
	g, err := nattest.StartPMP(net.ParseIP(ext))
	if err != nil {
		t.Skip(err)
	}
	t.Cleanup(g.Close)
	return g
}

func startIGD(t *testing.T, version int, service, ext string) *nattest.IGD {
	t.Helper()
	g := nattest.StartIGD(version, service, ext)
	t.Cleanup(func() {
		g.Close()
		http.DefaultClient.CloseIdleConnections()
	})
	return g
}

func upnpAt(t *testing.T, g *nattest.IGD) Interface {
	t.Helper()
	n, err := DiscoverUPnPAt(g.RootURL())(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// checkNoGoroutines fails if a goroutine of this package (a Mapper loop, a
// discovery) is still running.
//
// Close and discovery wait for their goroutines, which may still be on their
// way out (past the point they signalled) when the check starts: it yields
// to them a bounded number of times before it calls one leaked.
func checkNoGoroutines(t *testing.T) {
	t.Helper()
	const yields = 10000
	var leaked string
	for range yields {
		if leaked = natGoroutine(); leaked == "" {
			return
		}
		runtime.Gosched()
	}
	t.Fatalf("leaked goroutine:\n%s", leaked)
}

func natGoroutine() string {
	buf := make([]byte, 1<<20)
	buf = buf[:runtime.Stack(buf, true)]
	for g := range strings.SplitSeq(string(buf), "\n\n") {
		if strings.Contains(g, "devp2p/nat.(*Mapper)") || strings.Contains(g, "devp2p/nat.firstOf") {
			return g
		}
	}
	return ""
}
