package sim

import (
	"fmt"
	"sort"
	"time"
)

// Scenario is a named, ready-made Config: Build fills in a network of the
// given size and seed; Check tells whether a run of it came out as the
// scenario expects (the test suite runs a small version of each).
type Scenario struct {
	Name  string
	Doc   string
	Build func(nodes int, seed int64) Config
	Check func(*Result) error
}

// Scenarios lists the built-in scenarios by name.
var Scenarios = map[string]Scenario{
	"bootstrap": {
		Name: "bootstrap",
		Doc:  "every node starts within a minute from three bootnodes; 20% are behind NAT",
		Build: func(n int, seed int64) Config {
			return Config{Nodes: n, Seed: seed, Bootnodes: 3, Unreachable: 0.2, Duration: 5 * time.Minute}
		},
		Check: func(r *Result) error {
			f := r.Summary.Final
			if f.PeersK < 0.95 {
				return fmt.Errorf("%.1f%% of nodes have ≥ %d peers, want ≥ 95%%", 100*f.PeersK, r.Config.PeersK)
			}
			// Nodes behind NAT hold slots in tables until revalidation
			// drops them, which costs lookups about a fifth of the truth.
			return checkLookups(f, 0.7)
		},
	},
	"churn": {
		Name: "churn",
		Doc:  "after bootstrap, nodes leave at 20% and new ones join at 20% per hour",
		Build: func(n int, seed int64) Config {
			return Config{Nodes: n, Seed: seed, Bootnodes: 3, Unreachable: 0.2, Duration: 30 * time.Minute,
				Churn: Churn{LeavePerHour: 0.2, JoinPerHour: 0.2}}
		},
		Check: func(r *Result) error {
			f := r.Summary.Final
			if f.PeersK < 0.9 {
				return fmt.Errorf("%.1f%% of nodes have ≥ %d peers under churn, want ≥ 90%%", 100*f.PeersK, r.Config.PeersK)
			}
			return checkLookups(f, 0.7)
		},
	},
	"partition": {
		Name: "partition",
		Doc:  "the network splits in two halves by address for 10 minutes, then heals",
		Build: func(n int, seed int64) Config {
			return Config{Nodes: n, Seed: seed, Bootnodes: 3, Duration: 30 * time.Minute,
				Partition: Partition{At: 5 * time.Minute, Heal: 15 * time.Minute}}
		},
		Check: func(r *Result) error {
			if r.Summary.Recovery < 0 {
				return fmt.Errorf("lookups did not recover within %v of the heal", r.Config.Duration-r.Config.Partition.Heal)
			}
			return checkLookups(r.Summary.Final, 0.9)
		},
	},
	"sybil": {
		Name: "sybil",
		Doc:  "20% of the identities are Sybils from four /24 blocks that lie in NEIGHBORS and accept every dial",
		Build: func(n int, seed int64) Config {
			return Config{Nodes: n, Seed: seed, Bootnodes: 3, Duration: 10 * time.Minute,
				Sybil: Sybil{Fraction: 0.2, Subnets: 4}}
		},
		Check: func(r *Result) error {
			f := r.Summary.Final
			if f.HonestPeerShare < 0.5 || f.HonestTableShare < 0.5 {
				return fmt.Errorf("honest share of peers %.1f%%, of table entries %.1f%%; want ≥ 50%%",
					100*f.HonestPeerShare, 100*f.HonestTableShare)
			}
			return nil
		},
	},
	"restart": {
		Name: "restart",
		Doc:  "after bootstrap every node restarts with its node database while the bootnodes stay down",
		Build: func(n int, seed int64) Config {
			return Config{Nodes: n, Seed: seed, Bootnodes: 3, Duration: 15 * time.Minute,
				Restart: Restart{At: 5 * time.Minute, Down: time.Minute, Fraction: 1, BootnodesDown: true}}
		},
		Check: func(r *Result) error {
			f := r.Summary.Final
			if f.PeersK < 0.95 {
				return fmt.Errorf("after the warm restart %.1f%% of nodes have ≥ %d peers, want ≥ 95%%", 100*f.PeersK, r.Config.PeersK)
			}
			return checkLookups(f, 0.9)
		},
	},
}

func checkLookups(s Sample, min float64) error {
	if s.Lookups == 0 {
		return fmt.Errorf("no lookup ended in the last interval")
	}
	if s.LookupFound < min {
		return fmt.Errorf("lookups found %.1f%% of the true 16 closest, want ≥ %.0f%%", 100*s.LookupFound, 100*min)
	}
	return nil
}

// ScenarioNames returns the scenario names, sorted.
func ScenarioNames() []string {
	var names []string
	for n := range Scenarios {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}
