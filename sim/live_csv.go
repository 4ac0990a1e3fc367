package sim

import (
	"bufio"
	"io"
	"strconv"
	"strings"
)

// liveCSVHeader names the columns of WriteLiveCSV, in order.
const liveCSVHeader = "time_s,online,peers_ge_k,mean_peers,target_reached,table_fill,packets_per_node_s,bytes_per_node_s," +
	"honest_peer_share,honest_table_share,connected,partitioned\n"

// WriteLiveCSV writes the samples of a live run as CSV with a header row.
func WriteLiveCSV(w io.Writer, samples []LiveSample) error {
	bw := bufio.NewWriter(w)
	bw.WriteString(liveCSVHeader)
	f := func(v float64) string { return strconv.FormatFloat(v, 'f', 4, 64) }
	for _, s := range samples {
		part := "0"
		if s.Partitioned {
			part = "1"
		}
		bw.WriteString(strings.Join([]string{
			strconv.FormatFloat(s.Time.Seconds(), 'f', 1, 64), strconv.Itoa(s.Online),
			f(s.PeersK), f(s.MeanPeers), f(s.TargetReached), f(s.TableFill), f(s.PacketsPerNodeSec), f(s.BytesPerNodeSec),
			f(s.HonestPeerShare), f(s.HonestTableShare), f(s.Connected), part,
		}, ","))
		bw.WriteByte('\n')
	}
	return bw.Flush()
}
