package devp2p

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestLoadConfigWith: an application's keys and the Server's share one
// file, in TOML and JSON; a key of neither is still an error.
func TestLoadConfigWith(t *testing.T) {
	type appConfig struct {
		RPCAddr string
		IPC     *bool
	}
	dir := t.TempDir()
	write := func(name, data string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, file := range []string{
		write("c.toml", "MaxPeers = 7\nRPCAddr = \"127.0.0.1:8545\"\nIPC = false\n"),
		write("c.json", `{"MaxPeers":7,"RPCAddr":"127.0.0.1:8545","IPC":false}`),
	} {
		var app appConfig
		cfg, err := LoadConfigWith(file, &app)
		if err != nil {
			t.Fatalf("%s: %v", file, err)
		}
		if cfg.MaxPeers != 7 || app.RPCAddr != "127.0.0.1:8545" || app.IPC == nil || *app.IPC {
			t.Errorf("%s: %+v %+v", file, cfg, app)
		}
	}
	for _, file := range []string{
		write("bad.toml", "MaxPeers = 7\nRPCAdr = \"x\"\n"),
		write("bad.json", `{"MaxPeers":7,"RPCAdr":"x"}`),
	} {
		if _, err := LoadConfigWith(file, new(appConfig)); err == nil || !strings.Contains(err.Error(), `unknown field "RPCAdr"`) {
			t.Errorf("%s: %v", file, err)
		}
	}
}
