package devp2p

import (
	"strings"
	"testing"
)

type testExtra struct {
	MetricsAddr string
	Pprof       bool
}

func TestConfigExtra(t *testing.T) {
	toml := "MaxPeers = 5\nMetricsAddr = \"127.0.0.1:6060\"\nPprof = true\n"
	json := `{"MaxPeers": 5, "MetricsAddr": "127.0.0.1:6060", "Pprof": true}`
	for name, parse := range map[string]func(string, any) (Config, error){
		"toml": func(s string, x any) (Config, error) { return ParseConfigTOMLExtra([]byte(s), x) },
		"json": func(s string, x any) (Config, error) { return ParseConfigJSONExtra([]byte(s), x) },
	} {
		in := toml
		if name == "json" {
			in = json
		}
		var x testExtra
		cfg, err := parse(in, &x)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if cfg.MaxPeers != 5 || x != (testExtra{"127.0.0.1:6060", true}) {
			t.Errorf("%s: cfg.MaxPeers %d, extra %+v", name, cfg.MaxPeers, x)
		}
		// A key of neither is still an error.
		bad := strings.Replace(in, "Pprof", "Pprov", 1)
		if _, err := parse(bad, &testExtra{}); err == nil || !strings.Contains(err.Error(), `unknown field "Pprov"`) {
			t.Errorf("%s: misspelt key: err = %v", name, err)
		}
		// A wrong type in an extra key is reported like one in Config.
		bad = strings.Replace(in, "true", `"yes"`, 1)
		if _, err := parse(bad, &testExtra{}); err == nil || !strings.Contains(err.Error(), "Pprof") {
			t.Errorf("%s: wrong type: err = %v", name, err)
		}
		if _, err := parse(in, testExtra{}); err == nil {
			t.Errorf("%s: a non-pointer extra was accepted", name)
		}
	}
	// Without extra keys, the plain parsers refuse them.
	if _, err := ParseConfigTOML([]byte(toml)); err == nil {
		t.Error("ParseConfigTOML accepted MetricsAddr")
	}
}
