package sim

import (
	"context"
	"runtime"
	"testing"
	"time"
)

// TestLiveBootstrap runs whole servers (discv4 and RLPx) on the fabric and
// checks that every one of them ends with at least 3 peers.
func TestLiveBootstrap(t *testing.T) {
	before := runtime.NumGoroutine()
	res, err := RunLive(context.Background(), LiveConfig{Nodes: 24, Seed: 1, Duration: 40 * time.Second, Sample: 20 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Samples {
		t.Logf("t=%v ≥3 peers %.2f, mean peers %.1f, target %.2f, table %.1f, pkts/node/s %.2f",
			s.Time, s.PeersK, s.MeanPeers, s.TargetReached, s.TableFill, s.PacketsPerNodeSec)
	}
	final := res.Samples[len(res.Samples)-1]
	if final.PeersK < 1 {
		t.Errorf("%.0f%% of servers have ≥ 3 peers, want all", 100*final.PeersK)
	}
	t.Logf("wall %v", res.Wall)
	checkGoroutines(t, before)
}

// checkGoroutines waits, yielding instead of sleeping, for the goroutines
// the run started to be gone: RunLive returns once every server stopped,
// and what they told to stop exits soon after.
func checkGoroutines(t *testing.T, before int) {
	t.Helper()
	for range 1_000_000 {
		if runtime.NumGoroutine() <= before {
			return
		}
		runtime.Gosched()
	}
	buf := make([]byte, 1<<20)
	t.Errorf("goroutines: %d before, %d after\n%s", before, runtime.NumGoroutine(), buf[:runtime.Stack(buf, true)])
}
