package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/devp2p-go/devp2p/enode"
)

// maxNodeSetFile bounds a node-set file read back for a re-crawl, info or
// filter (a crawl of the whole main network is a few MiB).
const maxNodeSetFile = 256 << 20

// nodeSetIndent indents the written file like go-ethereum's devp2p tool
// does, so that the two tools' files can be compared with diff.
const nodeSetIndent = "    "

// nodeSet is a node-set file ("nodes.json"): a JSON object keyed by node ID
// (64 hex digits). The field names and their meaning are those of
// go-ethereum's devp2p tool, so either tool reads and updates the other's
// files without losing anything.
type nodeSet map[enode.ID]*nodeSetEntry

// nodeSetEntry is one node of a node set.
type nodeSetEntry struct {
	// Seq is the sequence number of Record, repeated so that a reader sees
	// which version of the record it holds without decoding it.
	Seq uint64 `json:"seq"`
	// Record is the newest record the node gave us: "enr:..." text, or an
	// enode URL for a node known only by its URL (it never answered).
	Record nodeRecord `json:"record"`
	// Score counts liveness checks: +1 for each one the node passed, halved
	// for each one it failed. A node whose score falls to 0 is removed.
	Score int `json:"score,omitempty"`
	// FirstResponse and LastResponse are the times of the first and the
	// latest check the node passed; LastCheck is the time of the latest
	// check, passed or not. A crawl writes them in UTC, whole seconds; the
	// zero time means "never" and is written as Go's zero time, as
	// go-ethereum does.
	FirstResponse time.Time `json:"firstResponse"`
	LastResponse  time.Time `json:"lastResponse"`
	LastCheck     time.Time `json:"lastCheck"`
}

// nodeRecord is the record field: a node in its text form.
type nodeRecord struct{ *enode.Node }

func (r nodeRecord) MarshalText() ([]byte, error) {
	if r.Node == nil {
		return nil, errors.New("no record")
	}
	return r.Node.MarshalText()
}

func (r *nodeRecord) UnmarshalText(text []byte) error {
	n, err := enode.Parse(enode.ValidSchemes, string(text))
	if err != nil {
		return fmt.Errorf("invalid record %q: %v", shorten(string(text)), err)
	}
	r.Node = n
	return nil
}

// age is how long the node has been answering checks.
func (e *nodeSetEntry) age() time.Duration {
	return e.LastResponse.Sub(e.FirstResponse)
}

// loadNodeSet reads a node-set file. Unknown fields are an error rather than
// silently lost when the set is written back.
func loadNodeSet(file string) (nodeSet, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fileError("read", file, err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxNodeSetFile+1))
	if err != nil {
		return nil, fileError("read", file, err)
	}
	if len(data) > maxNodeSetFile {
		return nil, fmt.Errorf("%s: larger than %d bytes", file, maxNodeSetFile)
	}
	set, err := decodeNodeSet(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %v", file, err)
	}
	return set, nil
}

// decodeNodeSet parses and checks the JSON of a node set. It reads each
// entry on its own, so that an error names the node.
func decodeNodeSet(data []byte) (nodeSet, error) {
	var raw map[enode.ID]json.RawMessage
	if err := decodeStrict(data, &raw); err != nil {
		return nil, err
	}
	if raw == nil {
		return nil, errors.New("not a node-set file: null instead of a JSON object")
	}
	set := make(nodeSet, len(raw))
	for id, msg := range raw {
		var e *nodeSetEntry
		if err := decodeStrict(msg, &e); err != nil {
			return nil, fmt.Errorf("node %s: %v", id, err)
		}
		set[id] = e
	}
	if err := set.verify(); err != nil {
		return nil, err
	}
	return set, nil
}

// decodeStrict decodes one JSON value that must fill v exactly: unknown
// fields and trailing data are errors. The errors speak of the file, not of
// Go types.
func decodeStrict(data []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	err := dec.Decode(v)
	if err == nil {
		if _, err := dec.Token(); err != io.EOF {
			return errors.New("data after the JSON value")
		}
		return nil
	}
	var (
		syntax  *json.SyntaxError
		typeErr *json.UnmarshalTypeError
		timeErr *time.ParseError
	)
	switch {
	case errors.As(err, &syntax):
		return fmt.Errorf("invalid JSON at byte %d: %v", syntax.Offset, err)
	case errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF):
		return errors.New("truncated JSON")
	case errors.As(err, &typeErr) && typeErr.Field == "":
		return fmt.Errorf("not a node-set file: want a JSON object, got %s", typeErr.Value)
	case errors.As(err, &typeErr):
		return fmt.Errorf("field %q: want %v, got %s", typeErr.Field, typeErr.Type, typeErr.Value)
	case errors.As(err, &timeErr):
		return fmt.Errorf("invalid time %q: want RFC 3339, e.g. 2026-01-02T15:04:05Z", timeErr.Value)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// verify checks that every entry agrees with its key and its record.
func (set nodeSet) verify() error {
	for id, e := range set {
		switch {
		case e == nil:
			return fmt.Errorf("node %s: null entry", id)
		case e.Record.Node == nil:
			return fmt.Errorf("node %s: no record", id)
		case e.Record.ID() != id:
			return fmt.Errorf("node %s: record is of node %s", id, e.Record.ID())
		case e.Record.Seq() != e.Seq:
			return fmt.Errorf("node %s: seq %d, but its record has seq %d", id, e.Seq, e.Record.Seq())
		}
	}
	return nil
}

// encode returns the file content.
func (set nodeSet) encode() ([]byte, error) {
	data, err := json.MarshalIndent(set, "", nodeSetIndent)
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// write replaces file with the set. It writes a temporary file beside it
// and renames it, so that a reader never sees half a set.
func (set nodeSet) write(file string) error {
	data, err := set.encode()
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp*")
	if err != nil {
		return fileError("write", file, err)
	}
	defer os.Remove(tmp.Name()) // after a successful rename there is nothing left to remove
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		return fileError("write", file, err)
	}
	if err := tmp.Close(); err != nil {
		return fileError("write", file, err)
	}
	if err := os.Rename(tmp.Name(), file); err != nil {
		return fileError("write", file, err)
	}
	return nil
}

// checkWritable makes sure that write(file) can succeed, so that a command
// that runs for long finds a bad output path before it starts.
func checkWritable(file string) error {
	if info, err := os.Stat(file); err == nil && info.IsDir() {
		return fmt.Errorf("%s is a directory", file)
	}
	tmp, err := os.CreateTemp(filepath.Dir(file), "."+filepath.Base(file)+".tmp*")
	if err != nil {
		return fileError("write", file, err)
	}
	tmp.Close()
	return os.Remove(tmp.Name())
}
