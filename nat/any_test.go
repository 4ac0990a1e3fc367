package nat

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/mclock"
	"github.com/devp2p-go/devp2p/nat/nattest"
)

// blockUntilDone is a gateway that never answers: it returns only when
// discovery gives up on it.
func blockUntilDone(calls *atomic.Int32) Discoverer {
	return func(ctx context.Context) (Interface, error) {
		calls.Add(1)
		<-ctx.Done()
		return nil, ctx.Err()
	}
}

// TestAnyFirstAnswerWins: UPnP answers, NAT-PMP never does; any uses UPnP
// and does not wait for the silent one beyond cancelling it.
func TestAnyFirstAnswerWins(t *testing.T) {
	g := startIGD(t, 2, nattest.WANIPConnection2, "5.6.7.8")
	var silent atomic.Int32
	n := AnyOf("any", time.Hour, blockUntilDone(&silent), DiscoverUPnPAt(g.RootURL()))
	if n.String() != "any" {
		t.Errorf("String() before discovery = %q", n)
	}
	ip, err := n.ExternalIP()
	if err != nil || !ip.Equal(net.ParseIP("5.6.7.8")) {
		t.Fatalf("ExternalIP = %v, %v", ip, err)
	}
	if !strings.Contains(n.String(), "IGDv2-IP2") {
		t.Errorf("String() after discovery = %q", n)
	}
	if p, err := n.AddMapping("tcp", 30303, 30303, "x", time.Minute); err != nil || p != 30303 {
		t.Fatalf("AddMapping = %d, %v", p, err)
	}
	if silent.Load() != 1 {
		t.Fatalf("silent discoverer ran %d times, want 1", silent.Load())
	}
	checkNoGoroutines(t)
}

// TestAnyGivesUp: no gateway answers; any fails with ErrNoGateway once its
// time bound has passed, and does not rediscover on every call.
func TestAnyGivesUp(t *testing.T) {
	var calls atomic.Int32
	const bound = 50 * time.Millisecond
	n := AnyOf("any", bound, blockUntilDone(&calls), blockUntilDone(&calls)).(*autodisc)
	clock := new(mclock.Simulated)
	n.useClock(clock)

	_, err := n.ExternalIP()
	if !errors.Is(err, ErrNoGateway) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("ExternalIP error = %v, want ErrNoGateway after the deadline", err)
	}
	if _, err := n.AddMapping("tcp", 1, 1, "x", time.Minute); !errors.Is(err, ErrNoGateway) {
		t.Fatalf("AddMapping error = %v", err)
	}
	if err := n.DeleteMapping("tcp", 1, 1); !errors.Is(err, ErrNoGateway) {
		t.Fatalf("DeleteMapping error = %v", err)
	}
	if calls.Load() != 2 {
		t.Fatalf("discovery ran %d times, want once (2 discoverers)", calls.Load())
	}
	clock.Run(rediscoverInterval - time.Second)
	n.ExternalIP()
	if calls.Load() != 2 {
		t.Fatalf("discovery ran %d times before the retry interval, want once", calls.Load())
	}
	clock.Run(time.Second)
	n.ExternalIP()
	if calls.Load() != 4 {
		t.Fatalf("discovery ran %d times after the retry interval, want twice", calls.Load())
	}
	checkNoGoroutines(t)
}

// TestAnyUnreachableGateway: the real NAT-PMP probe against a gateway that
// is not there (127.0.0.1, nothing on port 5351) plus a silent UPnP.
func TestAnyUnreachableGateway(t *testing.T) {
	g := startPMP(t, "5.6.7.8") // hold the port, then free it: nothing listens
	g.Close()
	var calls atomic.Int32
	n := AnyOf("any", 200*time.Millisecond, blockUntilDone(&calls), DiscoverPMPAt(loopback))
	if _, err := n.ExternalIP(); !errors.Is(err, ErrNoGateway) {
		t.Fatalf("ExternalIP error = %v, want ErrNoGateway", err)
	}
	checkNoGoroutines(t)
}

func TestAnyPMP(t *testing.T) {
	startPMP(t, "5.6.7.8")
	var calls atomic.Int32
	n := AnyOf("any", time.Hour, blockUntilDone(&calls), DiscoverPMPAt(loopback))
	if ip, err := n.ExternalIP(); err != nil || !ip.Equal(net.ParseIP("5.6.7.8")) {
		t.Fatalf("ExternalIP = %v, %v", ip, err)
	}
	if n.String() != "any(pmp:127.0.0.1)" {
		t.Errorf("String() = %q", n)
	}
}

// TestMapperClockReachesAny: a Mapper hands its clock to an AnyOf mechanism,
// so the retry interval runs on the same (possibly simulated) time as the
// renewals.
func TestMapperClockReachesAny(t *testing.T) {
	var calls atomic.Int32
	n := AnyOf("any", time.Millisecond, blockUntilDone(&calls)).(*autodisc)
	clock := new(mclock.Simulated)
	m := StartMapper(n, 30303, 0, MapperConfig{Clock: clock, Logger: slog.New(slog.DiscardHandler)})
	m.Close()
	n.mu.Lock()
	got := n.clock
	n.mu.Unlock()
	if got != mclock.Clock(clock) {
		t.Fatalf("autodisc clock %T, want the Mapper's", got)
	}
	checkNoGoroutines(t)
}
