package nat

import "sync/atomic"

// MapperStats tells how a Mapper's rounds went, for metrics and status
// lines.
type MapperStats struct {
	Rounds   uint64 // mapping rounds run (first mapping and renewals)
	Failures uint64 // rounds in which the gateway failed a request
	Changes  uint64 // rounds that changed the external endpoint
	// Mapped is true when the last round got the external IP and every
	// port mapping.
	Mapped bool
}

type mapperStats struct {
	rounds, failures, changes atomic.Uint64
	mapped                    atomic.Bool
}

func (s *mapperStats) record(failed, changed bool) {
	s.rounds.Add(1)
	if failed {
		s.failures.Add(1)
	}
	if changed {
		s.changes.Add(1)
	}
	s.mapped.Store(!failed)
}

// Stats returns the Mapper's round counters. Safe to call at any time.
func (m *Mapper) Stats() MapperStats {
	return MapperStats{
		Rounds:   m.stats.rounds.Load(),
		Failures: m.stats.failures.Load(),
		Changes:  m.stats.changes.Load(),
		Mapped:   m.stats.mapped.Load(),
	}
}
