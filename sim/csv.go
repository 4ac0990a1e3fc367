package sim

import (
	"bufio"
	"io"
	"strconv"
)

// csvHeader names the columns of WriteCSV, in order.
var csvHeader = []string{
	"time_s", "online", "peers_ge_k", "mean_peers", "table_fill",
	"lookups", "lookup_found", "lookup_all16", "packets_per_lookup", "bytes_per_lookup",
	"packets_per_node_s", "bytes_per_node_s", "honest_peer_share", "honest_table_share", "partitioned",
}

// WriteCSV writes the samples as CSV with a header row. Numbers are
// printed with fixed precision, so equal runs give equal bytes.
func WriteCSV(w io.Writer, samples []Sample) error {
	bw := bufio.NewWriter(w)
	for i, h := range csvHeader {
		if i > 0 {
			bw.WriteByte(',')
		}
		bw.WriteString(h)
	}
	bw.WriteByte('\n')
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	for _, s := range samples {
		part := "0"
		if s.Partitioned {
			part = "1"
		}
		row := []string{
			strconv.FormatFloat(s.Time.Seconds(), 'f', 1, 64), strconv.Itoa(s.Online),
			f(s.PeersK), f(s.MeanPeers), f(s.TableFill),
			strconv.Itoa(s.Lookups), f(s.LookupFound), f(s.LookupAll16), f(s.PacketsPerLookup), f(s.BytesPerLookup),
			f(s.PacketsPerNodeSec), f(s.BytesPerNodeSec), f(s.HonestPeerShare), f(s.HonestTableShare), part,
		}
		for i, v := range row {
			if i > 0 {
				bw.WriteByte(',')
			}
			bw.WriteString(v)
		}
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
