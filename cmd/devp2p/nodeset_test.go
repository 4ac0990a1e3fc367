package main

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// filterTestSet is a node set with one node per property the filters look
// at; the names say what each node has.
type filterTestSet struct {
	set                                     nodeSet
	lan, lanEth, public6, publicSnap, never *enode.Node
}

func newFilterTestSet(t *testing.T) filterTestSet {
	var (
		s    filterTestSet
		t0   = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		hour = time.Hour
	)
	s.lan = testRecord(t, "10.1.2.3", 1)
	s.lanEth = testRecord(t, "10.200.0.1", 5, "eth")
	s.public6 = testRecord(t, "2001:db8::1", 2, "eth", "snap")
	s.publicSnap = testRecord(t, "203.0.113.7", 9, "snap")
	s.never = testRecord(t, "192.0.2.1", 1) // as go-ethereum leaves a bootnode that never answered
	entry := func(n *enode.Node, score int, age time.Duration) *nodeSetEntry {
		return &nodeSetEntry{Seq: n.Seq(), Record: nodeRecord{n}, Score: score, FirstResponse: t0, LastResponse: t0.Add(age), LastCheck: t0.Add(age)}
	}
	s.set = nodeSet{
		s.lan.ID():        entry(s.lan, 1, 0),
		s.lanEth.ID():     entry(s.lanEth, 3, 2*hour),
		s.public6.ID():    entry(s.public6, 7, 48*hour),
		s.publicSnap.ID(): entry(s.publicSnap, 2, 30*time.Minute),
		s.never.ID():      {Seq: 1, Record: nodeRecord{s.never}},
	}
	return s
}

func TestNodesetInfo(t *testing.T) {
	s := newFilterTestSet(t)
	file := writeTestSet(t, s.set)
	out := mustRun(t, "nodeset", "info", file)
	for _, want := range []string{
		"nodes:          5\n",
		"score:          min 0, median 2, max 7\n",
		"age:            min 0s, median 30m0s, max 48h0m0s\n",
		"last response:  newest 2026-01-03T00:00:00Z",
		"oldest 2026-01-01T00:00:00Z",
		"never answered: 1\n",
		"  eth       2\n",
		"  id        5\n",
		"  ip        4\n",
		"  ip6       1\n",
		"  secp256k1 5\n",
		"  snap      2\n",
		"  udp       5\n",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("info output lacks %q:\n%s", want, out)
		}
	}
	empty := writeTestSet(t, nodeSet{})
	if out := mustRun(t, "nodeset", "info", empty); out != "nodes:          0\n" {
		t.Errorf("info of an empty set: %q", out)
	}
}

func TestNodesetFilter(t *testing.T) {
	s := newFilterTestSet(t)
	file := writeTestSet(t, s.set)
	for _, tc := range []struct {
		args []string
		want []*enode.Node
	}{
		{nil, []*enode.Node{s.lan, s.lanEth, s.public6, s.publicSnap, s.never}},
		{[]string{"--ip", "10.0.0.0/8"}, []*enode.Node{s.lan, s.lanEth}},
		{[]string{"--ip", "10.1.0.0/16"}, []*enode.Node{s.lan}},
		{[]string{"--ip", "2001:db8::/32"}, []*enode.Node{s.public6}},
		{[]string{"--ip", "10.1.0.0/16", "--ip", "2001:db8::/32"}, []*enode.Node{s.lan, s.public6}},
		{[]string{"--min-age", "1h"}, []*enode.Node{s.lanEth, s.public6}},
		{[]string{"--min-score", "3"}, []*enode.Node{s.lanEth, s.public6}},
		{[]string{"--eth"}, []*enode.Node{s.lanEth, s.public6}},
		{[]string{"--key", "snap"}, []*enode.Node{s.public6, s.publicSnap}},
		{[]string{"--key", "snap", "--key", "eth"}, []*enode.Node{s.public6}},
		{[]string{"--snap", "--ip", "203.0.113.0/24"}, []*enode.Node{s.publicSnap}},
		{[]string{"--limit", "2"}, []*enode.Node{s.public6, s.lanEth}},
		{[]string{"--limit", "0"}, nil},
		{[]string{"--ip", "10.0.0.0/8", "--limit", "1"}, []*enode.Node{s.lanEth}},
		{[]string{"--key", "nosuchkey"}, nil},
		// go-ethereum's spelling: one dash.
		{[]string{"-ip", "10.0.0.0/8", "-limit", "1"}, []*enode.Node{s.lanEth}},
		{[]string{"-eth", "-limit", "1"}, []*enode.Node{s.public6}},
		{[]string{"-key", "eth", "-min-age", "3h"}, []*enode.Node{s.public6}},
	} {
		args := append([]string{"nodeset", "filter", file}, tc.args...)
		out := mustRun(t, args...)
		got, err := decodeNodeSet([]byte(out))
		if err != nil {
			t.Errorf("%v: output is no node set: %v\n%s", tc.args, err, out)
			continue
		}
		if !sameIDs(got, tc.want) {
			t.Errorf("%v: got %v, want %v", tc.args, idsOf(got), nodeIDs(tc.want))
		}
		for id, e := range got {
			if !sameEntry(e, s.set[id]) {
				t.Errorf("%v: entry of %s changed: %+v, was %+v", tc.args, id.TerminalString(), e, s.set[id])
			}
		}
	}

	// -o writes a file instead.
	out := filepath.Join(t.TempDir(), "lan.json")
	if stdout := mustRun(t, "nodeset", "filter", file, "--ip", "10.0.0.0/8", "-o", out); stdout != "" {
		t.Errorf("stdout with -o: %q", stdout)
	}
	if got := readTestSet(t, out); !sameIDs(got, []*enode.Node{s.lan, s.lanEth}) {
		t.Errorf("-o file holds %v", idsOf(got))
	}
}

