package admin

import (
	"time"

	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/discover"
	"github.com/devp2p-go/devp2p/enode"
)

// TableInfo is devp2p_table's result: the live entries of each discovery
// table, nil for a protocol that does not run.
type TableInfo struct {
	V4 []TableEntry `json:"v4"`
	V5 []TableEntry `json:"v5"`
}

// TableEntry is one live entry of a discovery table.
type TableEntry struct {
	Bucket int    `json:"bucket"`
	ID     string `json:"id"`
	Enode  string `json:"enode"`
	ENR    string `json:"enr"`
	// LivenessChecks counts the revalidation pings the node answered;
	// 0 means not proven yet.
	LivenessChecks uint `json:"livenessChecks"`
	// AddedAgo is how many seconds ago the node entered the table.
	AddedAgo float64 `json:"addedAgo"`
	// LastContactAgo is how many seconds ago the node last answered a
	// revalidation ping or contacted us; null if never.
	LastContactAgo *float64 `json:"lastContactAgo"`
}

func tableOf(srv *devp2p.Server) TableInfo {
	var info TableInfo
	if v4 := srv.DiscV4(); v4 != nil {
		info.V4 = tableEntries(v4.Table().Snapshot())
	}
	if v5 := srv.DiscV5(); v5 != nil {
		info.V5 = tableEntries(v5.Table().Snapshot())
	}
	return info
}

func tableEntries(snap []discover.TableEntry) []TableEntry {
	out := make([]TableEntry, len(snap))
	for i, e := range snap {
		out[i] = TableEntry{
			Bucket:         e.Bucket,
			ID:             e.Node.ID().String(),
			Enode:          e.Node.URLv4(),
			ENR:            e.Node.String(),
			LivenessChecks: e.LivenessChecks,
			AddedAgo:       e.Age.Seconds(),
		}
		if e.Contacted {
			ago := e.SinceContact.Seconds()
			out[i].LastContactAgo = &ago
		}
	}
	return out
}

// DialStats is devp2p_dialStats' result (see devp2p.DialStats).
type DialStats struct {
	Dialing        int  `json:"dialing"`
	DynamicDialing int  `json:"dynamicDialing"`
	DialedPeers    int  `json:"dialedPeers"`
	MaxDialedPeers int  `json:"maxDialedPeers"`
	StaticNodes    int  `json:"staticNodes"`
	Queued         int  `json:"queued"`
	Recent         int  `json:"recent"`
	BackingOff     int  `json:"backingOff"`
	Peerless       bool `json:"peerless"`
	// Sources is keyed by candidate source: discv4, discv5, dns, static, …
	Sources map[string]DialSource `json:"sources"`
}

// DialSource is what one candidate source brought (devp2p.DialSourceStats).
type DialSource struct {
	Candidates int `json:"candidates"`
	Dials      int `json:"dials"`
	Peers      int `json:"peers"`
}

func dialStatsOf(st devp2p.DialStats) DialStats {
	out := DialStats{
		Dialing: st.Dialing, DynamicDialing: st.DynamicDialing,
		DialedPeers: st.DialedPeers, MaxDialedPeers: st.MaxDialedPeers,
		StaticNodes: st.StaticNodes, Queued: st.Queued, Recent: st.Recent,
		BackingOff: st.BackingOff, Peerless: st.Peerless,
		Sources: make(map[string]DialSource, len(st.Sources)),
	}
	for name, src := range st.Sources {
		out.Sources[name] = DialSource(src)
	}
	return out
}

// Verdict is one entry of devp2p_verdicts: the server's decision on a
// connection at one stage of its setup (see devp2p.Verdict).
type Verdict struct {
	Time    time.Time `json:"time"`
	Stage   string    `json:"stage"` // accept, secured, hello
	Allowed bool      `json:"allowed"`
	Inbound bool      `json:"inbound"`
	// Reason and ReasonCode are the DiscReason of a refusal; Error is the
	// refusal itself.
	Reason     string `json:"reason,omitempty"`
	ReasonCode *uint8 `json:"reasonCode,omitempty"`
	Error      string `json:"error,omitempty"`
	ID         string `json:"id,omitempty"` // empty before the RLPx handshake told it
	Addr       string `json:"addr"`
}

// VerdictLog is devp2p_verdicts' result: the most recent verdicts, oldest
// first, and how many were not recorded because they came faster than the
// log could take them.
type VerdictLog struct {
	Verdicts []Verdict `json:"verdicts"`
	Missed   uint64    `json:"missed"`
}

func verdictOf(v *devp2p.Verdict, at time.Time) Verdict {
	out := Verdict{
		Time:    at.UTC(),
		Stage:   v.Stage.String(),
		Allowed: v.Allowed,
		Inbound: v.Inbound,
	}
	if !v.Allowed {
		code := uint8(v.Reason)
		out.Reason, out.ReasonCode = v.Reason.String(), &code
	}
	if v.Err != nil {
		out.Error = v.Err.Error()
	}
	if v.ID != (enode.ID{}) {
		out.ID = v.ID.String()
	}
	if v.Addr != nil {
		out.Addr = v.Addr.String()
	}
	return out
}
