package devp2p

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"regexp"
	"strings"

	"github.com/BurntSushi/toml"
)

// The config file errors below speak of the file's own field names and
// lines, not of the decoder's internals: the reader fixes the file.

// tomlError names the line and key of a TOML error. The decoder reports
// syntax errors as ParseError and type mismatches as text of the form
// `toml: line N (last key "K"): incompatible types: ...`.
func tomlError(err error) error {
	var pe toml.ParseError
	if errors.As(err, &pe) {
		if pe.LastKey != "" {
			return fmt.Errorf("line %d: %s: %s", pe.Position.Line, pe.LastKey, pe.Message)
		}
		return fmt.Errorf("line %d: %s", pe.Position.Line, pe.Message)
	}
	msg := strings.TrimPrefix(err.Error(), "toml: ")
	if m := tomlKeyError.FindStringSubmatch(msg); m != nil {
		where, key, what := m[1], m[2], m[3]
		if t := tomlTypeError.FindStringSubmatch(what); t != nil {
			what = fmt.Sprintf("want %s, got %s", t[2], t[1])
		}
		if where != "" {
			return fmt.Errorf("line %s: %s: %s", where, key, what)
		}
		return fmt.Errorf("%s: %s", key, what)
	}
	return errors.New(msg)
}

var (
	tomlKeyError  = regexp.MustCompile(`^(?:line (\d+) )?\(last key "([^"]*)"\): (.*)$`)
	tomlTypeError = regexp.MustCompile(`^incompatible types: TOML value has type (\S+); destination has type (.+)$`)
)

// jsonError names the line and field of a JSON error.
func jsonError(data []byte, err error) error {
	var (
		se *json.SyntaxError
		te *json.UnmarshalTypeError
	)
	switch {
	case errors.As(err, &se):
		return fmt.Errorf("line %d: %s", lineAt(data, se.Offset), strings.TrimPrefix(se.Error(), "json: "))
	case errors.As(err, &te):
		return fmt.Errorf("line %d: %s: want %s, got JSON %s", lineAt(data, te.Offset), te.Field, te.Type, te.Value)
	}
	return errors.New(strings.TrimPrefix(err.Error(), "json: "))
}

// lineAt returns the 1-based line of byte offset off in data.
func lineAt(data []byte, off int64) int {
	off = min(max(off, 0), int64(len(data)))
	return 1 + bytes.Count(data[:off], []byte("\n"))
}

// checkFileMaxPeers applies Config.MaxPeers' rule to a file that sets the
// field: 0 or less is an error there, as it would be at Start, rather than
// a value the caller might mistake for "absent".
func checkFileMaxPeers(n *int) error {
	if n != nil && *n < 1 {
		return fmt.Errorf("MaxPeers = %d: want at least 1", *n)
	}
	return nil
}
