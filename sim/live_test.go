package sim

import (
	"context"
	"testing"
	"time"
)

// TestLiveBootstrap runs whole servers (discv4 and RLPx) on the fabric and
// checks that every one of them ends with at least 3 peers.
func TestLiveBootstrap(t *testing.T) {
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
}
