package sim

import "time"

// Summary condenses a run.
type Summary struct {
	Final Sample // the last sample
	// Recovery is how long after the partition healed the lookup success
	// took to return to 95% of its value just before the partition; -1
	// when it did not within the run, 0 without a partition.
	Recovery time.Duration
	// PeersKAt is when PeersK first reached 1 (every online honest node
	// has ≥ k peers); -1 if never.
	PeersKAt time.Duration
}

func summarize(cfg Config, samples []Sample) Summary {
	var s Summary
	if len(samples) == 0 {
		return s
	}
	s.Final = samples[len(samples)-1]
	s.PeersKAt = -1
	for _, x := range samples {
		if x.PeersK >= 1 {
			s.PeersKAt = x.Time
			break
		}
	}
	if p := cfg.Partition; p.At > 0 {
		var before float64
		for _, x := range samples {
			if x.Time <= p.At && x.Lookups > 0 {
				before = x.LookupFound
			}
		}
		s.Recovery = -1
		for _, x := range samples {
			if x.Time > p.Heal && x.Lookups > 0 && x.LookupFound >= 0.95*before {
				s.Recovery = x.Time - p.Heal
				break
			}
		}
	}
	return s
}
