package sim

import (
	"fmt"
	"sort"
	"time"
)

// LiveScenario is a named, ready-made LiveConfig for whole servers, like
// Scenario for the model: Build fills in a network of the given size and
// seed; Check tells whether a run came out as the scenario expects. The
// test suite runs a small version of each.
type LiveScenario struct {
	Name  string
	Doc   string
	Build func(nodes int, seed int64) LiveConfig
	Check func(*LiveResult) error
}

// LiveScenarios lists the built-in live scenarios by name.
var LiveScenarios = map[string]LiveScenario{
	"bootstrap": {
		Name: "bootstrap",
		Doc:  "every server starts at once from one bootnode; all must end with ≥ 3 peers in one connected network",
		Build: func(n int, seed int64) LiveConfig {
			return LiveConfig{Nodes: n, Seed: seed, Duration: time.Minute}
		},
		Check: func(r *LiveResult) error {
			f := r.Summary.Final
			if f.PeersK < 1 || f.Connected < 1 {
				return fmt.Errorf("%.1f%% of servers have ≥ %d peers and %.1f%% are in the largest component; want all",
					100*f.PeersK, r.Config.PeersK, 100*f.Connected)
			}
			return nil
		},
	},
	"churn": {
		Name: "churn",
		Doc:  "from 30 s to 100 s, servers leave for good and new ones join, each at 12 per server per hour; ≥ 80% keep ≥ 3 peers on average meanwhile, and the network is whole again 20 s later",
		Build: func(n int, seed int64) LiveConfig {
			return LiveConfig{Nodes: n, Seed: seed, Bootnodes: 2, Duration: 2 * time.Minute,
				Churn: LiveChurn{From: 30 * time.Second, Until: 100 * time.Second, LeavePerHour: 12, JoinPerHour: 12}}
		},
		Check: func(r *LiveResult) error {
			c := r.Config.Churn
			var sum float64
			var count int
			for _, s := range r.Samples {
				if s.Time > c.From && s.Time <= c.Until {
					sum += s.PeersK
					count++
				}
			}
			// A server that joined moments before a sample has had no
			// time to connect: hence the average and its margin.
			if count == 0 || sum/float64(count) < 0.8 {
				return fmt.Errorf("under churn %.1f%% of servers had ≥ %d peers on average, want ≥ 80%%", 100*sum/float64(max(count, 1)), r.Config.PeersK)
			}
			if f := r.Summary.Final; !formed(f) {
				return fmt.Errorf("after the churn %.1f%% of servers have ≥ %d peers and %.1f%% are in the largest component; want ≥ %.0f%% and all",
					100*f.PeersK, r.Config.PeersK, 100*f.Connected, 100*FormedPeersK)
			}
			return nil
		},
	},
	"partition": {
		Name: "partition",
		Doc:  "a quarter of the servers loses every link from 30 s to 60 s (connections closed), then heals; the network must be one piece with ≥ 90% at ≥ 3 peers again within 90 s",
		Build: func(n int, seed int64) LiveConfig {
			// Isolated servers have no peer, so the dialer's fallback
			// for peerless nodes (bootnodes again, every minute) brings
			// them back. An island that keeps peers of its own has no
			// such trigger: its servers drop the other side from their
			// tables while they hunt for peers during the cut (failed
			// FINDNODEs), the others keep full dial slots and do not
			// dial, and the two sides may stay apart after the heal.
			return LiveConfig{Nodes: n, Seed: seed, Duration: 150 * time.Second, Sample: 5 * time.Second,
				Partition: LivePartition{At: 30 * time.Second, Heal: time.Minute, Share: 0.25, Isolate: true}}
		},
		Check: func(r *LiveResult) error {
			cut := false
			for _, s := range r.Samples {
				if s.Partitioned && !formed(s) {
					cut = true
				}
			}
			if !cut {
				return fmt.Errorf("the partition never broke the network")
			}
			if r.Summary.Recovery < 0 {
				return fmt.Errorf("the network was not one piece with ≥ %.0f%% of servers at ≥ %d peers by the end, %v after the heal",
					100*FormedPeersK, r.Config.PeersK, r.Config.Duration-r.Config.Partition.Heal)
			}
			return nil
		},
	},
	"sybil": {
		Name: "sybil",
		Doc:  "half of the identities are Sybils from two /24 blocks of one /16 that answer every FINDNODE with Sybils only and accept every dial; MaxPeers 24 (8 dialed); honest shares of peers and table entries must stay ≥ 50%",
		Build: func(n int, seed int64) LiveConfig {
			// With MaxPeers 12 the dialer's cap of 4 dials per /16 equals
			// all 4 dialed slots, and the Sybils' lies fill most of them:
			// the honest share of peers fell to about 55%. Real nodes
			// dial more (MaxPeers 50 dials 16).
			return LiveConfig{Nodes: n, Seed: seed, Duration: 2 * time.Minute, MaxPeers: 24,
				Sybil: Sybil{Fraction: 0.5, Subnets: 2}}
		},
		Check: func(r *LiveResult) error {
			s := r.Summary
			if s.MinHonestPeerShare < 0.5 || s.MinHonestTableShare < 0.5 {
				return fmt.Errorf("lowest honest share of peers %.1f%%, of table entries %.1f%%; want ≥ 50%%",
					100*s.MinHonestPeerShare, 100*s.MinHonestTableShare)
			}
			if s.Final.PeersK < FormedPeersK {
				return fmt.Errorf("%.1f%% of servers have ≥ %d peers under attack, want ≥ %.0f%%", 100*s.Final.PeersK, r.Config.PeersK, 100*FormedPeersK)
			}
			return nil
		},
	},
	"restart": {
		Name: "restart",
		Doc:  "after 40 s every server stops for 20 s and restarts from its node database while the bootnodes stay down; the network must form again",
		Build: func(n int, seed int64) LiveConfig {
			return LiveConfig{Nodes: n, Seed: seed, Duration: 2 * time.Minute, Sample: 2 * time.Second,
				Restart: LiveRestart{At: 40 * time.Second, Down: 20 * time.Second, Fraction: 1, BootnodesDown: true}}
		},
		Check: func(r *LiveResult) error {
			s := r.Summary
			if s.Recovery < 0 {
				return fmt.Errorf("the restarted servers did not form a network with ≥ %.0f%% at ≥ %d peers by the end",
					100*FormedPeersK, r.Config.PeersK)
			}
			return nil
		},
	},
}

// LiveScenarioNames returns the live scenario names, sorted.
func LiveScenarioNames() []string {
	var names []string
	for n := range LiveScenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
