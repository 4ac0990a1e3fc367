package main

import (
	"context"
	"github.com/devp2p-go/devp2p"
	"github.com/devp2p-go/devp2p/netutil"
	"github.com/urfave/cli/v3"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// TestFlagAndConfigAgree: a value means the same from a flag and from the
// config file, and the error names where it came from.
func TestFlagAndConfigAgree(t *testing.T) {
	dir := t.TempDir()
	file := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	zero := file("zero.toml", "MaxPeers = 0\n")
	mustFail(t, "devp2p: --maxpeers 0: want at least 1", "node", "--datadir", dir, "--maxpeers", "0")
	mustFail(t, "devp2p: config "+zero+": MaxPeers = 0: want at least 1", "node", "--datadir", dir, "--config", zero)
	mustFail(t, "devp2p: --maxpeers 0: want at least 1", "devnet", "--maxpeers", "0")

	listen := file("listen.toml", `ListenAddr = "garbage"`+"\n")
	mustFail(t, `devp2p: --listen "garbage": missing port in address`, "node", "--datadir", dir, "--listen", "garbage")
	mustFail(t, "devp2p: config "+listen+`: ListenAddr "garbage": missing port in address`, "node", "--datadir", dir, "--config", listen)
	mustFail(t, `devp2p: --listen "1.2.3.4:99999": invalid port`, "node", "--datadir", dir, "--listen", "1.2.3.4:99999")
	mustFail(t, `devp2p: --listen "nowhere:1": invalid IP address`, "node", "--datadir", dir, "--listen", "nowhere:1")

	// A refused value leaves the data directory as it was: no key made.
	if entries, _ := os.ReadDir(dir); len(entries) != 2 { // zero.toml, listen.toml
		t.Errorf("refused flags wrote to the data directory: %v", entries)
	}

	// The flag given on the command line wins over a bad value in the file.
	mustFail(t, "devp2p: --maxpeers 0", "node", "--datadir", dir, "--config", listen, "--maxpeers", "0", "--listen", "127.0.0.1:0")
}

// TestConfigFileErrorsCLI: a broken config file is one line naming the file,
// the line and the field.
func TestConfigFileErrorsCLI(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad1.toml")
	os.WriteFile(bad, []byte("Name = \"x\"\n\nMaxPeers = \"many\"\n"), 0o600)
	mustFail(t, "devp2p: config "+bad+": line 3: MaxPeers: want integer, got string", "node", "--datadir", dir, "--config", bad)
	badJSON := filepath.Join(dir, "bad1.json")
	os.WriteFile(badJSON, []byte("{\n  \"Name\": \"x\",\n  \"MaxPeers\": \"many\"\n}\n"), 0o600)
	mustFail(t, "devp2p: config "+badJSON+": line 3: MaxPeers: want int", "node", "--datadir", dir, "--config", badJSON)
	absent := filepath.Join(dir, "absent.toml")
	mustFail(t, "devp2p: config "+absent+": no such file or directory", "node", "--datadir", dir, "--config", absent)
}

// TestArgumentRules: every command refuses what it does not take, and
// values that cannot be meant.
func TestArgumentRules(t *testing.T) {
	dir := t.TempDir()
	mustFail(t, `devp2p: node: unexpected argument "extra"`, "node", "--datadir", dir, "extra")
	mustFail(t, `devp2p: devnet: unexpected argument "extra"`, "devnet", "extra")
	mustFail(t, "devp2p: --status -5s: want 0", "node", "--datadir", dir, "--status", "-5s")
	mustFail(t, `devp2p: --datadir "": empty path`, "node", "--datadir", "")
	mustFail(t, "devp2p: key generate: missing argument FILE", "key", "generate")
	mustFail(t, "devp2p: enr decode: want one argument", "enr", "decode", "a", "b")

	// The refused --datadir "" leaves the per-user directory alone.
	home := t.TempDir()
	ctx, cancel := context.WithTimeout(context.Background(), procWait)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "node", "--datadir", "")
	cmd.Env = append(os.Environ(), "HOME="+home, "XDG_CONFIG_HOME="+filepath.Join(home, ".config"))
	if out, err := cmd.CombinedOutput(); err == nil {
		t.Fatalf("node --datadir \"\" succeeded:\n%s", out)
	}
	if entries, _ := os.ReadDir(home); len(entries) != 0 {
		t.Errorf("node --datadir \"\" wrote to the per-user directory: %v", entries)
	}
}

