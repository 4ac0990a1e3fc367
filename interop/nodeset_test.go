package interop

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	gcrypto "github.com/ethereum/go-ethereum/crypto"
	genode "github.com/ethereum/go-ethereum/p2p/enode"
	genr "github.com/ethereum/go-ethereum/p2p/enr"
)

// The node-set file ("nodes.json") that crawlers write is shared between
// tools: our devp2p and go-ethereum's must read each other's files without
// losing anything. go-ethereum's types for it live in package main of its
// devp2p command, so gethNodeSet mirrors them: the same Go types, field
// names and tags. Both sides decode with unknown fields disallowed, so a
// field one side writes and the other does not know fails the test instead
// of vanishing. Besides the mirror, the tests run both real commands on the
// other's files.

// gethNodeSet mirrors go-ethereum's nodeSet (cmd/devp2p/nodeset.go).
type gethNodeSet map[genode.ID]gethNodeJSON

// gethNodeJSON mirrors go-ethereum's nodeJSON, tags included.
type gethNodeJSON struct {
	Seq           uint64       `json:"seq"`
	N             *genode.Node `json:"record"`
	Score         int          `json:"score,omitempty"`
	FirstResponse time.Time    `json:"firstResponse,omitempty"`
	LastResponse  time.Time    `json:"lastResponse,omitempty"`
	LastCheck     time.Time    `json:"lastCheck,omitempty"`
}

// gethNodesetIndent is how go-ethereum's writeNodesJSON indents.
const gethNodesetIndent = "    "

const toolTimeout = 3 * time.Minute

func readGethNodeSet(t *testing.T, data []byte) gethNodeSet {
	t.Helper()
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	var set gethNodeSet
	if err := dec.Decode(&set); err != nil {
		t.Fatalf("go-ethereum's types cannot read the set: %v\n%s", err, data)
	}
	for id, e := range set {
		if e.N == nil || e.N.ID() != id || e.N.Seq() != e.Seq {
			t.Fatalf("entry %v does not match its key or seq: %+v", id, e)
		}
	}
	return set
}

// diffNodeSets lists every field that differs between two sets. Times must
// be the same instant in the same written form (zone offset included).
func diffNodeSets(a, b gethNodeSet) []string {
	var diffs []string
	for id, ea := range a {
		eb, ok := b[id]
		if !ok {
			diffs = append(diffs, fmt.Sprintf("%s: missing", id.TerminalString()))
			continue
		}
		field := func(name string, x, y any) {
			if x != y {
				diffs = append(diffs, fmt.Sprintf("%s: %s %v != %v", id.TerminalString(), name, x, y))
			}
		}
		field("seq", ea.Seq, eb.Seq)
		field("record", ea.N.String(), eb.N.String())
		field("score", ea.Score, eb.Score)
		field("firstResponse", ea.FirstResponse.Format(time.RFC3339Nano), eb.FirstResponse.Format(time.RFC3339Nano))
		field("lastResponse", ea.LastResponse.Format(time.RFC3339Nano), eb.LastResponse.Format(time.RFC3339Nano))
		field("lastCheck", ea.LastCheck.Format(time.RFC3339Nano), eb.LastCheck.Format(time.RFC3339Nano))
	}
	for id := range b {
		if _, ok := a[id]; !ok {
			diffs = append(diffs, fmt.Sprintf("%s: extra", id.TerminalString()))
		}
	}
	return diffs
}

// buildOurTool builds our devp2p command into dir.
func buildOurTool(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "devp2p")
	cmd := exec.Command("go", "build", "-o", path, "./cmd/devp2p")
	cmd.Dir = ".." // the main module
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("building our devp2p: %v\n%s", err, out)
	}
	return path
}

// runTool runs a command to completion and returns its stdout.
func runTool(t *testing.T, tool string, args ...string) []byte {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), toolTimeout)
	defer cancel()
	var stdout, stderr bytes.Buffer
	cmd := exec.CommandContext(ctx, tool, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\nstdout: %s\nstderr: %s", filepath.Base(tool), strings.Join(args, " "), err, stdout.Bytes(), stderr.Bytes())
	}
	return stdout.Bytes()
}

