package devp2p

import (
	"encoding/json"
	"fmt"
	"reflect"
	"strings"

	"github.com/BurntSushi/toml"
)

// LoadConfigExtra reads a config file as LoadConfig does, and also the keys
// an application keeps in the same file for itself (a command's HTTP
// address, say) into extra, a pointer to a struct whose exported fields are
// those keys (matched as LoadConfig matches Config's: by field name, or by
// a toml or json tag). A key that is neither a Config field nor one of
// extra's is an error, so a misspelt option still does not go unnoticed.
func LoadConfigExtra(path string, extra any) (Config, error) {
	return loadConfigFile(path,
		func(data []byte) (Config, error) { return ParseConfigTOMLExtra(data, extra) },
		func(data []byte) (Config, error) { return ParseConfigJSONExtra(data, extra) })
}

// ParseConfigTOMLExtra is ParseConfigTOML with the application's keys
// decoded into extra (see LoadConfigExtra).
func ParseConfigTOMLExtra(data []byte, extra any) (Config, error) {
	if err := checkExtra(extra); err != nil {
		return Config{}, err
	}
	var fc fileConfig
	md, err := toml.Decode(string(data), &fc)
	if err != nil {
		return Config{}, tomlError(err)
	}
	mdx, err := toml.Decode(string(data), extra)
	if err != nil {
		return Config{}, tomlError(err)
	}
	// A key is unknown when neither decode took it.
	notTheirs := make(map[string]bool)
	for _, k := range mdx.Undecoded() {
		notTheirs[k.String()] = true
	}
	for _, k := range md.Undecoded() {
		if notTheirs[k.String()] {
			return Config{}, fmt.Errorf("unknown field %q", k.String())
		}
	}
	return fc.config()
}

// ParseConfigJSONExtra is ParseConfigJSON with the application's keys
// decoded into extra (see LoadConfigExtra).
func ParseConfigJSONExtra(data []byte, extra any) (Config, error) {
	if err := checkExtra(extra); err != nil {
		return Config{}, err
	}
	var fc fileConfig
	if err := json.Unmarshal(data, &fc); err != nil {
		return Config{}, jsonError(data, err)
	}
	if err := json.Unmarshal(data, extra); err != nil {
		return Config{}, jsonError(data, err)
	}
	var keys map[string]json.RawMessage
	if err := json.Unmarshal(data, &keys); err != nil {
		return Config{}, jsonError(data, err)
	}
	ours, theirs := reflect.TypeFor[fileConfig](), reflect.TypeOf(extra).Elem()
	for k := range keys {
		if !hasJSONField(ours, k) && !hasJSONField(theirs, k) {
			return Config{}, fmt.Errorf("unknown field %q", k)
		}
	}
	return fc.config()
}

// checkExtra makes sure extra can receive keys: a non-nil pointer to a
// struct.
func checkExtra(extra any) error {
	t := reflect.TypeOf(extra)
	if t == nil || t.Kind() != reflect.Pointer || t.Elem().Kind() != reflect.Struct || reflect.ValueOf(extra).IsNil() {
		return fmt.Errorf("devp2p: config extra keys need a non-nil pointer to a struct, got %T", extra)
	}
	return nil
}

// hasJSONField reports whether encoding/json decodes key into a field of
// struct type t: by json tag, or by name ignoring case.
func hasJSONField(t reflect.Type, key string) bool {
	for f := range t.Fields() {
		if !f.IsExported() {
			continue
		}
		name := f.Name
		if tag, _, _ := strings.Cut(f.Tag.Get("json"), ","); tag == "-" {
			continue
		} else if tag != "" {
			name = tag
		}
		if strings.EqualFold(name, key) {
			return true
		}
	}
	return false
}
