package sim

import (
	"context"
	"runtime"
	"testing"
	"time"
)

func TestDiscoveryBootstrap(t *testing.T) {
	before := runtime.NumGoroutine()
	res, err := RunDiscovery(context.Background(), DiscoveryConfig{Nodes: 200, Seed: 1, Duration: 60 * time.Second}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range res.Samples {
		t.Logf("%+v", s)
	}
	t.Logf("wall %v startup %v drops %v denied %d forced %d", res.Wall, res.Startup, res.Drops, res.RepliesDenied, res.ForcedSteps)
	checkGoroutines(t, before)
}