func readFile(t *testing.T, file string) []byte {
	t.Helper()
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	return data
}

func writeFile(t *testing.T, data []byte) string {
	t.Helper()
	file := filepath.Join(t.TempDir(), "nodes.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

func TestNodeSetFiles(t *testing.T) {
	ours := buildOurTool(t)
	geth := gethTool(t)

	// Our crawl of go-ethereum nodes, read by go-ethereum's types and tool.
	t.Run("OurCrawlReadByGeth", func(t *testing.T) {
		var (
			nodes []*genode.Node
			boot  []string
		)
		for range 3 {
			n := startGethDiscv4(t, nil).Self()
			nodes = append(nodes, n)
			boot = append(boot, n.String())
		}
		file := filepath.Join(t.TempDir(), "nodes.json")
		begin := time.Now().UTC().Truncate(time.Second)
		runTool(t, ours, "discv4", "crawl", "--listen", "127.0.0.1:0", "--timeout", "1m", "--bootnodes", strings.Join(boot, ","), file)
		end := time.Now().UTC()
		written := readFile(t, file)
		set := readGethNodeSet(t, written)
		if len(set) != len(nodes) {
			t.Errorf("set has %d nodes, want %d", len(set), len(nodes))
		}
		for i, n := range nodes {
			e, ok := set[n.ID()]
			if !ok {
				t.Errorf("node %d missing", i)
				continue
			}
			at := e.FirstResponse
			if e.N.String() != n.String() || e.Seq != n.Seq() || e.Score != 1 ||
				at.Before(begin) || at.After(end) || at.Location() != time.UTC || at.Nanosecond() != 0 ||
				!e.LastResponse.Equal(at) || !e.LastCheck.Equal(at) {
				t.Errorf("node %d: entry %+v; want its record, score 1, all three times the check's (UTC, whole seconds)", i, e)
			}
		}
		// go-ethereum's tool reads our file and writes it back unchanged.
		back := readGethNodeSet(t, runTool(t, geth, "nodeset", "filter", file))
		if d := diffNodeSets(set, back); len(d) > 0 {
			t.Errorf("go-ethereum's nodeset filter changed our set: %v", d)
		}
		info := runTool(t, geth, "nodeset", "info", file)
		if !bytes.Contains(info, fmt.Appendf(nil, "Set contains %d nodes.", len(nodes))) {
			t.Errorf("go-ethereum's nodeset info:\n%s", info)
		}
		// Written through go-ethereum's types, the file is what we wrote.
		regen, err := json.MarshalIndent(set, "", gethNodesetIndent)
		if err != nil {
			t.Fatal(err)
		}
		if !bytes.Equal(bytes.TrimSpace(regen), bytes.TrimSpace(written)) {
			t.Errorf("go-ethereum's types write\n%s\nwe wrote\n%s", regen, written)
		}
	})

	// A set with every kind of value go-ethereum's types can hold, written
	// by them, read and written back by our tool.
	t.Run("GethWrittenReadByUs", func(t *testing.T) {
		set := gethEdgeCaseSet(t)
		data, err := json.MarshalIndent(set, "", gethNodesetIndent)
		if err != nil {
			t.Fatal(err)
		}
		file := writeFile(t, data)
		back := readGethNodeSet(t, runTool(t, ours, "nodeset", "filter", file))
		if d := diffNodeSets(set, back); len(d) > 0 {
			t.Errorf("our nodeset filter changed go-ethereum's set: %v", d)
		}
		out := filepath.Join(t.TempDir(), "out.json")
		runTool(t, ours, "nodeset", "filter", file, "-o", out)
		if d := diffNodeSets(set, readGethNodeSet(t, readFile(t, out))); len(d) > 0 {
			t.Errorf("our nodeset filter -o changed go-ethereum's set: %v", d)
		}
		info := runTool(t, ours, "nodeset", "info", file)
		if !bytes.Contains(info, fmt.Appendf(nil, "nodes:          %d\n", len(set))) || !bytes.Contains(info, []byte("  eth       1\n")) {
			t.Errorf("our nodeset info:\n%s", info)
		}
	})

	// go-ethereum's crawl of our nodes, re-crawled by ours: the entries
	// keep their meaning (score up by one, first response kept).
	t.Run("GethCrawlRecrawledByUs", func(t *testing.T) {
		var boot []string
		for range 3 {
			boot = append(boot, startOurDiscv4(t, nil).Self().String())
		}
		file := filepath.Join(t.TempDir(), "nodes.json")
		runTool(t, geth, "discv4", "crawl", "--addr", "127.0.0.1:0", "--timeout", "2s", "--bootnodes", strings.Join(boot, ","), file)
		gethSet := readGethNodeSet(t, readFile(t, file))
		if len(gethSet) != len(boot) {
			t.Fatalf("go-ethereum's crawl wrote %d nodes, want %d:\n%s", len(gethSet), len(boot), readFile(t, file))
		}
		// Read and written back by our tool: nothing lost.
		back := readGethNodeSet(t, runTool(t, ours, "nodeset", "filter", file))
		if d := diffNodeSets(gethSet, back); len(d) > 0 {
			t.Errorf("our nodeset filter changed go-ethereum's crawl: %v", d)
		}
		// --recheck 0: go-ethereum checked every node a moment ago, which would
		// make our crawl skip them all.
		runTool(t, ours, "discv4", "crawl", "--listen", "127.0.0.1:0", "--timeout", "1m", "--recheck", "0", file)
		recrawled := readGethNodeSet(t, readFile(t, file))
		for id, before := range gethSet {
			after, ok := recrawled[id]
			switch {
			case !ok:
				t.Errorf("%s lost in our re-crawl", id.TerminalString())
			case after.Score != before.Score+1:
				t.Errorf("%s: score %d after our re-crawl, was %d", id.TerminalString(), after.Score, before.Score)
			case before.Score > 0 && !after.FirstResponse.Equal(before.FirstResponse):
				t.Errorf("%s: first response moved from %v to %v", id.TerminalString(), before.FirstResponse, after.FirstResponse)
			case after.LastResponse.Before(before.LastCheck) || !after.LastCheck.Equal(after.LastResponse):
				t.Errorf("%s: entry %+v after our re-crawl of %+v", id.TerminalString(), after, before)
			}
		}
	})
}

// gethEdgeCaseSet builds, with go-ethereum's types, a set holding what its
// crawler can write: a bootnode known only by its enode URL that never
// answered (score 0, zero times), records with extra keys and large
// sequence numbers, and times that are not whole seconds or not UTC (its
// crawler writes whole UTC seconds, but a file may have been edited).
func gethEdgeCaseSet(t *testing.T) gethNodeSet {
	t.Helper()
	set := make(gethNodeSet)
	key, _ := gcrypto.GenerateKey()
	url := genode.NewV4(&key.PublicKey, net.IP{192, 0, 2, 1}, 30303, 30303)
	set[url.ID()] = gethNodeJSON{Seq: url.Seq(), N: url}

	zone := time.FixedZone("", 5*3600+30*60)
	t0 := time.Date(2026, 3, 4, 5, 6, 7, 0, time.UTC)
	for i, extra := range []genr.Entry{
		genr.WithEntry("eth", []uint{1, 2}),
		genr.IPv6(net.ParseIP("2001:db8::7")),
		genr.TCP(30303),
	} {
		key, _ := gcrypto.GenerateKey()
		var r genr.Record
		r.Set(genr.IPv4(net.IP{203, 0, 113, byte(i + 1)}))
		r.Set(genr.UDP(30303 + i))
		r.Set(extra)
		r.SetSeq(uint64(1) << (20 * i))
		if err := genode.SignV4(&r, key); err != nil {
			t.Fatal(err)
		}
		n, err := genode.New(genode.ValidSchemes, &r)
		if err != nil {
			t.Fatal(err)
		}
		set[n.ID()] = gethNodeJSON{
			Seq:           n.Seq(),
			N:             n,
			Score:         []int{1, 42, 1 << 40}[i],
			FirstResponse: t0,
			LastResponse:  t0.Add(time.Duration(i)*time.Hour + 123456789*time.Nanosecond).In(zone),
			LastCheck:     t0.Add(time.Duration(i+1) * time.Hour),
		}
	}
	return set
}