func TestNodesetFilterErrors(t *testing.T) {
	s := newFilterTestSet(t)
	file := writeTestSet(t, s.set)
	mustFail(t, `--ip "10.0.0.0": want a network`, "nodeset", "filter", file, "--ip", "10.0.0.0")
	mustFail(t, `--ip "nonsense": want a network`, "nodeset", "filter", file, "--ip", "nonsense")
	mustFail(t, "--min-age -1h0m0s: want a duration >= 0", "nodeset", "filter", file, "--min-age", "-1h")
	mustFail(t, "min-age", "nodeset", "filter", file, "--min-age", "soon")
	mustFail(t, "--limit -2: want a number >= 0", "nodeset", "filter", file, "--limit", "-2")
	mustFail(t, `--key "": want an ENR key`, "nodeset", "filter", file, "--key", "")
	mustFail(t, "eth-network", "nodeset", "filter", file, "-eth-network", "mainnet")
	mustFail(t, "missing argument FILE", "nodeset", "filter")
	mustFail(t, "want one argument FILE, got 2", "nodeset", "filter", file, file)
	mustFail(t, "no-such.json: no such file", "nodeset", "info", filepath.Join(t.TempDir(), "no-such.json"))
	mustFail(t, "/nodes.json: no such file or directory", "nodeset", "filter", file, "-o", filepath.Join(t.TempDir(), "missing-dir", "nodes.json"))
}

// TestNodesetBadFiles feeds the commands files that are not node sets, or
// whose entries contradict themselves.
func TestNodesetBadFiles(t *testing.T) {
	n := testRecord(t, "10.0.0.1", 4)
	other := testRecord(t, "10.0.0.2", 1)
	for _, tc := range []struct{ content, want string }{
		{`[]`, "not a node-set file: want a JSON object, got array"},
		{`null`, "not a node-set file: null"},
		{`{} {}`, "data after the JSON value"},
		{`{"zz": {}}`, "invalid node ID"},
		// Our format before it became go-ethereum's.
		{fmt.Sprintf(`{%q: {"record": %q, "score": 1, "firstSeen": "2026-01-01T00:00:00Z"}}`, n.ID(), n.String()), `unknown field "firstSeen"`},
		{fmt.Sprintf(`{%q: {"seq": 4}}`, n.ID()), "no record"},
		{fmt.Sprintf(`{%q: null}`, n.ID()), "null entry"},
		{fmt.Sprintf(`{%q: {"seq": 4, "record": %q}}`, n.ID(), other.String()), "record is of node " + other.ID().String()},
		{fmt.Sprintf(`{%q: {"seq": 3, "record": %q}}`, n.ID(), n.String()), "seq 3, but its record has seq 4"},
		{fmt.Sprintf(`{%q: {"seq": 4, "record": "enr:garbage"}}`, n.ID()), `invalid record "enr:garbage"`},
		{fmt.Sprintf(`{%q: {"seq": 4, "record": %q, "score": "high"}}`, n.ID(), n.String()), `field "score": want int, got string`},
		{fmt.Sprintf(`{%q: {"seq": 4, "record": %q, "lastCheck": "yesterday"}}`, n.ID(), n.String()), `invalid time "yesterday"`},
		{`{"ab`, "truncated JSON"},
		{`{,}`, "invalid JSON at byte 2"},
	} {
		file := filepath.Join(t.TempDir(), "nodes.json")
		if err := os.WriteFile(file, []byte(tc.content), 0o644); err != nil {
			t.Fatal(err)
		}
		mustFail(t, tc.want, "nodeset", "info", file)
		mustFail(t, tc.want, "nodeset", "filter", file)
		mustFail(t, tc.want, "discv4", "crawl", "--timeout", "1m", file)
	}
}

func sameIDs(set nodeSet, want []*enode.Node) bool {
	return slices.Equal(idsOf(set), nodeIDs(want))
}

func idsOf(set nodeSet) []string {
	var ids []string
	for id := range maps.Keys(set) {
		ids = append(ids, id.TerminalString())
	}
	slices.Sort(ids)
	return ids
}

func nodeIDs(nodes []*enode.Node) []string {
	var ids []string
	for _, n := range nodes {
		ids = append(ids, n.ID().TerminalString())
	}
	slices.Sort(ids)
	return ids
}

// sameEntry reports whether two entries hold the same values.
func sameEntry(a, b *nodeSetEntry) bool {
	return a.Seq == b.Seq && a.Record.String() == b.Record.String() && a.Score == b.Score &&
		a.FirstResponse.Equal(b.FirstResponse) && a.LastResponse.Equal(b.LastResponse) && a.LastCheck.Equal(b.LastCheck)
}
