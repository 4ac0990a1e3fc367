package devp2p

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"

	"github.com/BurntSushi/toml"
)

// LoadConfigWith reads a Config from a file like LoadConfig, and decodes
// into app (a pointer to a struct) the keys of the same file that are app's
// fields: the settings of an application around the Server, such as the
// admin API of `devp2p node`, live in one file with the Server's. A key
// that is neither a Config field nor one of app's is an error, as in
// LoadConfig. app's field names must not clash with Config's.
func LoadConfigWith(path string, app any) (Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return Config{}, err
	}
	var cfg Config
	switch strings.ToLower(filepath.Ext(path)) {
	case ".toml":
		cfg, err = parseTOMLWith(data, app)
	case ".json":
		cfg, err = parseJSONWith(data, app)
	default:
		return Config{}, fmt.Errorf("devp2p: config %s: unknown format (want .toml or .json)", path)
	}
	if err != nil {
		return Config{}, fmt.Errorf("devp2p: config %s: %w", path, err)
	}
	return cfg, nil
}

func parseTOMLWith(data []byte, app any) (Config, error) {
	var fc fileConfig
	md, err := toml.Decode(string(data), &fc)
	if err != nil {
		return Config{}, tomlError(err)
	}
	appMD, err := toml.Decode(string(data), app)
	if err != nil {
		return Config{}, tomlError(err)
	}
	// A key is unknown when neither decode took it.
	for _, k := range md.Undecoded() {
		if !slices.ContainsFunc(appMD.Undecoded(), func(a toml.Key) bool { return a.String() == k.String() }) {
			continue
		}
		return Config{}, fmt.Errorf("unknown field %q", k.String())
	}
	return fc.config()
}

func parseJSONWith(data []byte, app any) (Config, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(data, &fields); err != nil {
		return Config{}, jsonError(data, err)
	}
	keys := slices.Sorted(maps.Keys(fields))
	for _, k := range keys {
		if !hasField(reflect.TypeFor[fileConfig](), k) && !hasField(reflect.TypeOf(app).Elem(), k) {
			return Config{}, fmt.Errorf("unknown field %q", k)
		}
	}
	// Both decode the whole file, so that errors carry its line numbers;
	// each takes only its own keys.
	var fc fileConfig
	if err := json.Unmarshal(data, &fc); err != nil {
		return Config{}, jsonError(data, err)
	}
	if err := json.Unmarshal(data, app); err != nil {
		return Config{}, jsonError(data, err)
	}
	return fc.config()
}

// hasField reports whether a JSON object key names a field of t, matched
// as encoding/json matches them (case-insensitively).
func hasField(t reflect.Type, key string) bool {
	for i := range t.NumField() {
		if f := t.Field(i); f.IsExported() && strings.EqualFold(f.Name, key) {
			return true
		}
	}
	return false
}
