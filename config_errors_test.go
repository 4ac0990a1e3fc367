package devp2p

import (
	"strings"
	"testing"
)

// TestConfigFileErrors: a config file error names the line and the field as
// the file spells them, never the decoder's Go types.
func TestConfigFileErrors(t *testing.T) {
	tests := []struct {
		name, toml, json, want string
	}{
		{
			name: "wrong type",
			toml: "Name = \"x\"\n\nMaxPeers = \"many\"\n",
			json: "{\n  \"Name\": \"x\",\n  \"MaxPeers\": \"many\"\n}",
			want: "line 3: MaxPeers: ",
		},
		{
			name: "syntax",
			toml: "Name = \"x\"\nMaxPeers = \n",
			json: "{\n  \"Name\": \"x\",\n  \"MaxPeers\": ,\n}",
			want: "line ",
		},
		{
			name: "zero peers",
			toml: "MaxPeers = 0\n",
			json: `{"MaxPeers": 0}`,
			want: "MaxPeers = 0: want at least 1",
		},
		{
			name: "bad DNS list URL",
			toml: "DNSDiscovery = [\"enode://nodes.example.org\"]\n",
			json: `{"DNSDiscovery": ["enode://nodes.example.org"]}`,
			want: `DNSDiscovery: entry 0: invalid enrtree URL "enode://nodes.example.org": scheme must be "enrtree://"`,
		},
		{
			name: "negative peers",
			toml: "MaxPeers = -3\n",
			json: `{"MaxPeers": -3}`,
			want: "MaxPeers = -3: want at least 1",
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := ParseConfigTOML([]byte(tt.toml))
			checkConfigError(t, "TOML", err, tt.want)
			_, err = ParseConfigJSON([]byte(tt.json))
			checkConfigError(t, "JSON", err, tt.want)
		})
	}
}

func checkConfigError(t *testing.T, format string, err error, want string) {
	t.Helper()
	if err == nil {
		t.Errorf("%s: no error, want %q", format, want)
		return
	}
	msg := err.Error()
	if !strings.Contains(msg, want) {
		t.Errorf("%s: error %q does not contain %q", format, msg, want)
	}
	for _, internal := range []string{"fileConfig", "toml:", "json:", "Go struct", "destination"} {
		if strings.Contains(msg, internal) {
			t.Errorf("%s: error %q shows decoder internals (%q)", format, msg, internal)
		}
	}
}

// TestConfigFileMaxPeersAbsent: a file without MaxPeers leaves it 0 for the
// caller's default; only an explicit value is checked.
func TestConfigFileMaxPeersAbsent(t *testing.T) {
	c, err := ParseConfigTOML([]byte(`Name = "x"`))
	if err != nil || c.MaxPeers != 0 {
		t.Errorf("TOML without MaxPeers: MaxPeers %d, err %v; want 0, nil", c.MaxPeers, err)
	}
	c, err = ParseConfigJSON([]byte(`{"Name": "x"}`))
	if err != nil || c.MaxPeers != 0 {
		t.Errorf("JSON without MaxPeers: MaxPeers %d, err %v; want 0, nil", c.MaxPeers, err)
	}
	c, err = ParseConfigTOML([]byte("MaxPeers = 7\n"))
	if err != nil || c.MaxPeers != 7 {
		t.Errorf("TOML MaxPeers = 7: got %d, err %v", c.MaxPeers, err)
	}
}