// TestKeyFileNamedAsGiven: a key that cannot be written is reported under
// the name the user gave, not the temporary file the write goes through.
func TestKeyFileNamedAsGiven(t *testing.T) {
	dir := t.TempDir()
	notDir := filepath.Join(dir, "file")
	os.WriteFile(notDir, nil, 0o600)
	target := filepath.Join(notDir, "node.key")
	mustFail(t, "devp2p: write key file "+target+": not a directory", "key", "generate", target)
	mustFail(t, "devp2p: node key "+filepath.Join(notDir, "nodekey")+": not a directory", "node", "--datadir", notDir)
	if strings.Contains(target, ".tmp") {
		t.Fatal("test setup: target name must not look temporary")
	}
}

// TestLANExemptFlag: --lan-exempt sets Config.LANExempt over the file's
// value, and an unknown value is refused by name.
func TestLANExemptFlag(t *testing.T) {
	dir := t.TempDir()
	mustFail(t, `devp2p: --lan-exempt "sometimes": want auto, always or never`, "node", "--datadir", dir, "--lan-exempt", "sometimes")

	file := filepath.Join(dir, "lan.toml")
	if err := os.WriteFile(file, []byte("LANExempt = \"always\"\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, tt := range []struct {
		args []string
		want netutil.LANExemption
	}{
		{nil, netutil.LANExemptAuto},
		{[]string{"--config", file}, netutil.LANExemptAlways},
		{[]string{"--config", file, "--lan-exempt", "never"}, netutil.LANExemptNever},
		{[]string{"--lan-exempt", "always"}, netutil.LANExemptAlways},
	} {
		var got devp2p.Config
		var cfgErr error
		// A fresh command per case: cli flags remember what they parsed.
		cmd := &cli.Command{Name: "node", Flags: nodeFlags(), Action: func(ctx context.Context, c *cli.Command) error {
			got, cfgErr = nodeConfig(ctx, c, new(nodeFileKeys))
			return nil
		}}
		args := append([]string{"node", "--datadir", dir, "--listen", "127.0.0.1:0"}, tt.args...)
		if err := cmd.Run(context.Background(), args); err != nil || cfgErr != nil {
			t.Fatalf("%v: %v %v", tt.args, err, cfgErr)
		}
		if got.LANExempt != tt.want {
			t.Errorf("%v: LANExempt %v, want %v", tt.args, got.LANExempt, tt.want)
		}
	}
}

// TestSourceSummary: the status line's part per dial source lists the
// sources that were dialed or gave peers, by label, as peers/dials.
func TestSourceSummary(t *testing.T) {
	for _, tt := range []struct {
		in   map[string]devp2p.DialSourceStats
		want string
	}{
		{nil, ""},
		{map[string]devp2p.DialSourceStats{"discv4": {Candidates: 50}}, ""}, // offered, never dialed
		{map[string]devp2p.DialSourceStats{
			"static":       {Dials: 1},
			"discv4":       {Candidates: 300, Dials: 41, Peers: 3},
			"protocol:eth": {Candidates: 2, Dials: 2, Peers: 1},
			"dns":          {Candidates: 9},
		}, " [discv4 3/41 protocol:eth 1/2 static 0/1]"},
	} {
		if got := sourceSummary(tt.in); got != tt.want {
			t.Errorf("sourceSummary(%v) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
