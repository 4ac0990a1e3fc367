// Package lograte limits how many debug lines of one kind a logger writes.
//
// Anyone on the network can make a node log a line (a bad packet, a failed
// handshake), so without a limit a flood of junk becomes a flood of log. A
// logger made by New writes at most Lines records with the same message per
// Interval at the levels it limits (Debug up to Info, excluding Info; trace
// levels below Debug are opt-in and pass, and so does Info and above). The
// records past the limit are counted, and the first record of that kind
// after the interval is preceded by one line saying how many were
// suppressed:
//
//	log := lograte.New(slog.Default(), lograte.Config{Lines: 10, Interval: 10 * time.Second})
//	log.Debug("Bad discv4 packet", "addr", from, "err", err)
//	// ... after the 10th within 10 s, nothing until the window ends, then:
//	// level=DEBUG msg="Suppressed log lines" kind="Bad discv4 packet" count=4211
package lograte
